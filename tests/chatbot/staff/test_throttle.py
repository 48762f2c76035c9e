"""Failed logins slow down and lock the address they come from, never a staff name from everywhere."""

from __future__ import annotations

import pytest

from chatbot.staff.throttle import LoginThrottle, Policy, rough_origin

ATTACKER, STAFF_DESK, OTHER = "203.0.113.7", "198.51.100.20", "192.0.2.9"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(per_name=Policy(free=3, lock_after=6, base_s=2, lockout_s=900),
                         per_address=Policy(free=8, lock_after=12, base_s=1, lockout_s=600), clock=clock)


def test_waits_grow_then_only_the_attacking_address_is_locked_for_that_name() -> None:
    clock = Clock()
    guard = throttle(clock)
    for _ in range(3):  # free tries
        assert guard.check("maria", ATTACKER) is None
        guard.failed("maria", ATTACKER, staff=True)
    waits = []
    for _ in range(3):
        refusal = guard.check("maria", ATTACKER)
        assert refusal is not None and refusal.kind == "wait" and "from this address" in refusal.message
        waits.append(refusal.retry_after_s)
        clock.now += refusal.retry_after_s
        assert guard.check("maria", ATTACKER) is None
        guard.failed("maria", ATTACKER, staff=True)
    assert waits == [2, 4, 8]
    locked = guard.check("maria", ATTACKER)
    assert locked is not None and locked.kind == "locked" and "15 minutes" in locked.message
    assert "another network" in locked.message
    # The same name from anywhere else, and another name from the attacker, are untouched.
    assert guard.check("maria", STAFF_DESK) is None and guard.check("ben", ATTACKER) is None
    clock.now += 899
    assert guard.check("maria", ATTACKER) is not None
    clock.now += 60
    assert guard.check("maria", ATTACKER) is None


def test_many_names_from_one_address_lock_that_address_only() -> None:
    clock = Clock()
    guard = throttle(clock)
    for i in range(12):
        clock.now += 30  # slow enough that no wait applies before the limit
        assert guard.check(f"guess{i}", ATTACKER) is None
        guard.failed(f"guess{i}", ATTACKER, staff=False)
    refusal = guard.check("maria", ATTACKER)
    assert refusal is not None and refusal.kind == "locked" and "10 minutes" in refusal.message
    assert guard.check("maria", OTHER) is None


def test_the_staff_member_hears_of_failures_for_their_name_once() -> None:
    clock = Clock()
    guard = throttle(clock)
    assert guard.succeeded("maria", STAFF_DESK) is None
    for client in [ATTACKER, ATTACKER, "203.0.113.99", OTHER]:
        guard.failed("maria", client, staff=True)
    guard.failed("nobody", ATTACKER, staff=False)
    notice = guard.succeeded("maria", STAFF_DESK)
    assert notice is not None
    assert notice.startswith("4 failed logins for your name since your last login")
    assert "3 from 203.0.113.x" in notice and "1 from 192.0.2.x" in notice and ATTACKER not in notice
    assert guard.succeeded("maria", STAFF_DESK) is None


def test_a_success_clears_that_address_for_that_name() -> None:
    clock = Clock()
    guard = throttle(clock)
    for _ in range(3):
        guard.failed("maria", STAFF_DESK, staff=True)
    assert guard.check("maria", STAFF_DESK) is not None
    guard.succeeded("maria", STAFF_DESK)
    assert guard.check("maria", STAFF_DESK) is None


def test_rough_origins_and_policy_checks() -> None:
    assert rough_origin("203.0.113.7") == "203.0.113.x"
    assert rough_origin("::ffff:203.0.113.7") == "203.0.113.x"
    assert rough_origin("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert rough_origin("testclient") == "an unknown address"
    with pytest.raises(ValueError):
        Policy(free=5, lock_after=5)
