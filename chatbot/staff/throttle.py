"""Failed staff logins slow down and lock the address they come from, never the name from everywhere.

Failures are counted per (name, address) and per address over a window. After a few free tries each key must
wait before its next try, the wait doubling with each failure; past a limit the address is locked for a while
(for that name, or for every name once it has failed with many). Tries refused this way cost no password check
and don't count. A staff member's name is therefore never locked for them from another address, however many
tries an attacker makes; they are told on their next successful login how many failures there were and from
which networks (:meth:`LoginThrottle.succeeded`).
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """For one kind of key: ``free`` failures cost nothing, then each try waits ``base_s * 2**(n - free)``
    seconds (at most ``max_wait_s``) after the last failure; ``lock_after`` failures lock it for ``lockout_s``."""

    free: int
    lock_after: int
    base_s: float = 1.0
    max_wait_s: float = 300.0
    lockout_s: float = 900.0

    def __post_init__(self) -> None:
        if not 0 <= self.free < self.lock_after or self.base_s <= 0 or self.lockout_s <= 0:
            raise ValueError("a throttle policy needs 0 <= free < lock_after and positive times")


@dataclass(frozen=True)
class Refusal:
    """Why a try is refused before any password check, and how many seconds until the next one may go ahead."""

    kind: str  # "wait", "locked" or "busy"
    retry_after_s: int
    message: str


def rough_origin(client: str) -> str:
    """An address as staff can read it without pinning one device: ``203.0.113.x`` or ``2001:db8:1:2::/64``."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return "an unknown address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return f"{ipaddress.ip_network(f'{address}/64', strict=False).network_address}/64"
    v4 = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else address
    return ".".join(str(v4).split(".")[:3]) + ".x"


def _in_words(seconds: float) -> str:
    if seconds < 90:
        n = max(1, math.ceil(seconds))
        return f"{n} second{'s' if n != 1 else ''}"
    n = math.ceil(seconds / 60)
    return f"{n} minutes"


class LoginThrottle:
    """Growing waits and address locks for failed logins; thread-safe, in memory, ``clock`` injectable."""

    def __init__(
        self, *, per_name: Policy | None = None, per_address: Policy | None = None,
        clock: Callable[[], float] = time.monotonic, max_remembered: int = 200,
    ) -> None:
        self.per_name = per_name or Policy(free=3, lock_after=10)
        self.per_address = per_address or Policy(free=10, lock_after=30)
        self._clock = clock
        self._max_remembered = max_remembered
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._locked_until: dict[tuple[str, ...], float] = {}
        self._since_success: dict[str, Counter[str]] = {}  # staff name -> rough origin -> failures
        self._lock = threading.Lock()
        self._pruned = clock()

    def _keys(self, name: str, client: str) -> list[tuple[tuple[str, ...], Policy]]:
        return [(("name", name, client), self.per_name), (("address", client), self.per_address)]

    def _recent(self, key: tuple[str, ...], policy: Policy, now: float) -> deque[float]:
        """The key's failures within the window (``lockout_s``), oldest first."""
        times = self._failures.get(key, deque())
        while times and now - times[0] >= policy.lockout_s:
            times.popleft()
        return times

    def _wait(self, key: tuple[str, ...], policy: Policy, now: float) -> tuple[str, float] | None:
        until = self._locked_until.get(key)
        if until is not None and now < until:
            return "locked", until - now
        times = self._recent(key, policy, now)
        n = len(times)
        if n >= policy.free:
            wait = min(policy.base_s * 2 ** (n - policy.free), policy.max_wait_s)
            if now < times[-1] + wait:
                return "wait", times[-1] + wait - now
        return None

    def check(self, name: str, client: str) -> Refusal | None:
        """A :class:`Refusal` if a try for ``name`` from ``client`` must not go ahead now, else None."""
        now = self._clock()
        worst: tuple[str, float] | None = None
        with self._lock:
            for key, policy in self._keys(name, client):
                found = self._wait(key, policy, now)
                if found and (worst is None or (found[0] == "locked", found[1]) > (worst[0] == "locked", worst[1])):
                    worst = found
        if worst is None:
            return None
        kind, seconds = worst
        if kind == "locked":
            return Refusal("locked", math.ceil(seconds), f"Too many failed logins from this address: it is locked "
                           f"out of the staff console for {_in_words(seconds)}. You can still log in from "
                           f"another network.")
        return Refusal("wait", math.ceil(seconds), f"Too many failed logins from this address: wait "
                       f"{_in_words(seconds)} before trying again.")

    def failed(self, name: str, client: str, *, staff: bool) -> None:
        """Count a wrong password (or an unknown name) for ``name`` from ``client``."""
        now = self._clock()
        with self._lock:
            for key, policy in self._keys(name, client):
                times = self._recent(key, policy, now)
                times.append(now)
                self._failures[key] = times
                if len(times) >= policy.lock_after:  # locked from now; its count starts again afterwards
                    self._locked_until[key] = now + policy.lockout_s
                    times.clear()
            if staff:
                origins = self._since_success.setdefault(name, Counter())
                if len(origins) < self._max_remembered or rough_origin(client) in origins:
                    origins[rough_origin(client)] += 1
                else:
                    origins["other addresses"] += 1
            if now - self._pruned > 60:
                self._prune(now)

    def succeeded(self, name: str, client: str) -> str | None:
        """Clear this address's failures for ``name``; return what to tell the staff member about the
        failures for their name since their last login (None if there were none)."""
        with self._lock:
            self._failures.pop(("name", name, client), None)
            origins = self._since_success.pop(name, None)
        if not origins:
            return None
        total = sum(origins.values())
        where = ", ".join(f"{n} from {origin}" for origin, n in origins.most_common(5))
        if len(origins) > 5:
            where += f" and {total - sum(n for _, n in origins.most_common(5))} from elsewhere"
        return (f"{total} failed login{'s' if total != 1 else ''} for your name since your last login ({where}). "
                f"If that wasn't you, tell whoever runs this server.")

    def _prune(self, now: float) -> None:
        """Forget keys with no failure left in their window, so a flood of random names can't grow memory."""
        longest = max(self.per_name.lockout_s, self.per_address.lockout_s)
        for key in [k for k, times in self._failures.items() if not times or now - times[-1] >= longest]:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
        self._pruned = now
