"""The limits: moving windows from the ``limits`` library, one count per key, in the storage chosen in one place."""

from __future__ import annotations

import pytest
from limits import RateLimitItemPerHour

from chatbot.ratelimit import Limits, RateLimiter, limit_storage
from chatbot.settings import Settings


def test_each_key_has_its_own_count_and_a_refusal_says_how_long_to_wait() -> None:
    limiter = RateLimiter(2)
    assert [limiter.wait_seconds("a"), limiter.wait_seconds("a")] == [0, 0]
    wait = limiter.wait_seconds("a")
    assert 1 <= wait <= 60
    assert limiter.wait_seconds("b") == 0
    assert limiter.per_minute == 2


def test_an_hourly_limit_asks_to_wait_up_to_an_hour() -> None:
    limiter = RateLimiter(item=RateLimitItemPerHour(1), name="booking")
    assert limiter.wait_seconds("client") == 0
    assert 60 < limiter.wait_seconds("client") <= 3600


def test_limits_from_settings_share_one_storage_but_not_their_counts() -> None:
    limits = Limits.from_settings(Settings(rate_limit_per_minute=1, client_rate_limit_per_minute=2,
                                           booking_limit_per_hour=3))
    assert (limits.session.item.amount, limits.client.item.amount, limits.booking.item.amount) == (1, 2, 3)
    assert limits.session.wait_seconds("x") == 0 and limits.session.wait_seconds("x") > 0
    assert limits.client.wait_seconds("x") == 0  # the same key under another limit counts apart


def test_the_storage_must_serve_the_synchronous_api() -> None:
    with pytest.raises(ValueError, match="synchronous"):
        limit_storage("async+memory://")
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert Settings(trusted_proxies="10.0.0.5, 10.1.0.0/16").trusted_proxies == ["10.0.0.5/32", "10.1.0.0/16"]
    with pytest.raises(ValueError, match="UPLIFTED_TRUSTED_PROXIES"):
        Settings(trusted_proxies="proxy.local")
    assert Settings().trusted_proxies == []
