"""Rate limits: moving windows from the ``limits`` library, per session, per client and for booking requests.

The storage is chosen here and only here (:func:`limit_storage`): in memory for now, so each server process
counts on its own; pointing ``STORAGE_URI`` at a shared store is the one change a move to shared state needs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

if TYPE_CHECKING:
    from chatbot.settings import Settings

STORAGE_URI = "memory://"


def limit_storage(uri: str = STORAGE_URI) -> Storage:
    """Where every limit keeps its counts (one storage shared by all the limits of one server)."""
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):
        raise ValueError(f"{uri!r} is not a storage for the synchronous limits API")
    return storage


class RateLimiter:
    """One limit, such as 30 a minute, kept for each key (a session id, a client address) on its own."""

    def __init__(self, per_minute: int | None = None, *, item: RateLimitItem | None = None, name: str = "session",
                 storage: Storage | None = None) -> None:
        if item is None:
            if per_minute is None or per_minute <= 0:
                raise ValueError("per_minute must be positive")
            item = RateLimitItemPerMinute(per_minute)
        self.item = item
        self.name = name
        self._limiter = MovingWindowRateLimiter(storage or limit_storage())

    @property
    def per_minute(self) -> float:
        return self.item.amount * 60 / self.item.get_expiry()

    def wait_seconds(self, key: str) -> int:
        """0 if ``key`` may go ahead now (and counts it), else how many whole seconds to wait."""
        if self._limiter.hit(self.item, self.name, key):
            return 0
        reset_at, _ = self._limiter.get_window_stats(self.item, self.name, key)
        return max(1, math.ceil(reset_at - time.time()))  # the wall clock the storage reads


@dataclass(frozen=True)
class Limits:
    """Every limit of one server: messages per session and per client, booking requests per client."""

    session: RateLimiter
    client: RateLimiter
    booking: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings, storage: Storage | None = None) -> Limits:
        storage = storage or limit_storage()
        return cls(
            session=RateLimiter(settings.rate_limit_per_minute, name="session", storage=storage),
            client=RateLimiter(settings.client_rate_limit_per_minute, name="client", storage=storage),
            booking=RateLimiter(item=RateLimitItemPerHour(settings.booking_limit_per_hour), name="booking",
                                storage=storage),
        )


class RateLimited(Exception):
    """Refused by a limit; ``retry_after_s``: whole seconds until the client may try again."""

    def __init__(self, retry_after_s: int, what: str = "requests") -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many {what}: try again in {retry_after_s} s")
