from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from chatbot.reply import Reply, Route
from chatbot.retention import Purged, RetentionJob, purge
from chatbot.settings import Settings
from chatbot.storage.conversations import ConversationStore
from tests.conftest import Clock

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(settings: Settings, clock: Clock) -> Iterator[ConversationStore]:
    s = ConversationStore.open(settings.conversations_path, clock=clock)
    yield s
    s.close()


def turn(store: ConversationStore, session: str) -> None:
    store.record_turn(session, "does ice help?", Reply(answer="Ice helps.", route=Route.ANSWER, session=session,
                                                       reply_id=f"r-{session}", engine="extractive"))


def test_booking_retention_defaults_to_30_days_and_must_be_positive() -> None:
    assert Settings().booking_retention_days == 30
    with pytest.raises(ValueError, match="booking_retention_days"):
        Settings(booking_retention_days=0)


def test_purge_removes_old_conversations_and_bookings_by_their_own_settings(
    store: ConversationStore, settings: Settings, clock: Clock
) -> None:
    turn(store, "old")
    store.request_booking("old", "Jane Doe", "555-123-4567", "knee", consent=True)
    clock.advance(days=31)
    turn(store, "recent")
    assert purge(store, settings) == Purged(conversations=0, bookings=1)
    clock.advance(days=60)
    done = purge(store, settings)
    assert (done.conversations, done.bookings) == (1, 0)
    assert {r[0] for r in store.conn.execute("SELECT session FROM messages")} == {"recent"}


def test_the_job_purges_at_once_and_again_each_interval(store: ConversationStore, settings: Settings,
                                                        clock: Clock) -> None:
    store.request_booking("s1", "Jane Doe", "555-123-4567", "knee", consent=True)
    job = RetentionJob(store, settings, interval_s=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while job.runs < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert store.booking_requests() != []  # not yet 30 days old
        clock.advance(days=31)
        runs = job.runs
        while (job.runs <= runs or store.booking_requests()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert store.booking_requests() == []
    finally:
        job.stop()
    with pytest.raises(ValueError):
        RetentionJob(store, settings, interval_s=0)


def test_uplifted_purge_says_how_much_it_removed(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    old = Clock(datetime(2000, 1, 1, tzinfo=UTC))
    s = ConversationStore.open(settings.conversations_path, clock=old)
    turn(s, "old")
    s.request_booking("old", "Jane Doe", "555-123-4567", "knee", consent=True)
    s.close()
    monkeypatch.setenv("UPLIFTED_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 conversations" in result.output and "1 booking requests" in result.output
    again = CliRunner().invoke(app, ["purge"])
    assert "Deleted 0 conversations" in again.output
