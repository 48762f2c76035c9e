"""Which version of each article is live, which chunks make it up, and the audit log.

The catalog is the source of truth for what patients can see: a chunk in the vector
store is only ever served if the catalog lists it as part of a live article. Switching an
article to a new version is one SQLite transaction, so a sync killed at any point leaves
each article in its old or its new state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from knowledge_base.article import Article
from knowledge_base.language import DEFAULT_LANG
from knowledge_base.sqlite import Migrations, connect, transaction

MIGRATIONS = Migrations()


@MIGRATIONS
def m001_articles(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, url TEXT, tags TEXT NOT NULL,
            reviewed_on TEXT, review_due TEXT, version TEXT NOT NULL, source TEXT NOT NULL,
            source_hash TEXT NOT NULL, chunk_count INTEGER NOT NULL, flagged TEXT NOT NULL,
            updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)"""
    )
    conn.execute(
        """CREATE TABLE chunks (
            uid TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position INTEGER NOT NULL)"""
    )
    conn.execute("CREATE INDEX chunks_article ON chunks(article_id)")
    conn.execute(
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL,
            article_id TEXT NOT NULL, version TEXT, by TEXT NOT NULL, detail TEXT)"""
    )
    # Write-ahead journal: articles whose stored chunks may need tidying after a crash.
    conn.execute("CREATE TABLE pending (article_id TEXT PRIMARY KEY, started_at TEXT NOT NULL)")


@MIGRATIONS
def m002_article_text(conn: sqlite3.Connection) -> None:
    # The article's text, so staff can read it and edit its metadata without the file.
    # NULL for articles published before this migration (rebuilt from their chunks on demand).
    conn.execute("ALTER TABLE articles ADD COLUMN text TEXT")


@MIGRATIONS
def m003_article_lang(conn: sqlite3.Connection) -> None:
    # The article's language (ISO 639-1). NULL for articles published before articles had a language:
    # they count as English, and the next sync reads the language their (unchanged) file states.
    conn.execute("ALTER TABLE articles ADD COLUMN lang TEXT")


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    title: str
    url: str | None
    tags: tuple[str, ...]
    reviewed_on: date | None
    review_due: date | None
    version: str
    source: str
    source_hash: str
    chunk_count: int
    flagged: tuple[str, ...]
    updated_at: datetime
    updated_by: str
    lang: str = DEFAULT_LANG

    def review_overdue(self, today: date | None = None) -> bool:
        return self.review_due is not None and self.review_due < (today or date.today())

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ArticleRecord:
        return cls(
            id=row["id"], title=row["title"], url=row["url"] or None,
            tags=tuple(json.loads(row["tags"])),
            reviewed_on=date.fromisoformat(row["reviewed_on"]) if row["reviewed_on"] else None,
            review_due=date.fromisoformat(row["review_due"]) if row["review_due"] else None,
            version=row["version"], source=row["source"], source_hash=row["source_hash"],
            chunk_count=row["chunk_count"], flagged=tuple(json.loads(row["flagged"])),
            updated_at=datetime.fromisoformat(row["updated_at"]), updated_by=row["updated_by"],
            lang=row["lang"] or DEFAULT_LANG,
        )


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    action: str
    article_id: str
    version: str | None
    by: str
    detail: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        MIGRATIONS.apply(conn)

    @classmethod
    def open(cls, path: Path) -> Catalog:
        return cls(connect(path))

    # --- reads -------------------------------------------------------------------------
    def get(self, article_id: str) -> ArticleRecord | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return ArticleRecord.from_row(row) if row else None

    def all(self) -> list[ArticleRecord]:
        rows = self.conn.execute("SELECT * FROM articles ORDER BY title COLLATE NOCASE").fetchall()
        return [ArticleRecord.from_row(r) for r in rows]

    def languages(self) -> frozenset[str]:
        """The languages of the live articles."""
        rows = self.conn.execute("SELECT DISTINCT COALESCE(lang, ?) FROM articles", (DEFAULT_LANG,))
        return frozenset(r[0] for r in rows)

    def langs_unread(self) -> set[str]:
        """Articles published before articles had a language, whose file's language is still unread."""
        return {r[0] for r in self.conn.execute("SELECT id FROM articles WHERE lang IS NULL")}

    def live_uids(self, uids: Iterable[str] | None = None) -> set[str]:
        """The live chunk ids, or those of ``uids`` that are live."""
        if uids is None:
            return {r[0] for r in self.conn.execute("SELECT uid FROM chunks")}
        wanted = list(uids)
        live: set[str] = set()
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            marks = ",".join("?" * len(part))
            live.update(r[0] for r in self.conn.execute(f"SELECT uid FROM chunks WHERE uid IN ({marks})", part))
        return live

    def chunk_uids(self, article_id: str) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT uid FROM chunks WHERE article_id = ?", (article_id,))}

    def ordered_uids(self, article_id: str) -> list[str]:
        """The article's live chunk ids in reading order."""
        rows = self.conn.execute("SELECT uid FROM chunks WHERE article_id = ? ORDER BY position", (article_id,))
        return [r[0] for r in rows]

    def article_text(self, article_id: str) -> str | None:
        """The stored text; None for an unknown article or one published before text was stored."""
        row = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row["text"] if row else None

    def pending(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT article_id FROM pending ORDER BY article_id")]

    def audit_log(self, article_id: str | None = None) -> list[AuditEntry]:
        sql = "SELECT * FROM audit" + (" WHERE article_id = ?" if article_id else "") + " ORDER BY seq"
        rows = self.conn.execute(sql, (article_id,) if article_id else ()).fetchall()
        return [
            AuditEntry(seq=r["seq"], at=datetime.fromisoformat(r["at"]), action=r["action"],
                       article_id=r["article_id"], version=r["version"], by=r["by"], detail=r["detail"])
            for r in rows
        ]

    # --- writes ------------------------------------------------------------------------
    def mark_pending(self, article_ids: Iterable[str]) -> None:
        with transaction(self.conn):
            self.conn.executemany(
                "INSERT OR REPLACE INTO pending (article_id, started_at) VALUES (?, ?)",
                [(a, _now()) for a in article_ids],
            )

    def clear_pending(self, article_ids: Iterable[str]) -> None:
        with transaction(self.conn):
            self.conn.executemany("DELETE FROM pending WHERE article_id = ?", [(a,) for a in article_ids])

    def publish(
        self,
        items: Iterable[tuple[Article, list[str], list[str]]],
        *,
        by: str,
        actions: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> None:
        """Make each (article, chunk uids, flagged passages) live, atomically, and audit it.

        The audit action is "add" or "replace" with the file name as detail, unless ``actions``
        maps the article id to another (action, detail), e.g. ("edit", "title, url")."""
        with transaction(self.conn):
            for article, uids, flagged in items:
                old = self.conn.execute("SELECT version FROM articles WHERE id = ?", (article.id,)).fetchone()
                self.conn.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
                self.conn.execute(
                    """INSERT OR REPLACE INTO articles (id, title, url, tags, reviewed_on, review_due,
                       version, source, source_hash, chunk_count, flagged, updated_at, updated_by, text, lang)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (article.id, article.title, article.url, json.dumps(list(article.tags)),
                     article.reviewed_on.isoformat() if article.reviewed_on else None,
                     article.review_due.isoformat() if article.review_due else None,
                     article.version, article.source, article.source_hash, len(uids),
                     json.dumps(flagged), _now(), by, article.text, article.lang),
                )
                self.conn.executemany(
                    "INSERT OR REPLACE INTO chunks (uid, article_id, position) VALUES (?, ?, ?)",
                    [(uid, article.id, pos) for pos, uid in enumerate(uids)],
                )
                default: tuple[str, str | None] = ("add" if old is None else "replace", article.source)
                action, detail = (actions or {}).get(article.id, default)
                self._audit(action, article.id, article.version, by, detail)

    def set_lang(self, article_id: str, lang: str | None) -> None:
        """Record the language an article's file states when that needs no new version (English), or
        None for "not read from its file yet". Not audited: what patients see doesn't change."""
        with transaction(self.conn):
            self.conn.execute("UPDATE articles SET lang = ? WHERE id = ?", (lang, article_id))

    def remove(self, article_ids: Iterable[str], *, by: str) -> None:
        with transaction(self.conn):
            for article_id in article_ids:
                old = self.conn.execute("SELECT version FROM articles WHERE id = ?", (article_id,)).fetchone()
                if old is None:
                    continue
                self.conn.execute(
                    "INSERT OR REPLACE INTO pending (article_id, started_at) VALUES (?, ?)", (article_id, _now())
                )
                self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
                self._audit("remove", article_id, old["version"], by, None)

    def audit(self, action: str, subject: str, *, by: str, detail: str | None = None) -> None:
        """Record a staff change that is not an article's (e.g. the clinic profile) in the same audit log."""
        with transaction(self.conn):
            self._audit(action, subject, None, by, detail)

    def _audit(self, action: str, article_id: str, version: str | None, by: str, detail: str | None) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, action, article_id, version, by, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (_now(), action, article_id, version, by, detail),
        )
