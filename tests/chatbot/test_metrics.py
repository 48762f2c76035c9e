"""What the chat counts, as staff and Prometheus read it."""

from __future__ import annotations

from datetime import UTC, datetime

from chatbot.metrics import Metrics
from chatbot.staff import render


def test_refusals_are_counted_by_reason_from_zero() -> None:
    metrics = Metrics()
    assert metrics.refusals() == {"rate_limited": 0, "too_long": 0, "booking_rate_limited": 0}
    metrics.refusal("too_long")
    metrics.refusal("rate_limited")
    metrics.refusal("rate_limited")
    assert metrics.refusals() == {"rate_limited": 2, "too_long": 1, "booking_rate_limited": 0}
    assert Metrics().refusals()["rate_limited"] == 0  # each server (each Metrics) counts its own


def test_staff_read_refusals_in_words() -> None:
    text = render.refusals({"rate_limited": 2, "too_long": 1, "booking_rate_limited": 0},
                           datetime(2026, 12, 2, 4, 5, tzinfo=UTC))
    assert "since this server started** (2026-12-02 04:05 UTC" in text
    assert "2 messages sent faster than the limit allows; 1 message too long to answer; 0 booking requests over the " \
           "hourly limit." in text
