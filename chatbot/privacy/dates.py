"""Dates of birth: any date after a birth cue, and a full date (day, month and year) without one
unless an event comes just before it ("surgery on 1/15/2024", "since March 3, 2024", "onset: 3/2/2024").

A patient who types a whole date with a year about themselves or a child, with no event named,
is almost always giving a birth date ("I'm 67, 2/14/1957", "my son (06/02/2015)"); dates of
injury and appointments come with their event or without a year ("3x10 squats on 12/3").
"""

from __future__ import annotations

import re

from chatbot.privacy.base import Kind, Scrubber

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\.?"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_FULL = (
    rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})|\d{{4}}[/.\-]\d{{1,2}}[/.\-]\d{{1,2}}"
    rf"|{_MONTH}\s+{_ORD},?\s+\d{{4}}|{_ORD}\s+(?:of\s+|de\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}})"
)
_DATE = (
    rf"(?:{_FULL}|{_MONTH}\s+{_ORD}|{_ORD}\s+(?:of\s+|de\s+)?{_MONTH}"
    rf"|\d{{1,2}}[/.\-]\d{{1,2}}|(?<=in\s)(?:{_MONTH}\s+)?\d{{4}})"
)
_CUE = (
    r"\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b|\bb-?day\b|\bborn\b|\bb\."
    r"|\bfecha\s+de\s+nacimiento\b|\bnaci[óo]\b(?:\s+el)?|\bnacid[oa]\b(?:\s+el)?|\bcumpleaños\b"
)
_DOB = re.compile(
    rf"(?i)(?P<cue>{_CUE})"
    rf"(?P<gap>(?:\s*(?:is|was|on|in|=|:|-|,|es|el|its|it's)\s*){{0,3}}|\s+)"
    rf"(?P<date>{_DATE})(?![\w/])"
)
_UNCUED = re.compile(rf"(?i)(?<![\w/.\-])(?P<date>{_FULL})(?![\w/]|[.\-]\d)")
# An event named just before a date makes it that event's date, not a birth date.
_EVENT = re.compile(
    r"(?i)\b(?:on|since|from|until|till|through|thru|by|dated?|surgery|surgeries|operated|operaron|operation|injury"
    r"|injured|hurt|fell|fall|accident|onset|started|began|happened|appt|appointment|visit|cita|invoice|bill|billed"
    r"|charged|paid|payment|seen|saw|service|dos|doi|desde|el|effective|expires?|exp|follow[\s\-]*up|scheduled"
    r"|due|after|before|part\s+[abcd]|last|next|ago|replaced|replacement|repair|fracture|broke)\b[^\n.;]{0,12}$"
)


def redact_dob(text: str, s: Scrubber) -> str:
    text = s.sub(_DOB, Kind.DOB, text, group="date")

    def birth(m: re.Match[str]) -> bool:
        parts = [int(p) for p in re.split(r"[/.\-]", m.group("date")) if p.isdigit()]
        if len(parts) == 3 and parts[0] < 100 and not (min(parts[:2]) <= 12 and max(parts[:2]) <= 31):
            return False  # "the 30-30-30 rule" is no date
        return _EVENT.search(m.string[max(0, m.start() - 40) : m.start()]) is None

    return s.sub(_UNCUED, Kind.DOB, text, group="date", accept=birth)
