"""A patient's request to be called back: what each field must hold, with one plain message per field.

``contact_problems(...)`` is pure and used by ``Assistant.request_booking`` before anything is stored (the
conversation store checks again, as the last line). The page shows each message beside its field.
"""

from __future__ import annotations

import re

from chatbot.storage.conversations import MAX_NAME, MAX_NOTE

FIELDS = ("name", "phone", "note", "consent")  # in the order the form shows them
PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]+")
MIN_DIGITS, MAX_DIGITS = 7, 15  # a local number without area code, up to E.164's longest


class ContactRequestError(ValueError):
    """A request that can't be stored; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


def phone_problem(phone: str) -> str | None:
    """Why ``phone`` is not a number the clinic can call, or None."""
    text = phone.strip()
    if not text:
        return "Please enter your phone number."
    digits = sum(c.isdigit() for c in text)
    if not PHONE_CHARS.fullmatch(text) or not MIN_DIGITS <= digits <= MAX_DIGITS:
        return (f"Please enter a phone number we can call: {MIN_DIGITS} to {MAX_DIGITS} digits, "
                "like (555) 010-0000 (spaces, +, -, dots and brackets are fine).")
    return None


def contact_problems(name: str, phone: str, consent: bool, note: str = "") -> dict[str, str]:
    """Every field that is wrong, with what to do about it, in the form's order; empty when it can be stored."""
    problems: dict[str, str] = {}
    clean_name = " ".join((name or "").split())
    if not clean_name:
        problems["name"] = "Please enter your name."
    elif len(clean_name) > MAX_NAME:
        problems["name"] = f"Please shorten your name to at most {MAX_NAME} characters."
    wrong_phone = phone_problem(phone or "")
    if wrong_phone:
        problems["phone"] = wrong_phone
    if len(" ".join((note or "").split())) > MAX_NOTE:
        problems["note"] = f"Please shorten this to at most {MAX_NOTE} characters."
    if consent is not True:
        problems["consent"] = "Please tick this box so we may keep your name and number to call you."
    return problems
