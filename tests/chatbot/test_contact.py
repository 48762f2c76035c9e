"""A request to be called back: one plain message per wrong field, in the form's order."""

from __future__ import annotations

import pytest

from chatbot.contact import ContactRequestError, contact_problems, phone_problem


@pytest.mark.parametrize("phone", ["555 010 1234", "(555) 010-1234", "+1 555.010.1234", "0101234", "+44 20 7946 0000"])
def test_numbers_a_clinic_can_call(phone: str) -> None:
    assert phone_problem(phone) is None


@pytest.mark.parametrize(("phone", "says"), [
    ("", "Please enter your phone number."),
    ("   ", "Please enter your phone number."),
    ("call me", "7 to 15 digits"),
    ("555 010", "7 to 15 digits"),
    ("1234567890123456", "7 to 15 digits"),
    ("555-010-1234 ext 2", "7 to 15 digits"),
    ("555#010#1234", "7 to 15 digits"),
])
def test_numbers_that_are_not_a_phone_number_say_what_to_type(phone: str, says: str) -> None:
    assert says in (phone_problem(phone) or "")


def test_every_wrong_field_is_named_in_the_forms_order() -> None:
    problems = contact_problems("  ", "x", False, "n" * 501)
    assert list(problems) == ["name", "phone", "note", "consent"]
    assert problems["name"] == "Please enter your name."
    assert "tick this box" in problems["consent"]
    assert contact_problems("Ana Lopez", "555 010 1234", True, "mornings") == {}
    assert list(contact_problems("A" * 101, "555 010 1234", True)) == ["name"]


def test_only_a_ticked_box_is_consent() -> None:
    assert "consent" in contact_problems("Ana", "555 010 1234", "yes")  # type: ignore[arg-type]


def test_the_error_carries_each_problem() -> None:
    error = ContactRequestError({"phone": "Please enter your phone number."})
    assert isinstance(error, ValueError) and error.problems == {"phone": "Please enter your phone number."}
    assert str(error) == "Please enter your phone number."
