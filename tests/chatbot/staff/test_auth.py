"""Staff logins: hashes only, a lockout after repeated failures, and the `uplifted staff` commands."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from chatbot.settings import Settings
from chatbot.staff.auth import StaffAuth, StaffAuthError, configured_users, hash_password, is_hash, verify_password

runner = CliRunner()
PASSWORD = "a long enough password"


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


def test_login_check_and_lockout_after_five_failures() -> None:
    now = [0.0]
    auth = StaffAuth({"maria": hash_password(PASSWORD)}, max_failures=5, lockout_s=900, clock=lambda: now[0])
    assert auth("maria", PASSWORD) and not auth("maria", "wrong password") and not auth("mallory", PASSWORD)
    for _ in range(4):
        assert not auth("maria", "wrong password")
    assert not auth("maria", PASSWORD)  # locked, even with the right password
    now[0] += 901
    assert auth("maria", PASSWORD)
    assert auth.is_staff("maria") and not auth.is_staff("mallory") and not auth.is_staff(None)


def test_staff_cli_adds_lists_and_removes_logins_without_storing_the_password(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    added = runner.invoke(app, ["staff", "add-user", "maria", "--password-stdin"], input=PASSWORD + "\n", obj=settings)
    assert added.exit_code == 0, added.output
    path = settings.staff_users_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text()
    users = json.loads(path.read_text())
    assert verify_password(PASSWORD, users["maria"])
    assert StaffAuth.from_settings(settings)("maria", PASSWORD)

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
