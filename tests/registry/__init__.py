"""The registry: CSV import and export, place matching, status cards and questions."""
