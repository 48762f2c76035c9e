"""The SQLite helpers live in :mod:`knowledge_base.sqlite` (the knowledge base imports nothing from ``chatbot``)."""

from knowledge_base.sqlite import LockedConnection, Migration, Migrations, check_readable, connect, transaction

__all__ = ["LockedConnection", "Migration", "Migrations", "check_readable", "connect", "transaction"]
