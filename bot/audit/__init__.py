"""The audit log of staff and admin actions: recording them and showing them to admins."""
