"""Members: registration, roles and permissions, privacy."""
