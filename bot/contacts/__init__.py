"""The contact log: what the /log form accepts, and the dates it reads."""
