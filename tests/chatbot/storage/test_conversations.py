from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatbot.privacy import Redactor
from chatbot.reply import Reply, Route, Source
from chatbot.settings import Settings
from chatbot.storage.conversations import MIGRATIONS, ConversationStore
from knowledge_base.sqlite import connect
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


def reply(session: str = "s1", reply_id: str = "r1", route: Route = Route.ANSWER, answer: str = "Ice helps.") -> Reply:
    return Reply(
        answer=answer, route=route, session=session, reply_id=reply_id, engine="extractive",
        sources=(Source(id="knee-ice", title="Icing a sore knee", url="https://uplifted.example/articles/knee-ice"),),
    )


def rows(store: ConversationStore, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]


def disk_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_settings_put_conversations_under_the_data_dir_with_a_retention_default(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "d")
    assert s.conversations_path == tmp_path / "d" / "conversations.sqlite"
    assert s.retention_days == 90
    with pytest.raises(ValueError, match="retention_days"):
        Settings(retention_days=0)


def test_a_turn_is_stored_as_a_patient_row_and_an_assistant_row(store: ConversationStore, clock: Clock) -> None:
    returned = store.record_turn("s1", "Should I ice my knee?", reply())
    assert returned == "r1"
    got = rows(store, "SELECT reply_id, session, role, text, route, sources, engine, created_at FROM messages ORDER BY id")
    stamp = T0.isoformat(timespec="microseconds")
    assert got[0] == ("r1", "s1", "patient", "Should I ice my knee?", "answer", "[]", None, stamp)
    assert got[1][:5] == ("r1", "s1", "assistant", "Ice helps.", "answer")
    assert json.loads(str(got[1][5])) == [
        {"id": "knee-ice", "title": "Icing a sore knee", "url": "https://uplifted.example/articles/knee-ice"}
    ]
    assert got[1][6:] == ("extractive", stamp)


def test_record_turn_redacts_again_whatever_the_caller_passed(store: ConversationStore) -> None:
    store.record_turn("s1", "I'm Jane Doe, call 555-123-4567", reply(answer="Thanks Jane, see jane@example.com"))
    texts = [r[0] for r in rows(store, "SELECT text FROM messages ORDER BY id")]
    assert texts == ["I'm [NAME], call [PHONE]", "Thanks [NAME], see [EMAIL]"]


