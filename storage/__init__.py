"""SQLite storage: connection, ordered migrations and the repository."""
