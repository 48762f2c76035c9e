"""SQLite storage that migrates itself."""
