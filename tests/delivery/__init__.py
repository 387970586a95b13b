"""Check-in reminders: the service with a controlled clock, and end to end through the sandbox."""
