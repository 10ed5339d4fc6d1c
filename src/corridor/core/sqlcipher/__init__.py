"""A Django database backend: SQLite through SQLCipher, for field instances (decision 0290)."""
