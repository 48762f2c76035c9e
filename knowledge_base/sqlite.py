"""SQLite helpers: ordered, named migrations (after simonw/llm's ``migrations.py``), connections and transactions.

The knowledge base's catalog and the chat's conversation store both use them (``chatbot`` may import
``knowledge_base``, never the other way round)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Migration = Callable[[sqlite3.Connection], None]


class Migrations:
    """A list of migrations; ``apply`` runs the ones a database has not seen yet, in order."""

    def __init__(self, table: str = "_migrations") -> None:
        self.table = table
        self._steps: list[tuple[str, Migration]] = []

    def __call__(self, fn: Migration) -> Migration:
        if any(name == fn.__name__ for name, _ in self._steps):
            raise ValueError(f"duplicate migration name {fn.__name__}")
        self._steps.append((fn.__name__, fn))
        return fn

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._steps]

    def apply(self, conn: sqlite3.Connection) -> list[str]:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in conn.execute(f"SELECT name FROM {self.table}")}
        applied = []
        for name, step in self._steps:
            if name in done:
                continue
            with transaction(conn):
                step(conn)
                conn.execute(
                    f"INSERT INTO {self.table} (name, applied_at) VALUES (?, ?)",
                    (name, datetime.now(UTC).isoformat()),
                )
            applied.append(name)
        return applied


class LockedConnection(sqlite3.Connection):
    """A connection shared by the app's worker threads: one transaction at a time.

    Every statement takes the lock, and :func:`transaction` holds it from BEGIN to COMMIT,
    so two threads can never interleave their writes in one transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()

    def execute(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        with self.lock:
            return super().execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        with self.lock:
            return super().executemany(*args, **kwargs)


def connect(path: Path) -> sqlite3.Connection:
    """A connection suited to one writer and many readers across processes and threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None,
                           factory=LockedConnection)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: commit on success, roll back on any error (autocommit connections)."""
    with getattr(conn, "lock", nullcontext()):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def check_readable(conn: sqlite3.Connection, *, timeout_s: float = 2.0, table: str = "_migrations") -> None:
    """Raise if the database behind ``conn`` can't be read as it is now on disk: the connection answers, and a fresh
    read-only connection to its file (gone, unreadable, not a database) reads ``table``. For ``/readyz``."""
    rows = conn.execute("PRAGMA database_list").fetchall()
    path = next((str(row[2]) for row in rows if row[1] == "main"), "")
    if not path:
        return  # an in-memory database has no file to lose
    fresh = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, timeout=timeout_s)
    try:
        fresh.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    finally:
        fresh.close()
