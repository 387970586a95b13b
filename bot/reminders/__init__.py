"""Check-in reminders: the service that sends them, their local times and their texts."""
