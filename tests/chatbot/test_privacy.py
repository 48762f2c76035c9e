from __future__ import annotations

import pytest

from chatbot.privacy import Kind, Redactor, redact

# (text, the personal detail that must disappear, what it becomes)
POSITIVES = [
    # phones
    ("call 555-123-4567 please", "555-123-4567", "call [PHONE] please"),
    ("my number is (555) 123 4567.", "(555) 123 4567", "my number is [PHONE]."),
    ("reach me on +1 555 123 4567", "+1 555 123 4567", "reach me on [PHONE]"),
    ("text 5551234567 anytime", "5551234567", "text [PHONE] anytime"),
    ("UK mobile +44 20 7946 0958 ok", "+44 20 7946 0958", "UK mobile [PHONE] ok"),
    ("or 555.123.4567", "555.123.4567", "or [PHONE]"),
    ("toll free 1-800-555-1234", "1-800-555-1234", "toll free [PHONE]"),
    ("home: 020 7946 0958", "020 7946 0958", "home: [PHONE]"),
    ("+1 (555) 123-4567 is my cell", "+1 (555) 123-4567", "[PHONE] is my cell"),
    ("extension 555-1234", "555-1234", "extension [PHONE]"),
    # emails
    ("email jane@example.com thanks", "jane@example.com", "email [EMAIL] thanks"),
    ("j.doe+pt@mail.example.co.uk", "j.doe+pt@mail.example.co.uk", "[EMAIL]"),
    # addresses
    ("I live at 123 Main Street", "123 Main Street", "I live at [ADDRESS]"),
    ("42 Oak Ave Apt 5 is my place", "42 Oak Ave Apt 5", "[ADDRESS] is my place"),
    ("at 1600 Pennsylvania Avenue NW now", "1600 Pennsylvania Avenue NW", "at [ADDRESS] now"),
    ("send it to 9 elm rd, please", "9 elm rd", "send it to [ADDRESS], please"),
    ("77 Sunset Blvd, Springfield, IL 62704", "62704", "[ADDRESS], Springfield, IL [ADDRESS]"),
    ("mail to PO Box 123", "PO Box 123", "mail to [ADDRESS]"),
    # dates of birth
    ("DOB 03/14/1985", "03/14/1985", "DOB [DOB]"),
    ("I was born on March 14, 1985.", "March 14, 1985", "I was born on [DOB]."),
    ("date of birth: 1985-03-14", "1985-03-14", "date of birth: [DOB]"),
    ("my birthday is 3/14/85", "3/14/85", "my birthday is [DOB]"),
    ("D.O.B.: 14 March 1985", "14 March 1985", "D.O.B.: [DOB]"),
    ("born 14th of March 1985 in Ohio", "14th of March 1985", "born [DOB] in Ohio"),
    ("my birthdate is 1985/3/14", "1985/3/14", "my birthdate is [DOB]"),
    # names
    ("my name is Jane Doe", "Jane Doe", "my name is [NAME]"),
    ("my name is jane doe and my knee hurts", "jane doe", "my name is [NAME] and my knee hurts"),
    ("Hi, I'm Jane", "Jane", "Hi, I'm [NAME]"),
    ("I am Jane Doe, a runner", "Jane Doe", "I am [NAME], a runner"),
    ("Hello this is John Smith", "John Smith", "Hello this is [NAME]"),
    ("please call me Sam", "Sam", "please call me [NAME]"),
    ("name: Jane Doe", "Jane Doe", "name: [NAME]"),
    ("My son's name is Tom", "Tom", "My son's name is [NAME]"),
    ("I’m José Álvarez", "José Álvarez", "I’m [NAME]"),
    ("I'm Mary-Jane O'Brien", "Mary-Jane O'Brien", "I'm [NAME]"),
    ("Does ice help? Thanks, Maria Lopez", "Maria Lopez", "Does ice help? Thanks, [NAME]"),
    ("Is heat better?\nBest,\nJane", "Jane", "Is heat better?\nBest,\n[NAME]"),
    ("What about stairs? -- Sam", "Sam", "What about stairs? -- [NAME]"),
    ("Thank you, Dr Patel!", "Patel", "Thank you, Dr [NAME]!"),
    ("I'm seeing Dr Patel next week", "Patel", "I'm seeing Dr [NAME] next week"),
]


