"""Retention that runs: conversations and booking requests older than their settings are deleted,
once at start-up and then every day by a background thread the server starts (``RetentionJob``),
or once by ``uplifted purge`` for cron."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from chatbot.settings import Settings
from chatbot.storage.conversations import ConversationStore

log = logging.getLogger(__name__)
DAY_S = 24 * 60 * 60


@dataclass(frozen=True)
class Purged:
    conversations: int
    bookings: int


def purge(store: ConversationStore, settings: Settings) -> Purged:
    """Delete what is past retention now; the store's clock says what "now" is."""
    return Purged(
        conversations=store.purge(settings.retention_days),
        bookings=store.purge_bookings(settings.booking_retention_days),
    )


class RetentionJob:
    """Purges at once, in the caller's thread, then every ``interval_s`` seconds in a daemon thread until
    stopped. (The first purge runs in the caller so that a server built and closed at once, as tests do, never
    has a thread using its database while it closes: that crashed the SQLite module.)"""

    def __init__(self, store: ConversationStore, settings: Settings, *, interval_s: float = DAY_S) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.store, self.settings, self.interval_s = store, settings, interval_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="uplifted-retention", daemon=True)

    def start(self) -> RetentionJob:
        self._run_once()
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._run_once()

    def _run_once(self) -> None:
        try:
            done = purge(self.store, self.settings)
            log.info("retention: %d conversations, %d booking requests deleted", done.conversations, done.bookings)
        except Exception:  # a failed purge is retried at the next interval, never stops the server
            log.exception("retention purge failed")
        self.runs += 1
