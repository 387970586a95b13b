"""The partnership registry: CSV import and export, place matching, status cards."""
