"""Redacted conversations, thumbs up/down feedback and booking requests, for staff review.

``messages`` holds one row per patient question and one per assistant reply; both rows of a
turn share the reply id and the route, so "unanswered questions" is one ``WHERE`` away.
Text is redacted again here before it is written, whatever the caller did. Booking
requests are the one place a name and phone number are kept, and only with consent.
Deleted rows are overwritten (``secure_delete``) so purged text does not linger on disk.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal

from chatbot.privacy import Redactor
from chatbot.reply import Reply
from knowledge_base.sqlite import Migrations, connect, transaction

MIGRATIONS = Migrations()

Role = Literal["patient", "assistant"]
Clock = Callable[[], datetime]

_SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]+")
MAX_NAME = 100
MAX_NOTE = 500
DEDUP_HOURS = 24  # a booking request for a number with one still open this long is not stored again


@MIGRATIONS
def m001_conversations(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reply_id TEXT NOT NULL,
            session TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('patient', 'assistant')),
            text TEXT NOT NULL,
            route TEXT NOT NULL,
            sources TEXT NOT NULL DEFAULT '[]',
            engine TEXT,
            detail TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (reply_id, role))"""
    )
    conn.execute("CREATE INDEX messages_session ON messages(session, id)")
    conn.execute("CREATE INDEX messages_route ON messages(role, route, created_at)")
    conn.execute("CREATE INDEX messages_created ON messages(created_at)")
    conn.execute(
        """CREATE TABLE feedback (
            reply_id TEXT PRIMARY KEY,
            rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
            created_at TEXT NOT NULL)"""
    )
    conn.execute(
        """CREATE TABLE booking_requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session TEXT NOT NULL,
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            consent INTEGER NOT NULL CHECK (consent = 1),
            created_at TEXT NOT NULL,
            handled_at TEXT)"""
    )
    conn.execute("CREATE INDEX booking_created ON booking_requests(handled_at, created_at)")


@MIGRATIONS
def m002_booking_handled_by(conn: sqlite3.Connection) -> None:
    """Who marked a booking request handled (the staff console's user)."""
    conn.execute("ALTER TABLE booking_requests ADD COLUMN handled_by TEXT")


@MIGRATIONS
def m003_refused(conn: sqlite3.Connection) -> None:
    """Messages refused before anything about them is stored (rate-limited, over-long): counts per day only."""
    conn.execute(
        """CREATE TABLE refused (
            day TEXT NOT NULL,
            reason TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, reason))"""
    )


