"""Emails and phone numbers, including the spelled-out forms patients use to dodge bots."""

from __future__ import annotations

import re

from chatbot.privacy.base import Kind, Scrubber

EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# "mike dot farrow at gmail dot com"
_SPELLED_EMAIL = re.compile(
    r"(?i)\b[\w.+-]+(?:\s+dot\s+[\w+-]+)*\s+(?:at|\(at\)|\[at\])\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+"
    r"(?:com|net|org|edu|gov|co|us|uk|ca|mx|io|info)\b"
)

_SEP = r"[ .\-]?"
_EXT = r"(?:\s*(?:ext\.?|x|extension)\s*\d{1,5}\b)?"
PHONES = [
    # international: +44 20 7946 0958, +1 (555) 123-4567, 011 52 33 3612 4455
    re.compile(rf"(?<![\w+])(?:\+|011[ .\-]?)\d{{1,3}}(?:{_SEP}(?:\(\d{{1,5}}\)|\d{{1,5}})){{1,6}}(?![\w/]){_EXT}"),
    # North American: 555-123-4567, (555) 123 4567, 1-800-555-1234, 5551234567, (214).555.0168
    re.compile(
        rf"(?<![\w+/.\-])(?:1{_SEP})?(?:\(\d{{3}}\)[ .\-]?|\d{{3}}{_SEP})\d{{3}}{_SEP}\d{{4}}(?![\w/]|[.\-]\d){_EXT}"
    ),
    # national trunk prefix: 020 7946 0958, 07700 900123, 07700 900 812
    re.compile(r"(?<![\w+/.\-])0\d{2,4}[ .\-]?\d{3,4}[ .\-]?\d{3,4}(?![\w/]|[.\-]\d)"),
    # long runs of digits, odd groupings of ten (630 5550 144) and 7-digit local numbers: 555-1234
    re.compile(
        r"(?<![\w+/.\-])(?:\d{10,13}|\d{3}-\d{4}|\d{3} \d{4} \d{3}|\d{3} \d{3} \d{2} \d{2})(?![\w/]|[.\-]\d)"
    ),
]
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_SPELLED_PHONE = re.compile(rf"(?i)\b{_DIGIT_WORD}(?:[\s,\-]+{_DIGIT_WORD}){{6,14}}\b")


def _phone_ok(match: re.Match[str]) -> bool:
    return 7 <= sum(c.isdigit() for c in match.group()) <= 18


def redact_email(text: str, s: Scrubber) -> str:
    text = s.sub(EMAIL, Kind.EMAIL, text)
    return s.sub(_SPELLED_EMAIL, Kind.EMAIL, text)


def redact_phone(text: str, s: Scrubber) -> str:
    for pattern in PHONES:
        text = s.sub(pattern, Kind.PHONE, text, accept=_phone_ok)
    return s.sub(_SPELLED_PHONE, Kind.PHONE, text)
