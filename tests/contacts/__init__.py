"""The contact log: /log, its one-line form, dates, /history and the contacts table."""
