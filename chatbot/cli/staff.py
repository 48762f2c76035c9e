"""``uplifted staff``: the logins of the staff console (names and scrypt hashes, never passwords)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chatbot.cli.common import console, fail, settings_from
from chatbot.staff.auth import StaffAuthError, check_username, hash_password, read_users, write_users

app = typer.Typer(help="Add, remove and list staff console logins.", no_args_is_help=True)

FromStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password again", hide_input=True) != first:
        raise fail("the passwords do not match; nothing was changed")
    return str(first)


def _hash(from_stdin: bool) -> str:
    try:
        return hash_password(_password(from_stdin))
    except ValueError as exc:
        raise fail(str(exc)) from None


@app.command("add-user")
def add_user(ctx: typer.Context, name: str, password_stdin: FromStdin = False) -> None:
    """Add a staff login, or set a new password for an existing one (restart `uplifted serve` after)."""
    settings = settings_from(ctx)
    try:
        check_username(name)
        users = read_users(settings.staff_users_path)
    except (ValueError, StaffAuthError) as exc:
        raise fail(str(exc)) from None
    existed = name in users
    users[name] = _hash(password_stdin)
    write_users(settings.staff_users_path, users)
    console.print(f"{'Updated' if existed else 'Added'} staff login {name!r} in {settings.staff_users_path}",
                  highlight=False)


@app.command("remove-user")
def remove_user(ctx: typer.Context, name: str) -> None:
    """Remove a staff login (restart `uplifted serve` after)."""
    settings = settings_from(ctx)
    users = read_users(settings.staff_users_path)
    if name not in users:
        raise fail(f"no staff login {name!r} in {settings.staff_users_path}")
    del users[name]
    write_users(settings.staff_users_path, users)
    console.print(f"Removed staff login {name!r}", highlight=False)


@app.command("list-users")
def list_users(ctx: typer.Context) -> None:
    """The staff logins (names only)."""
    settings = settings_from(ctx)
    names = sorted({*read_users(settings.staff_users_path), *settings.staff_users})
    console.print("\n".join(names) if names else "No staff logins yet: add one with `uplifted staff add-user NAME`.",
                  highlight=False)


@app.command("hash-password")
def hash_cmd(password_stdin: FromStdin = False) -> None:
    """Print a password hash for UPLIFTED_STAFF_USERS='{"name": "<hash>"}'."""
    console.print(_hash(password_stdin), highlight=False)
