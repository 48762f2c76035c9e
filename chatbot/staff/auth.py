"""Staff logins: scrypt password hashes from settings, never a plain password, and a throttle.

Users come from two places, both settings: ``UPLIFTED_STAFF_USERS`` (JSON ``{"name": "<hash>"}``)
and the users file under the data dir that ``uplifted staff add-user`` keeps (mode 0600).
A value that is not a hash made by :func:`hash_password` is refused, so a plain password
put there by mistake never works as one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chatbot.settings import Settings
from chatbot.staff.session import StaffSessions
from chatbot.staff.throttle import LoginThrottle

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
HOW_TO = "Add a staff login with `uplifted staff add-user NAME` (or set UPLIFTED_STAFF_USERS to a JSON map " \
         "of names to hashes from `uplifted staff hash-password`), then restart `uplifted serve`."


class StaffAuthError(ValueError):
    """No usable staff login is configured; the message says how to set one."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a staff password needs at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def is_hash(value: str) -> bool:
    parts = value.split("$")
    if len(parts) != 6 or parts[0] != SCHEME or not all(p.isdigit() for p in parts[1:4]):
        return False
    try:
        base64.b64decode(parts[4], validate=True)
        base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    return True


def verify_password(password: str, hashed: str) -> bool:
    if not is_hash(hashed):
        return False
    _, n, r, p, salt, digest = hashed.split("$")
    expected = base64.b64decode(digest)
    got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                         dklen=len(expected), maxmem=128 * 1024 * 1024)
    return hmac.compare_digest(got, expected)


def check_username(name: str) -> str:
    if not USERNAME.match(name):
        raise ValueError("a staff name must be 1-64 letters, digits, '.', '_', '@' or '-'")
    return name


# --- the users file ---------------------------------------------------------------------------
def read_users(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaffAuthError(f"{path}: cannot read the staff users file ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise StaffAuthError(f"{path}: the staff users file must map names to password hashes")
    return data


def write_users(path: Path, users: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(dict(sorted(users.items())), handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def configured_users(settings: Settings) -> dict[str, str]:
    """Every staff login in settings; raises :class:`StaffAuthError` if there is none or one is not a hash."""
    users = {**read_users(settings.staff_users_path), **settings.staff_users}
    if not users:
        raise StaffAuthError(f"The staff console is off: no staff login is set. {HOW_TO}")
    for name, hashed in users.items():
        check_username(name)
        if not is_hash(hashed):
            raise StaffAuthError(
                f"The staff console is off: the password for {name!r} is not a hash (never put a plain password "
                f"in settings). {HOW_TO}"
            )
    return users


class HashingBusy(RuntimeError):
    """As many password checks as allowed are already running; this one is refused rather than queued."""


@dataclass(frozen=True)
class LoginOutcome:
    """A login try: the staff name when it worked, else the refusal to show; ``notice`` is news for the staff
    member (failed logins for their name since their last one)."""

    user: str | None
    message: str = ""
    retry_after_s: int = 0
    status: int = 200
    notice: str | None = None


WRONG = "Wrong staff name or password."
BUSY = "The server is busy checking other logins. Please try again in a few seconds."


class StaffAuth:
    """Staff logins: the password check (at most ``max_hashing`` at once, so a flood of logins can't take the
    CPU from patients' replies), the :class:`~chatbot.staff.throttle.LoginThrottle` and the console's sessions."""

    def __init__(
        self, users: Mapping[str, str], *, throttle: LoginThrottle | None = None,
        sessions: StaffSessions | None = None, hasher: Callable[[str, str], bool] = verify_password,
        max_hashing: int = 1,
    ) -> None:
        if not users:
            raise StaffAuthError(f"The staff console is off: no staff login is set. {HOW_TO}")
        if max_hashing < 1:
            raise ValueError("max_hashing must be at least 1")
        self.users = dict(users)
        self.throttle = throttle or LoginThrottle()
        self.sessions = sessions or StaffSessions(secrets.token_urlsafe(32))
        self._hasher = hasher
        self._hashing = threading.BoundedSemaphore(max_hashing)
        self._notices: dict[str, str] = {}
        self._lock = threading.Lock()
        # Unknown names cost the same time as known ones, so a login does not tell which names exist.
        self._decoy = hash_password(secrets.token_urlsafe(16))

    @classmethod
    def from_settings(cls, settings: Settings) -> StaffAuth:
        return cls(configured_users(settings), sessions=StaffSessions.from_settings(settings))

    def is_staff(self, username: str | None) -> bool:
        return bool(username) and username in self.users

    def check_password(self, username: str, password: str) -> bool:
        """The password check alone; raises :class:`HashingBusy` when too many are running already."""
        if not self._hashing.acquire(blocking=False):
            raise HashingBusy(BUSY)
        try:
            ok = self._hasher(password, self.users.get(username, self._decoy))
        finally:
            self._hashing.release()
        return ok and username in self.users

    def log_in(self, username: str, password: str, client: str) -> LoginOutcome:
        """Try a login from address ``client``. Blocks for one password check: call it off the event loop."""
        username = (username or "").strip()
        refusal = self.throttle.check(username, client)
        if refusal is not None:
            return LoginOutcome(None, refusal.message, refusal.retry_after_s, 429)
        try:
            ok = self.check_password(username, password or "")
        except HashingBusy:
            return LoginOutcome(None, BUSY, 5, 503)
        if ok:
            notice = self.throttle.succeeded(username, client)
            if notice:
                with self._lock:
                    self._notices[username] = notice
            return LoginOutcome(username, notice=notice)
        self.throttle.failed(username, client, staff=self.is_staff(username))
        after = self.throttle.check(username, client)
        if after is not None:
            return LoginOutcome(None, f"{WRONG} {after.message}", after.retry_after_s, 401)
        return LoginOutcome(None, WRONG, 0, 401)

    def take_notice(self, username: str) -> str | None:
        """The news for ``username`` from their last login, once (the console shows it when it opens)."""
        with self._lock:
            return self._notices.pop(username, None)