@dataclass(frozen=True)
class BookingRequest:
    id: int
    session: str
    name: str
    phone: str
    note: str
    created_at: datetime
    handled_at: datetime | None
    handled_by: str | None = None

    @property
    def handled(self) -> bool:
        return self.handled_at is not None

    COLUMNS: ClassVar[str] = "id, session, name, phone, note, created_at, handled_at, handled_by"

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> BookingRequest:
        """Build from a row of ``COLUMNS`` (works with or without ``sqlite3.Row``)."""
        id_, session, name, phone, note, created_at, handled_at, handled_by = row
        return cls(
            id=id_, session=session, name=name, phone=phone, note=note,
            created_at=datetime.fromisoformat(created_at),
            handled_at=datetime.fromisoformat(handled_at) if handled_at else None, handled_by=handled_by,
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """One sortable text form for every timestamp (UTC, microseconds), so SQL can compare them."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def check_session(session: str) -> str:
    if not isinstance(session, str) or not _SESSION.fullmatch(session):
        raise ValueError("session id must be 1-64 characters of letters, digits, '_' or '-'")
    return session


class ConversationStore:
    def __init__(
        self, conn: sqlite3.Connection, *, redactor: Redactor | None = None, clock: Clock = _utc_now
    ) -> None:
        self.conn = conn
        self.redactor = redactor or Redactor()
        self._clock = clock
        conn.execute("PRAGMA secure_delete=ON")
        MIGRATIONS.apply(conn)

    @classmethod
    def open(cls, path: Path, *, redactor: Redactor | None = None, clock: Clock = _utc_now) -> ConversationStore:
        return cls(connect(path), redactor=redactor, clock=clock)

    def close(self) -> None:
        self.conn.close()

    def _now(self) -> str:
        return stamp(self._clock())

    def _cutoff_hours(self, hours: int) -> str:
        return stamp(self._clock() - timedelta(hours=hours))

    def _cutoff(self, older_than_days: int) -> str:
        if older_than_days < 0:
            raise ValueError("older_than_days must be zero or more")
        return stamp(self._clock() - timedelta(days=older_than_days))

    # --- conversations ---------------------------------------------------------------------
    def record_turn(self, session: str, question_redacted: str, reply: Reply) -> str:
        """Store the patient's (redacted) question and the reply; returns the reply id used."""
        check_session(session)
        if reply.session and reply.session != session:
            raise ValueError(f"reply belongs to session {reply.session!r}, not {session!r}")
        reply_id = reply.reply_id or uuid.uuid4().hex
        now = self._now()
        question = self.redactor.redact(question_redacted).text
        answer = self.redactor.redact(reply.answer).text
        detail = self.redactor.redact(reply.detail).text if reply.detail else None
        sources = json.dumps([s.to_json() for s in reply.sources])
        row = "INSERT INTO messages (reply_id, session, role, text, route, sources, engine, detail, created_at)"
        with transaction(self.conn):
            try:
                self.conn.execute(
                    row + " VALUES (?, ?, 'patient', ?, ?, '[]', NULL, NULL, ?)",
                    (reply_id, session, question, reply.route.value, now),
                )
            except sqlite3.IntegrityError as exc:
                raise ValueError(f"reply {reply_id!r} is already recorded") from exc
            self.conn.execute(
                row + " VALUES (?, ?, 'assistant', ?, ?, ?, ?, ?, ?)",
                (reply_id, session, answer, reply.route.value, sources, reply.engine, detail, now),
            )
        return reply_id

    def history(self, session: str, limit: int = 10) -> list[tuple[Role, str]]:
        """The last ``limit`` messages of a session, oldest first."""
        check_session(session)
        if limit < 0:
            raise ValueError("limit must be zero or more")
        rows = self.conn.execute(
            "SELECT role, text FROM messages WHERE session = ? ORDER BY id DESC LIMIT ?", (session, limit)
        ).fetchall()
        return [(r[0], r[1]) for r in reversed(rows)]

    def add_feedback(self, reply_id: str, up: bool) -> None:
        """Thumbs up or down on a reply; a later rating replaces an earlier one."""
        with transaction(self.conn):
            known = self.conn.execute(
                "SELECT 1 FROM messages WHERE reply_id = ? AND role = 'assistant'", (reply_id,)
            ).fetchone()
            if known is None:
                raise KeyError(f"no reply with id {reply_id!r} to rate")
            self.conn.execute(
                """INSERT INTO feedback (reply_id, rating, created_at) VALUES (?, ?, ?)
                   ON CONFLICT(reply_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at""",
                (reply_id, 1 if up else -1, self._now()),
            )

    def count_refused(self, reason: str) -> None:
        """Count a message refused before anything about it is stored (``rate_limited``, ``too_long``): only the
        day and the reason are kept, never its text or session."""
        day = self._clock().astimezone(UTC).date().isoformat()
        with transaction(self.conn):
            self.conn.execute(
                """INSERT INTO refused (day, reason, count) VALUES (?, ?, 1)
                   ON CONFLICT(day, reason) DO UPDATE SET count = count + 1""", (day, reason))

    def refused_counts(self, since: date | None = None) -> dict[str, int]:
        """How many messages were refused for each reason (since the day ``since``, if given)."""
        sql = "SELECT reason, SUM(count) FROM refused WHERE day >= ? GROUP BY reason ORDER BY reason"
        rows = self.conn.execute(sql, ((since or date.min).isoformat(),)).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def route_counts(self, since: datetime | None = None) -> dict[str, int]:
        """How many replies took each route (since ``since``, if given)."""
        sql = "SELECT route, COUNT(*) AS n FROM messages WHERE role = 'assistant'"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " AND created_at >= ?"
            params = (stamp(since),)
        rows = self.conn.execute(sql + " GROUP BY route ORDER BY route", params).fetchall()
        return {r[0]: r[1] for r in rows}

    def purge(self, older_than_days: int) -> int:
        """Delete sessions whose last message is older than that, with their feedback; returns how many."""
        cutoff = self._cutoff(older_than_days)
        with transaction(self.conn):
            sessions = [
                (r[0],) for r in self.conn.execute(
                    "SELECT session FROM messages GROUP BY session HAVING MAX(created_at) < ?", (cutoff,)
                )
            ]
            self.conn.executemany(
                "DELETE FROM feedback WHERE reply_id IN (SELECT reply_id FROM messages WHERE session = ?)", sessions
            )
            self.conn.executemany("DELETE FROM messages WHERE session = ?", sessions)
        count = len(sessions)
        self._checkpoint()
        return count

    # --- booking requests ------------------------------------------------------------------
    def request_booking(self, session: str, name: str, phone: str, note: str, consent: bool) -> int:
        """Store a patient's request to be contacted (name and phone kept as given); returns its id. A request for
        a number that already has one open from the last ``DEDUP_HOURS`` stores nothing and returns that one's id."""
        check_session(session)
        if consent is not True:
            raise ValueError("consent is required to store contact details")
        name = " ".join(name.split())
        if not name:
            raise ValueError("name is required")
        if len(name) > MAX_NAME:
            raise ValueError(f"name must be at most {MAX_NAME} characters")
        phone = phone.strip()
        digits = sum(c.isdigit() for c in phone)
        if not _PHONE_CHARS.fullmatch(phone) or not 7 <= digits <= 15:
            raise ValueError("phone must have 7 to 15 digits (spaces, +, -, . and brackets allowed)")
        note = " ".join(note.split())
        if len(note) > MAX_NOTE:
            raise ValueError(f"note must be at most {MAX_NOTE} characters")
        note = self.redactor.redact(note).text
        number = "".join(c for c in phone if c.isdigit())
        with transaction(self.conn):
            # The same number asked again while its request is still open is the same request (a double click,
            # a resend): nothing new is stored.
            open_ones = self.conn.execute(
                "SELECT id, phone FROM booking_requests WHERE handled_at IS NULL AND created_at >= ? ORDER BY id",
                (self._cutoff_hours(DEDUP_HOURS),)).fetchall()
            same = next((r[0] for r in open_ones if "".join(c for c in r[1] if c.isdigit()) == number), None)
            if same is not None:
                return int(same)
            cursor = self.conn.execute(
                """INSERT INTO booking_requests (session, name, phone, note, consent, created_at)
                   VALUES (?, ?, ?, ?, 1, ?)""",
                (session, name, phone, note, self._now()),
            )
        if cursor.lastrowid is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise RuntimeError("booking request was not stored")
        return cursor.lastrowid

    def booking_requests(self, include_handled: bool = True) -> list[BookingRequest]:
        """Booking requests, newest first."""
        where = "" if include_handled else " WHERE handled_at IS NULL"
        sql = f"SELECT {BookingRequest.COLUMNS} FROM booking_requests{where} ORDER BY created_at DESC, id DESC"
        rows = self.conn.execute(sql)
        return [BookingRequest.from_row(r) for r in rows.fetchall()]

    def mark_handled(self, booking_id: int, by: str | None = None) -> None:
        """Mark a booking request handled by ``by`` (the first time only; marking again keeps that time and name)."""
        with transaction(self.conn):
            row = self.conn.execute("SELECT handled_at FROM booking_requests WHERE id = ?", (booking_id,)).fetchone()
            if row is None:
                raise KeyError(f"no booking request with id {booking_id}")
            if row[0] is None:
                self.conn.execute(
                    "UPDATE booking_requests SET handled_at = ?, handled_by = ? WHERE id = ?",
                    (self._now(), by, booking_id),
                )

    def purge_bookings(self, older_than_days: int) -> int:
        """Delete booking requests made more than ``older_than_days`` ago; returns how many."""
        cutoff = self._cutoff(older_than_days)
        with transaction(self.conn):
            deleted = self.conn.execute("DELETE FROM booking_requests WHERE created_at < ?", (cutoff,)).rowcount
        self._checkpoint()
        return deleted

    def _checkpoint(self) -> None:
        """Fold the write-ahead log back so deleted text is not left in the -wal file (best effort)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
