"""Street addresses, PO and rural boxes, units and ZIP codes.

A number followed by up to four words and a street suffix ("42 Oak Ave Apt 5"), unless one of
the words says the number counts something ("2 miles down the road"); a ZIP only where it is
plainly part of an address (after a state or a street, or after "zip:").
"""

from __future__ import annotations

import re

from chatbot.privacy.base import LO, UP, Kind, Scrubber, words

_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|crescent|cres|square|sq|close)\b\.?"
)
_DIRECTION = r"(?:[NSEW]|N\.?[EW]\.?|S\.?[EW]\.?|north|south|east|west|northeast|northwest|southeast|southwest)\b\.?"
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|flat|bldg|building|#)\.?\s*#?[A-Za-z0-9\-]+)"
_ADDRESS = re.compile(
    rf"(?<![\w/.\-])\d{{1,6}}[A-Za-z]?(?i:(?:\s+{_DIRECTION})?"
    rf"(?P<words>(?:\s+(?:\d{{1,3}}(?:st|nd|rd|th)|[a-z][a-z'’\-]*)){{1,4}})\s+{_SUFFIX}(?:\s+\d{{1,5}}\b)?"
    rf"(?:\s+{_DIRECTION})?{_UNIT}*)"
)
# "1509 n kenmore unit 2r": no suffix, but a unit says it is an address
_UNIT_ADDRESS = re.compile(
    rf"(?<![\w/.\-])\d{{1,6}}(?i:(?:\s+{_DIRECTION})?(?P<words>(?:\s+[a-z][a-z'’\-]*){{1,3}}){_UNIT}+)"
)
_BOX = re.compile(r"(?i)\b(?:p\.?\s*o\.?|rr|hc|rural\s+route)\s*\d*\s+box\s+\d+\b")
_UNIT_ALONE = re.compile(r"(?i)\b(?:apt|apartment|unit|suite|ste|bldg|building)\.?\s*#?[A-Za-z]?\d{1,4}[A-Za-z]?\b")
_SPANISH = re.compile(
    rf"(?i)\b(?:calle|avenida|av\.|calzada|privada|camino)\s+[{UP}{LO}]+(?:\s+[{UP}{LO}]+)?\s+\d{{1,5}}\b"
    rf"(?:\s*,\s*(?:colonia|col\.)\s+[{UP}{LO}]+(?:\s+[{UP}][{LO}]+)?)?"
)
_ZIPS = [
    re.compile(r"(?<![\w\-])[A-Z]{2},?\s+(?P<zip>\d{5}(?:-\d{4})?)(?![\w\-])"),  # OH 45410
    re.compile(r"(?i)\b(?:zip(?:\s*code)?\s*(?::|is|es)|c\.?\s*p\.?|postal\s+code\s*:?)\s*(?P<zip>\d{5}(?:-\d{4})?)\b"),
    # after a street: "[ADDRESS], Chicago 60623", "[ADDRESS]\nSpringfield, IL 62704"
    re.compile(rf"\[ADDRESS\][,\s]+(?:[{UP}][{LO}]+[\s,]+){{0,3}}(?:[A-Z]{{2}}\s+)?(?P<zip>\d{{5}}(?:-\d{{4}})?)\b"),
]
# Words that mean a number counts something ("2 miles down the road", "10 min drive").
_NOT_STREET = words(
    """the a an my your his her our their this that these those of on in at to for from by with down up
    along across around over under into onto each every per and or but then more less same other another
    min mins minute minutes hr hrs hour hours sec secs second seconds day days week weeks month months year
    years mile miles km kms block blocks rep reps set sets time times step steps lb lbs pound pounds kg kgs
    degree degrees percent foot feet ft inch inches meter meters metre metres yard yards floor floors stair
    stairs flight flights lap laps session sessions visit visits long short far different whole units"""
)


def _street(m: re.Match[str]) -> bool:
    return not any(w.lower() in _NOT_STREET for w in m.group("words").split())


def redact_address(text: str, s: Scrubber) -> str:
    text = s.sub(_ADDRESS, Kind.ADDRESS, text, accept=_street)
    text = s.sub(_UNIT_ADDRESS, Kind.ADDRESS, text, accept=_street)
    text = s.sub(_BOX, Kind.ADDRESS, text)
    text = s.sub(_SPANISH, Kind.ADDRESS, text)
    text = s.sub(_UNIT_ALONE, Kind.ADDRESS, text)
    for pattern in _ZIPS:
        text = s.sub(pattern, Kind.ADDRESS, text, group="zip")
    return text
