"""A per-session sliding-window rate limit."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> int:
        """0 if ``key`` may go ahead now (and counts it), else how many seconds to wait."""
        now = self.clock()
        with self._lock:
            seen = self._seen[key]
            while seen and now - seen[0] >= 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return max(1, int(60 - (now - seen[0])) + 1)
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle sessions
                for stale in [k for k, v in self._seen.items() if not v or now - v[-1] >= 60]:
                    del self._seen[stale]
            return 0
