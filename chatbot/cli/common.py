"""What every CLI command shares: settings from the context, a console, clean failures."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from chatbot.settings import Settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def settings_from(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    if isinstance(obj, Settings):
        return obj
    return Settings()


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@contextmanager
def clean_errors() -> Iterator[None]:
    """Turn the failures staff can fix (store down, bad path, unknown id) into one line."""
    from knowledge_base.service import UnknownArticle, WriterBusy
    from knowledge_base.store import StoreUnavailable

    try:
        yield
    except (StoreUnavailable, UnknownArticle, WriterBusy, NotADirectoryError, FileNotFoundError, ValueError) as exc:
        raise fail(str(exc)) from None
