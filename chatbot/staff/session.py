"""Console sessions as signed cookies that end after a time without use.

The cookie holds the staff name and when the session was last used, signed with ``UPLIFTED_SECRET_KEY``
(itsdangerous), so any server process with the same key can check it and nothing is kept in memory. Each use
re-signs it with the new time (at most once a minute); a cookie older than the idle timeout is refused.
Logging out removes the cookie from the browser; a copy taken before then still works until it goes idle.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from chatbot.settings import Settings

log = logging.getLogger(__name__)
COOKIE = "uplifted-staff-session"


@dataclass(frozen=True)
class Session:
    user: str
    last_used: float  # seconds since the epoch


class StaffSessions:
    """Issues and checks the console's session cookies; ``clock`` (wall time) is injectable for tests."""

    def __init__(self, secret: str, *, idle_s: float = 1800.0, clock: Callable[[], float] = time.time,
                 refresh_s: float = 60.0) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret (UPLIFTED_SECRET_KEY) needs at least 16 characters")
        if idle_s <= 0:
            raise ValueError("the idle timeout must be positive")
        self.idle_s = idle_s
        self.refresh_s = min(refresh_s, idle_s / 10)
        self._clock = clock
        self._signer = URLSafeSerializer(secret, salt="uplifted-staff-session")

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Callable[[], float] = time.time) -> StaffSessions:
        secret = settings.secret_key.get_secret_value() if settings.secret_key else None
        if not secret:
            log.warning("UPLIFTED_SECRET_KEY is not set: staff console logins are signed with a random key, so "
                        "they end when the server restarts and work on this server process only")
            secret = secrets.token_urlsafe(32)
        return cls(secret, idle_s=settings.staff_idle_timeout_minutes * 60, clock=clock)

    def issue(self, user: str, *, last_used: float | None = None) -> str:
        return self._signer.dumps({"u": user, "t": self._clock() if last_used is None else last_used})

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie holds, if its signature is good (whether or not it has gone idle)."""
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str) or \
                not isinstance(data.get("t"), int | float):
            return None
        return Session(data["u"], float(data["t"]))

    def expired(self, session: Session) -> bool:
        age = self._clock() - session.last_used
        return age >= self.idle_s or age < -60  # a time from the future: a clock gone wrong or a forgery

    def active(self, cookie: str | None) -> Session | None:
        """The session if the cookie is good and was used within the idle timeout."""
        session = self.read(cookie)
        return session if session is not None and not self.expired(session) else None

    def renewed(self, session: Session) -> str | None:
        """A fresh cookie for a session just used, or None if the one it has is recent enough."""
        if self._clock() - session.last_used < self.refresh_s:
            return None
        return self.issue(session.user)
