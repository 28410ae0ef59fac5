"""A SQLite database backend that knows JSON support up front, so no probe takes the write lock."""
