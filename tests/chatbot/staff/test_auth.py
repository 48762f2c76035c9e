"""Staff logins: hashes only, a throttle on the attacking address, a cap on password checks, and the `uplifted staff`
commands."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from chatbot.settings import Settings
from chatbot.staff.auth import (
    BUSY,
    WRONG,
    LoginOutcome,
    StaffAuth,
    StaffAuthError,
    configured_users,
    hash_password,
    is_hash,
    verify_password,
)
from chatbot.staff.throttle import LoginThrottle, Policy

runner = CliRunner()
PASSWORD = "a long enough password"
ATTACKER = "203.0.113.7"


def test_a_hash_verifies_its_password_only_and_is_salted() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and PASSWORD not in first
    assert is_hash(first) and verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password("a long enough passwore", first)
    assert not is_hash(PASSWORD) and not verify_password(PASSWORD, PASSWORD)


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("short")


def test_no_login_or_a_plain_password_turns_the_console_off_with_a_how_to(tmp_path: Path) -> None:
    with pytest.raises(StaffAuthError, match="uplifted staff add-user"):
        configured_users(Settings(data_dir=tmp_path))
    with pytest.raises(StaffAuthError, match="not a hash"):
        configured_users(Settings(data_dir=tmp_path, staff_users={"maria": PASSWORD}))


def test_an_attack_locks_its_address_while_the_right_password_works_from_another() -> None:
    now = [0.0]
    auth = StaffAuth({"maria": hash_password(PASSWORD)},
                     throttle=LoginThrottle(per_name=Policy(free=2, lock_after=4), clock=lambda: now[0]))
    assert auth.log_in("maria", PASSWORD, "10.0.0.5").user == "maria"
    assert auth.log_in("mallory", PASSWORD, "10.0.0.5").user is None  # an unknown name never logs in
    wrong = auth.log_in("maria", "wrong password", ATTACKER)
    assert wrong.user is None and wrong.status == 401 and wrong.message == WRONG
    wrong = auth.log_in("maria", "wrong password", ATTACKER)
    assert wrong.status == 401 and "wait 1 second" in wrong.message and wrong.retry_after_s == 1
    refused = auth.log_in("maria", PASSWORD, ATTACKER)  # even the right password waits: nothing is checked
    assert refused.user is None and refused.status == 429 and "wait 1 second" in refused.message
    for _ in range(2):
        now[0] += 60
        auth.log_in("maria", "wrong password", ATTACKER)
    locked = auth.log_in("maria", PASSWORD, ATTACKER)
    assert locked.status == 429 and "locked" in locked.message and locked.retry_after_s > 800
    ok = auth.log_in(" maria ", PASSWORD, "10.0.0.5")
    assert ok.user == "maria" and ok.notice and "4 failed logins" in ok.notice and "203.0.113.x" in ok.notice
    assert auth.take_notice("maria") == ok.notice and auth.take_notice("maria") is None
    assert auth.is_staff("maria") and not auth.is_staff("mallory") and not auth.is_staff(None)


def test_password_checks_beyond_the_cap_are_refused_at_once() -> None:
    """A slow hasher (the fault) holds the only slot; a second login is refused, not queued behind it."""
    started, release = threading.Event(), threading.Event()

    def slow_hasher(password: str, hashed: str) -> bool:
        started.set()
        release.wait(timeout=30)
        return verify_password(password, hashed)

    auth = StaffAuth({"maria": hash_password(PASSWORD)}, hasher=slow_hasher, max_hashing=1)
    outcomes: list[LoginOutcome] = []
    first = threading.Thread(target=lambda: outcomes.append(auth.log_in("maria", PASSWORD, "10.0.0.5")))
    first.start()
    assert started.wait(timeout=30)
    busy = auth.log_in("maria", "wrong password", ATTACKER)  # returns while the first still holds the slot
    assert busy.user is None and busy.status == 503 and busy.message == BUSY and busy.retry_after_s > 0
    assert first.is_alive()
    release.set()
    first.join(timeout=30)
    assert [o.user for o in outcomes] == ["maria"]
    assert auth.throttle.check("maria", ATTACKER) is None  # a refusal for load is not a failure
    with pytest.raises(ValueError):
        StaffAuth({"maria": hash_password(PASSWORD)}, max_hashing=0)


def test_staff_cli_adds_lists_and_removes_logins_without_storing_the_password(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    added = runner.invoke(app, ["staff", "add-user", "maria", "--password-stdin"], input=PASSWORD + "\n", obj=settings)
    assert added.exit_code == 0, added.output
    path = settings.staff_users_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text()
    users = json.loads(path.read_text())
    assert verify_password(PASSWORD, users["maria"])
    assert StaffAuth.from_settings(settings).log_in("maria", PASSWORD, "10.0.0.5").user == "maria"

    listed = runner.invoke(app, ["staff", "list-users"], obj=settings)
    assert listed.exit_code == 0 and "maria" in listed.output and "scrypt" not in listed.output
    short = runner.invoke(app, ["staff", "add-user", "ben", "--password-stdin"], input="short\n", obj=settings)
    assert short.exit_code == 1 and "at least 10" in short.output
    bad = runner.invoke(app, ["staff", "add-user", "not a name", "--password-stdin"], input=PASSWORD + "\n",
                        obj=settings)
    assert bad.exit_code == 1 and "staff name" in bad.output
    assert runner.invoke(app, ["staff", "remove-user", "maria"], obj=settings).exit_code == 0
    with pytest.raises(StaffAuthError):
        StaffAuth.from_settings(settings)
    hashed = runner.invoke(app, ["staff", "hash-password", "--password-stdin"], input=PASSWORD + "\n")
    assert hashed.exit_code == 0 and verify_password(PASSWORD, hashed.output.strip())
