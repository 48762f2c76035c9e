"""The kinds added for issue 11 (SSN, member IDs, Medicare, cards, bare and lower-case names, uncued
dates of birth), each with the look-alikes that must stay; and storage keeps only redacted text."""

from __future__ import annotations

import pytest

from chatbot.privacy import redact
from chatbot.reply import Reply, Route
from chatbot.settings import Settings
from chatbot.storage.conversations import ConversationStore

# (text, the identifier that must disappear, its kind)
FOUND = [
    ("my ssn is 512-38-4471 ok", "512-38-4471", "SSN"),
    ("social 602119834", "602119834", "SSN"),
    ("ssn.. 390.47.2216", "390.47.2216", "SSN"),
    ("last 4 of my social is 6612", "6612", "SSN"),
    ("member id XEH882910344 covers it?", "XEH882910344", "MEMBER_ID"),
    ("group number is 1100-4827", "1100-4827", "MEMBER_ID"),
    ("my id is wqt 5512 7789 on moms plan", "wqt 5512 7789", "MEMBER_ID"),
    ("claim #E77310459 was denied", "E77310459", "MEMBER_ID"),
    ("MRN: A00982211 from St. Vincent's", "A00982211", "MEMBER_ID"),
    ("Is 2GH9-KA3-RP46 enough?", "2GH9-KA3-RP46", "MEDICARE"),
    ("old medicare number 412-33-9081A", "412-33-9081A", "MEDICARE"),
    ("Medicaid ID 7734412096 for my son", "7734412096", "MEDICARE"),
    ("visa 4526 0181 5908 3012 please", "4526 0181 5908 3012", "CARD"),
    ("card 4661318609139090 exp 09/27 cvv 482", "09/27", "CARD"),
    ("card 4661318609139090 exp 09/27 cvv 482", "482", "CARD"),
    ("im sarah, which stretches?", "sarah", "NAME"),
    ("this is mike jones, can i switch", "jones", "NAME"),
    ("my son jake hurt his wrist", "jake", "NAME"),
    ("need to cancel\n- t. brooks", "brooks", "NAME"),
    ("thanks for the help!!\njen", "jen", "NAME"),
    ("I'm 67, 2/14/1957, and need PT", "2/14/1957", "DOB"),
    ("my son (06/02/2015) has flat feet", "06/02/2015", "DOB"),
]


@pytest.mark.parametrize(("text", "secret", "kind"), FOUND)
def test_new_kinds_are_redacted(text: str, secret: str, kind: str) -> None:
    result = redact(text)
    assert secret not in result.text
    assert kind in result.kinds


LOOK_ALIKES = [
    "did 3x10 squats on 12/3 and my knee swelled",
    "MRI showed a bulge at L4-L5 and L5-S1",
    "my blood pressure was 130/85 this morning",
    "taking ibuprofen 400mg twice a day",
    "I had surgery on 1/15/2024 and was told to wait",
    "Since March 3, 2024 my lower back hurts",
    "I hope the swelling goes down before June",
    "my Achilles is really tight in the mornings",
    "mark my words, this knee is going to be the death of me",
    "Is there a grace period if I'm late?",
    "CPT code 97110 and 97140 on my bill",
    "Between 2019-2020 I had three flare-ups",
    "What's the 30-30-30 rule the PT mentioned?",
    "the dr said it's just a sprain",
    "my PT said I have a positive Trendelenburg sign",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert redact(text).text == text


@pytest.fixture
def store(settings: Settings) -> ConversationStore:
    return ConversationStore.open(settings.conversations_path)


@pytest.mark.parametrize(("message", "secret"), [
    ("my ssn is 512-38-4471, does insurance cover PT?", "512-38-4471"),
    ("member id XEH882910344, do you take it?", "XEH882910344"),
    ("ok see u then\npatty", "patty"),
])
def test_the_conversation_store_keeps_only_redacted_text(store: ConversationStore, message: str, secret: str) -> None:
    store.record_turn("s1", message, Reply(answer="Thanks.", route=Route.ANSWER, session="s1", reply_id="r1",
                                           engine="extractive"))
    stored = [r[0] for r in store.conn.execute("SELECT text FROM messages")]
    assert stored and not any(secret in text for text in stored)


def test_a_booking_note_is_stored_redacted(store: ConversationStore) -> None:
    store.request_booking("s1", "Jane Doe", "555-123-4567", "my medicare is 3HK7-RW2-NT45, im sarah", consent=True)
    (booking,) = store.booking_requests()
    assert "3HK7-RW2-NT45" not in booking.note and "sarah" not in booking.note
    assert booking.name == "Jane Doe"  # the consented contact details are kept as given
