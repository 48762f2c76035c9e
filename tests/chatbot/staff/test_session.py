"""Console sessions: signed cookies that end after the idle timeout and are renewed by use."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from chatbot.settings import Settings
from chatbot.staff.session import StaffSessions

SECRET = "a secret of at least sixteen characters"


def test_a_session_ends_after_the_idle_timeout_unless_it_is_used() -> None:
    now = [10_000.0]
    sessions = StaffSessions(SECRET, idle_s=1800, clock=lambda: now[0])
    cookie = sessions.issue("maria")
    session = sessions.active(cookie)
    assert session is not None and session.user == "maria"
    now[0] += 30  # too soon to re-sign
    assert sessions.renewed(session) is None
    now[0] += 1500
    renewed = sessions.renewed(session)
    assert renewed is not None and renewed != cookie
    now[0] += 1000  # 2530 s after the first cookie, 1000 s after its renewal
    assert sessions.active(cookie) is None and sessions.read(cookie) is not None  # gone idle, still readable
    assert sessions.active(renewed) is not None
    now[0] += 800
    assert sessions.active(renewed) is None


def test_forged_or_foreign_cookies_are_refused() -> None:
    sessions = StaffSessions(SECRET)
    other = StaffSessions("another secret, just as long")
    cookie = sessions.issue("maria")
    assert other.read(cookie) is None
    assert sessions.read(cookie[:-2] + "xx") is None and sessions.read("") is None and sessions.read(None) is None
    assert sessions.active(sessions.issue("maria", last_used=10**12)) is None  # a time in the future
    with pytest.raises(ValueError, match="16"):
        StaffSessions("short")


def test_settings_give_the_secret_and_the_timeout(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    shared = Settings(data_dir=tmp_path, secret_key=SecretStr(SECRET), staff_idle_timeout_minutes=5)
    first = StaffSessions.from_settings(shared, clock=lambda: now[0])
    second = StaffSessions.from_settings(shared, clock=lambda: now[0])
    assert first.idle_s == 300 and second.active(first.issue("maria")) is not None  # any process with the key
    with caplog.at_level("WARNING"):
        alone = StaffSessions.from_settings(Settings(data_dir=tmp_path))
    assert "UPLIFTED_SECRET_KEY" in caplog.text and alone.idle_s == 1800
    assert alone.read(first.issue("maria")) is None