def test_raw_personal_details_never_reach_any_file_under_the_data_dir(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raw = "call me at 555-123-4567, I'm Jane Doe, jane@example.com"
    secrets = [b"555-123-4567", b"4567", b"Jane", b"jane", b"Doe", b"example.com"]
    s = ConversationStore.open(settings.conversations_path, clock=clock)
    s.record_turn("s1", raw, Reply(answer="We will call you back.", route=Route.ANSWER, session="s1",
                                   reply_id="r1", detail=raw))
    s.add_feedback("r1", up=True)
    while_open = disk_bytes(settings.data_dir)
    assert any(name.endswith("-wal") for name in while_open)  # the check covers the write-ahead log too
    s.close()
    after_close = disk_bytes(settings.data_dir)
    for files in (while_open, after_close):
        everything = b"".join(files.values())
        assert b"[PHONE]" in everything and b"[NAME]" in everything and b"[EMAIL]" in everything
        for secret in secrets:
            leaks = [name for name, data in files.items() if secret in data]
            assert not leaks, f"{secret!r} found in {leaks}"
    assert all(secret.decode() not in caplog.text for secret in secrets)


def test_history_returns_the_latest_messages_oldest_first(store: ConversationStore, clock: Clock) -> None:
    for n in range(3):
        store.record_turn("s1", f"question {n}", reply(reply_id=f"r{n}", answer=f"answer {n}"))
        clock.advance(minutes=1)
    store.record_turn("s2", "someone else", reply(session="s2", reply_id="other"))
    assert store.history("s1", limit=3) == [("assistant", "answer 1"), ("patient", "question 2"), ("assistant", "answer 2")]
    assert len(store.history("s1")) == 6
    assert store.history("nobody") == []


def test_a_reply_without_an_id_gets_one_and_duplicates_are_refused(store: ConversationStore) -> None:
    new_id = store.record_turn("s1", "hi", reply(reply_id=""))
    assert len(new_id) == 32
    assert rows(store, "SELECT DISTINCT reply_id FROM messages") == [(new_id,)]
    store.record_turn("s1", "again", reply(reply_id="dup"))
    with pytest.raises(ValueError, match="already recorded"):
        store.record_turn("s1", "again", reply(reply_id="dup"))
    assert rows(store, "SELECT COUNT(*) FROM messages WHERE reply_id = 'dup'") == [(2,)]


def test_a_reply_from_another_session_is_refused(store: ConversationStore) -> None:
    with pytest.raises(ValueError, match="belongs to session 's2'"):
        store.record_turn("s1", "hi", reply(session="s2"))


@pytest.mark.parametrize("session", ["", "x" * 65, "has space", "../etc", "naïve", "a;DROP"])
def test_session_ids_are_validated(store: ConversationStore, session: str) -> None:
    with pytest.raises(ValueError, match="session id"):
        store.record_turn(session, "hi", reply(session=session))
    with pytest.raises(ValueError, match="session id"):
        store.request_booking(session, "Jane", "555-123-4567", "", consent=True)


def test_feedback_is_one_rating_per_reply_and_the_latest_wins(store: ConversationStore, clock: Clock) -> None:
    store.record_turn("s1", "q", reply())
    store.add_feedback("r1", up=True)
    clock.advance(minutes=5)
    store.add_feedback("r1", up=False)
    assert rows(store, "SELECT reply_id, rating, created_at FROM feedback") == [
        ("r1", -1, (T0 + timedelta(minutes=5)).isoformat(timespec="microseconds"))
    ]


def test_feedback_on_an_unknown_reply_is_a_key_error(store: ConversationStore) -> None:
    with pytest.raises(KeyError, match="no reply with id 'missing'"):
        store.add_feedback("missing", up=True)
    assert rows(store, "SELECT COUNT(*) FROM feedback") == [(0,)]


def test_route_counts_count_replies_not_questions(store: ConversationStore, clock: Clock) -> None:
    store.record_turn("s1", "q", reply(reply_id="a", route=Route.ANSWER))
    clock.advance(days=1)
    store.record_turn("s1", "q", reply(reply_id="b", route=Route.NO_MATCH))
    store.record_turn("s1", "q", reply(reply_id="c", route=Route.ANSWER))
    assert store.route_counts() == {"answer": 2, "no_match": 1}
    assert store.route_counts(since=T0 + timedelta(hours=1)) == {"answer": 1, "no_match": 1}
    assert store.route_counts()[Route.ANSWER] == 2


def test_unanswered_questions_are_one_query_away(store: ConversationStore) -> None:
    store.record_turn("s1", "What is dry needling?", reply(reply_id="a", route=Route.NO_MATCH))
    store.record_turn("s1", "Should I ice?", reply(reply_id="b"))
    store.record_turn("s1", "How long to rest?", reply(reply_id="c"))
    store.add_feedback("c", up=False)
    unanswered = rows(
        store,
        """SELECT m.text FROM messages m LEFT JOIN feedback f USING (reply_id)
           WHERE m.role = 'patient' AND (m.route = 'no_match' OR f.rating = -1) ORDER BY m.id""",
    )
    assert unanswered == [("What is dry needling?",), ("How long to rest?",)]


def test_a_booking_request_needs_consent(store: ConversationStore) -> None:
    with pytest.raises(ValueError, match="consent is required"):
        store.request_booking("s1", "Jane Doe", "555-123-4567", "mornings", consent=False)
    assert rows(store, "SELECT COUNT(*) FROM booking_requests") == [(0,)]
    with pytest.raises(sqlite3.IntegrityError):  # the schema refuses it too
        store.conn.execute(
            "INSERT INTO booking_requests (session, name, phone, consent, created_at) VALUES ('s1', 'x', '1', 0, 'now')"
        )


def test_a_booking_request_with_consent_keeps_name_and_phone(store: ConversationStore, clock: Clock) -> None:
    booking_id = store.request_booking("s1", "  Jane   Doe ", "+1 (555) 123-4567", "mornings, or jane@example.com", True)
    got = rows(store, "SELECT id, session, name, phone, note, consent, created_at, handled_at FROM booking_requests")
    assert got == [
        (booking_id, "s1", "Jane Doe", "+1 (555) 123-4567", "mornings, or [EMAIL]", 1,
         T0.isoformat(timespec="microseconds"), None)
    ]


@pytest.mark.parametrize(
    ("name", "phone", "note", "message"),
    [
        ("", "555-123-4567", "", "name is required"),
        ("   ", "555-123-4567", "", "name is required"),
        ("x" * 101, "555-123-4567", "", "name must be at most 100 characters"),
        ("Jane", "12345", "", "phone must have 7 to 15 digits"),
        ("Jane", "1234567890123456", "", "phone must have 7 to 15 digits"),
        ("Jane", "555-CALL-NOW", "", "phone must have 7 to 15 digits"),
        ("Jane", "555-123-4567", "x" * 501, "note must be at most 500 characters"),
    ],
)
def test_booking_details_are_validated(store: ConversationStore, name: str, phone: str, note: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        store.request_booking("s1", name, phone, note, consent=True)
    assert rows(store, "SELECT COUNT(*) FROM booking_requests") == [(0,)]


def test_booking_requests_are_newest_first_and_can_be_marked_handled(store: ConversationStore, clock: Clock) -> None:
    first = store.request_booking("s1", "Ann", "5550000001", "", consent=True)
    clock.advance(hours=1)
    second = store.request_booking("s2", "Bob", "5550000002", "", consent=True)
    assert [b.id for b in store.booking_requests()] == [second, first]
    clock.advance(hours=1)
    store.mark_handled(first, by="maria")
    handled_at = T0 + timedelta(hours=2)
    clock.advance(hours=1)
    store.mark_handled(first, by="ben")  # marking again keeps the first time and name
    by_id = {b.id: b for b in store.booking_requests()}
    assert by_id[first].handled and (by_id[first].handled_at, by_id[first].handled_by) == (handled_at, "maria")
    assert not by_id[second].handled and by_id[second].created_at == T0 + timedelta(hours=1)
    assert [b.id for b in store.booking_requests(include_handled=False)] == [second]
    with pytest.raises(KeyError, match="no booking request with id 999"):
        store.mark_handled(999)


def test_purge_deletes_sessions_whose_last_message_is_too_old(store: ConversationStore, clock: Clock) -> None:
    store.record_turn("old", "q", reply(session="old", reply_id="old-1"))
    store.record_turn("mixed", "q", reply(session="mixed", reply_id="mixed-1"))
    store.add_feedback("old-1", up=False)
    store.add_feedback("mixed-1", up=True)
    booking = store.request_booking("old", "Ann", "5550000001", "", consent=True)
    clock.advance(days=80)
    store.record_turn("mixed", "q", reply(session="mixed", reply_id="mixed-2"))
    clock.advance(days=20)  # "old" ended 100 days ago, "mixed" 20 days ago

    assert store.purge(older_than_days=90) == 1
    assert rows(store, "SELECT DISTINCT session FROM messages ORDER BY session") == [("mixed",)]
    assert rows(store, "SELECT COUNT(*) FROM messages") == [(4,)]  # mixed keeps its old turn too
    assert rows(store, "SELECT reply_id FROM feedback") == [("mixed-1",)]
    assert [b.id for b in store.booking_requests()] == [booking]  # bookings have their own purge
    assert store.purge(older_than_days=90) == 0


def test_purge_bookings_deletes_old_requests_only(store: ConversationStore, clock: Clock) -> None:
    store.request_booking("s1", "Ann", "5550000001", "", consent=True)
    clock.advance(days=40)
    recent = store.request_booking("s2", "Bob", "5550000002", "", consent=True)
    clock.advance(days=1)
    assert store.purge_bookings(older_than_days=30) == 1
    assert [b.id for b in store.booking_requests()] == [recent]
    with pytest.raises(ValueError, match="zero or more"):
        store.purge_bookings(-1)


def test_purged_text_does_not_linger_in_the_files(settings: Settings, clock: Clock) -> None:
    conn = connect(settings.conversations_path)
    conn.execute("PRAGMA secure_delete=OFF")  # the store must turn it on whatever SQLite's default
    s = ConversationStore(conn, clock=clock)
    s.record_turn("gone", "my zebrafish question", reply(session="gone", answer="a quokka answer"))
    s.request_booking("gone", "Wilhelmina", "5550000001", "", consent=True)
    clock.advance(days=100)
    s.record_turn("kept", "a kept question", reply(session="kept", reply_id="r2"))
    assert s.purge(90) == 1 and s.purge_bookings(90) == 1
    while_open = b"".join(disk_bytes(settings.data_dir).values())  # includes the -wal file
    s.close()
    after_close = b"".join(disk_bytes(settings.data_dir).values())
    for everything in (while_open, after_close):
        assert b"a kept question" in everything
        for gone in (b"zebrafish", b"quokka", b"Wilhelmina"):
            assert gone not in everything


def test_migrations_run_once_and_reopening_keeps_the_data(settings: Settings, clock: Clock) -> None:
    first = ConversationStore.open(settings.conversations_path, clock=clock)
    first.record_turn("s1", "q", reply())
    first.close()
    second = ConversationStore.open(settings.conversations_path, clock=clock)
    try:
        assert MIGRATIONS.apply(second.conn) == []
        assert rows(second, "SELECT name FROM _migrations") == [(n,) for n in MIGRATIONS.names]
        assert second.history("s1") == [("patient", "q"), ("assistant", "Ice helps.")]
    finally:
        second.close()


def test_a_custom_redactor_can_keep_the_clinic_phone(settings: Settings) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    store = ConversationStore(conn, redactor=Redactor(keep=["(555) 010-0000"]))
    store.record_turn("s1", "my cell is 555-123-4567", reply(answer="Call us on (555) 010-0000."))
    assert store.history("s1") == [("patient", "my cell is [PHONE]"), ("assistant", "Call us on (555) 010-0000.")]
    conn.close()


def test_a_booking_request_for_a_number_with_one_open_is_not_stored_again(store: ConversationStore, clock: Clock) -> None:
    first = store.request_booking("s1", "Ann", "555-000-0001", "", consent=True)
    assert store.request_booking("s2", "Ann B", "(555) 000 0001", "evenings", consent=True) == first  # same digits
    assert rows(store, "SELECT COUNT(*) FROM booking_requests") == [(1,)]
    other = store.request_booking("s1", "Ann", "555-000-0002", "", consent=True)
    assert other != first
    clock.advance(hours=25)  # an open request older than a day: asking again is a new request
    later = store.request_booking("s1", "Ann", "555-000-0001", "", consent=True)
    assert later not in (first, other)
    store.mark_handled(later, by="maria")  # handled: the next one is new too
    assert store.request_booking("s1", "Ann", "555-000-0001", "", consent=True) != later
    assert rows(store, "SELECT COUNT(*) FROM booking_requests") == [(4,)]


def test_refused_messages_are_counted_per_day_and_reason_without_their_text(store: ConversationStore,
                                                                            clock: Clock) -> None:
    store.count_refused("rate_limited")
    store.count_refused("rate_limited")
    store.count_refused("too_long")
    clock.advance(days=1)
    store.count_refused("rate_limited")
    assert store.refused_counts() == {"rate_limited": 3, "too_long": 1}
    assert store.refused_counts(since=clock.now.date()) == {"rate_limited": 1}
    assert rows(store, "SELECT day, reason, count FROM refused ORDER BY day, reason") == [
        ("2025-01-01", "rate_limited", 2), ("2025-01-01", "too_long", 1), ("2025-01-02", "rate_limited", 1)]
    assert rows(store, "SELECT COUNT(*) FROM messages") == [(0,)]