@pytest.mark.parametrize(("text", "secret", "expected"), POSITIVES)
def test_personal_details_are_replaced_by_placeholders(text: str, secret: str, expected: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert secret not in result.text
    kind = expected[expected.index("[") + 1 : expected.index("]")]
    assert result.kinds == (kind,)


NEGATIVES = [
    "I'm 45 and my knee hurts",
    "I'm sore after 2 sets",
    "I'm in pain",
    "I'm worried about my hip flexor",
    "I'm tired, I'm fine, I'm not sure",
    "I'm Sore and I'm Not Sure",
    "I am Doing better this week",
    "It started 3 weeks ago",
    "Hold it for 10 minutes",
    "Do 2 sets of 10 reps, 3 times a day",
    "My hip flexor and hamstring are tight",
    "My knee has hurt since March 3",
    "Since March 3, 2024 my lower back hurts",
    "I had surgery on 03/14/2015",
    "I walk 2 miles down the road",
    "It's a 10 min drive",
    "Walk 2 blocks up the street and back, 3 times each way",
    "I live 5 minutes from Main Street",
    "My blood pressure is 120/80 and pain is 7/10",
    "Between 2019-2020 I had three flare-ups",
    "I did 1000 squats and 15000 steps",
    "Call me back tomorrow please",
    "Is this Achilles tendinitis? This is Normal?",
    "Thanks, Doctor",
    "Thank you so much!",
    "Thanks, have a great day",
    "My birthday is next week, can I still run?",
    "I was born with flat feet",
    "Take 400 mg ibuprofen 3x a day",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_clinic_talk_is_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.kinds == ()
    assert not result.found


def test_a_message_with_everything_redacts_each_kind() -> None:
    text = (
        "Hi, this is Jane Doe, DOB 3/14/85. I live at 42 Oak Ave Apt 5 and my number is 555-123-4567 "
        "or jane.doe@example.com. Jane's left knee hurts since March 3."
    )
    result = redact(text)
    assert result.text == (
        "Hi, this is [NAME], DOB [DOB]. I live at [ADDRESS] and my number is [PHONE] "
        "or [EMAIL]. [NAME]'s left knee hurts since March 3."
    )
    assert set(result.kinds) == {"NAME", "DOB", "ADDRESS", "PHONE", "EMAIL"}
    assert len(result.kinds) == 5


def test_a_name_once_introduced_is_redacted_everywhere_in_the_message() -> None:
    result = redact("I'm Priya. My physio told Priya to rest, and priya agreed")
    assert "Priya" not in result.text
    assert result.text.count("[NAME]") == 3  # a name rare in English is redacted in lower case too


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact("call me at 555-123-4567, I'm Jane Doe, jane@example.com")
    assert once.text == "call me at [PHONE], I'm [NAME], [EMAIL]"
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.kinds == ()


def test_kept_values_such_as_the_clinic_phone_are_not_redacted() -> None:
    redactor = Redactor(keep=["(555) 010-0000"])
    text = "Call the clinic on 555-010-0000 or (555) 010-0000, or me on 555-123-4567"
    result = redactor.redact(text)
    assert result.text == "Call the clinic on 555-010-0000 or (555) 010-0000, or me on [PHONE]"
    assert result.kinds == ("PHONE",)
    many = " ".join(["(555) 010-0000"] * 25)
    assert redactor.redact(many).text == many


def test_kept_names_are_not_redacted() -> None:
    result = Redactor(keep=["Uplifted Physical Therapy", "Sam"]).redact("this is Sam from Uplifted Physical Therapy")
    assert result.text == "this is Sam from Uplifted Physical Therapy"


def test_kinds_are_plain_strings_matching_the_placeholders() -> None:
    assert [k.placeholder for k in Kind] == [
        "[EMAIL]", "[PHONE]", "[DOB]", "[ADDRESS]", "[NAME]", "[SSN]", "[MEMBER_ID]", "[MEDICARE]", "[CARD]"
    ]
    assert redact("jane@example.com").kinds == ("EMAIL",)


