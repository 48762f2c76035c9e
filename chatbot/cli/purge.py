"""``uplifted purge``: delete conversations and booking requests past retention, once (for cron)."""

from __future__ import annotations

import typer

from chatbot.cli.common import console, settings_from


def purge(ctx: typer.Context) -> None:
    """Delete conversations older than UPLIFTED_RETENTION_DAYS and booking requests older than
    UPLIFTED_BOOKING_RETENTION_DAYS; the server also does this every day."""
    from chatbot.build import build_application
    from chatbot.retention import purge as run_purge

    settings = settings_from(ctx)
    done = run_purge(build_application(settings).conversations, settings)
    console.print(f"Deleted {done.conversations} conversations (older than {settings.retention_days} days) and "
                  f"{done.bookings} booking requests (older than {settings.booking_retention_days} days).")
