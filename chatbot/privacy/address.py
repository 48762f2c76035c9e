"""Street addresses, PO and rural boxes, units and ZIP codes.

A number followed by up to four words and a street suffix ("42 Oak Ave Apt 5"), unless one of
the words says the number counts something ("2 miles down the road"); a ZIP only where it is
plainly part of an address (after a state or a street, or after "zip:").
"""

from __future__ import annotations

import re

from chatbot.privacy.base import LO, UP, Kind, Scrubber, words
from chatbot.privacy.lexicon import STATE_NAMES

_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|crescent|cres|square|sq|close|quay|row|mews|grove"
    r"|heights|hts|ridge|pike|alley|loop|bend|crossing|xing|cove|glen|wharf|esplanade|promenade|gardens|point"
    r"|view|hill|park|walk|plaza|plz|expressway|expy|freeway|fwy|turnpike|tpke)\b\.?"
)
_DIRECTION = r"(?:[NSEW]|N\.?[EW]\.?|S\.?[EW]\.?|north|south|east|west|northeast|northwest|southeast|southwest)\b\.?"
_UNIT_WORD = (
    r"(?:apt|apartment|unit|suite|ste|flat|bldg|building|lot|pmb|ph|penthouse|fl|floor|rm|room|spc|space|trlr|box)"
)
_UNIT = (
    r"(?:,?\s*(?:(?:apt|apartment|unit|suite|ste|flat|bldg|building|#)\.?\s*#?[A-Za-z0-9\-]+"
    rf"|{_UNIT_WORD}\.?\s*#?[A-Za-z0-9\-]*\d[A-Za-z0-9\-]*))"
)
_ADDRESS = re.compile(
    rf"(?<![\w/.\-])\d{{1,6}}(?:-\d{{1,5}})?[A-Za-z]?(?i:(?:\s+{_DIRECTION})?"
    rf"(?P<words>(?:\s+(?:\d{{1,3}}(?:st|nd|rd|th)|[a-z][a-z'’\-]*)){{1,4}})\s+{_SUFFIX}(?:\s+\d{{1,5}}\b)?"
    rf"(?:\s+{_DIRECTION})?{_UNIT}*)"
)
# "1509 n kenmore unit 2r": no suffix, but a unit says it is an address
_UNIT_ADDRESS = re.compile(
    rf"(?<![\w/.\-])\d{{1,6}}(?i:(?:\s+{_DIRECTION})?(?P<words>(?:\s+[a-z][a-z'’\-]*){{1,3}}){_UNIT}+)"
)
_BOX = re.compile(
    r"(?i)\b(?:p\.?\s*o\.?|post\s+office|rr|hc|rural\s+route|apartado(?:\s+postal)?)\s*\d*\s+box\s+\d+[A-Za-z]?\b"
    r"|\b(?:rr|rural\s+route)\s*\d+\b|\bapartado(?:\s+postal)?\s+\d+\b"
)
# a road by number: "1450 Route 9W", "3015 Hwy 101 N", "8800 State Hwy 7", "12 County Road 40"
_ROUTE = re.compile(
    rf"(?<![\w/.\-])\d{{1,6}}(?i:\s+(?:(?:state|us|county|farm\s+to\s+market|fm)\s+)?(?:route|rte|highway|hwy|road|rd"
    rf"|cr|sr|fm)\s+\d{{1,4}}[A-Za-z]?\b(?:\s+{_DIRECTION})?{_UNIT}*)"
    rf"|(?<![\w/.\-])\d{{1,6}}(?:-\d{{1,5}})?\s+Broadway\b(?i:(?:\s+{_DIRECTION})?{_UNIT}*)"
)
# streets named first: "Rue des Lilas", "Via Roma 22", "Carrera 7 # 45-10", "5 Rue des Lilas", "Hauptstraße 5"
_NAMED_FIRST = (
    r"(?:rue|via|viale|piazza|calle|avenida|av\.|avda\.?|calzada|privada|camino|carrera|cra\.?|diagonal"
    r"|transversal|rua|travessa|paseo|plaza|boulevard|chemin|allée|place|strada|corso)"
)
_FOREIGN = re.compile(
    rf"(?i)(?<![\w/.\-])\d{{1,5}}[a-z]?,?\s+{_NAMED_FIRST}\s+(?:(?:de|del|des|de\s+la|du|la|le|los|las|di|della|da|do)\s+)?"
    rf"[{UP}{LO}][{LO}\-']+(?:\s+[{UP}][{LO}\-']+)?"
    rf"|\b{_NAMED_FIRST}\s+(?:(?:de|del|des|de\s+la|du|la|le|di|della|da|do)\s+)?[{UP}{LO}][{LO}\-']+"
    rf"(?:\s+[{UP}][{LO}\-']+)?,?\s+(?:no\.?\s*|n[º°]\s*)?\d{{1,5}}[a-z]?\b(?:\s*(?:#|no\.?|n[º°])\s*\d+[a-z]?(?:-\d+)?)?"
    rf"|\b(?:carrera|cra\.?|calle|cl\.?|diagonal|transversal|avenida)\s+\d+[a-z]?\s*(?:#|no\.?|n[º°])\s*\d+[a-z]?-\d+\b"
    rf"|\b[{UP}][{LO}]+(?:stra(?:ss|ß)e|weg|gasse|platz|allee)\s+\d{{1,4}}[a-z]?\b"
)
_UNIT_ALONE = re.compile(r"(?i)\b(?:apt|apartment|unit|suite|ste|bldg|building|pmb)\.?\s*#?[A-Za-z]?\d{1,4}[A-Za-z]?\b")
# a unit, lot or box written next to a street already taken: "Lot 37, [ADDRESS]", "[ADDRESS], Box 6"
_NEXT_TO = [
    re.compile(rf"(?i)\b(?P<unit>{_UNIT_WORD}\.?\s*#?[A-Za-z0-9\-]*\d[A-Za-z0-9\-]*)(?=\s*,?\s*\[ADDRESS\])"),
    re.compile(rf"(?i)\[ADDRESS\]\s*,?\s*(?P<unit>(?:{_UNIT_WORD}|\#)\.?\s*#?[A-Za-z0-9\-]*\d[A-Za-z0-9\-]*)"),
]
_POSTCODE = (
    r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"  # UK: SW4 7QT
    r"|[ABCEGHJ-NPRSTVXY]\d[A-Z]\s?\d[A-Z]\d"  # Canada: M5J 2N2
    r"|[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y\d]{4})"  # Ireland: D09 X2P4
)
_SPANISH = re.compile(
    rf"(?i)\b(?:calle|avenida|av\.|calzada|privada|camino)\s+[{UP}{LO}]+(?:\s+[{UP}{LO}]+)?\s+\d{{1,5}}\b"
    rf"(?:\s*,\s*(?:colonia|col\.)\s+[{UP}{LO}]+(?:\s+[{UP}][{LO}]+)?)?"
)
_ZIPS = [
    re.compile(r"(?<![\w\-])[A-Z]{2},?\s+(?P<zip>\d{5}(?:-\d{4})?)(?![\w\-])"),  # OH 45410
    re.compile(r"(?i)\b(?:zip(?:\s*code)?\s*(?::|is|es)|c\.?\s*p\.?|postal\s+code\s*:?)\s*(?P<zip>\d{5}(?:-\d{4})?)\b"),
    # after a street: "[ADDRESS], Chicago 60623", "[ADDRESS]\nSpringfield, IL 62704"
    re.compile(rf"\[ADDRESS\][,\s]+(?:[{UP}{LO}][{LO}]+\.?[\s,]+){{0,4}}(?:[A-Za-z]{{2}}\s+)?(?P<zip>\d{{5}}(?:-\d{{4}})?)\b"),
    re.compile(rf"(?i)\b(?:{STATE_NAMES})[\s,]+(?P<zip>\d{{5}}(?:-\d{{4}})?)\b"),
    # a European postcode before the town: "[ADDRESS], 75019 Paris"
    re.compile(rf"\[ADDRESS\][,\s]+(?P<zip>\d{{4,5}})\s+[{UP}][{LO}]+"),
    # UK, Canadian and Irish postcodes near a street or after a cue
    re.compile(rf"\[ADDRESS\][^\n.;?!]{{0,50}}?(?<![\w])(?P<zip>{_POSTCODE})(?![\w])"),
    re.compile(rf"(?i:\b(?:post\s*code|postal\s+code|eircode|zip)\s*(?::|is)?\s*)(?P<zip>{_POSTCODE})(?![\w])"),
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
    text = s.sub(_ROUTE, Kind.ADDRESS, text)
    text = s.sub(_BOX, Kind.ADDRESS, text)
    text = s.sub(_FOREIGN, Kind.ADDRESS, text)
    text = s.sub(_SPANISH, Kind.ADDRESS, text)
    text = s.sub(_UNIT_ALONE, Kind.ADDRESS, text)
    for pattern in _NEXT_TO:
        text = s.sub(pattern, Kind.ADDRESS, text, group="unit")
    for pattern in _ZIPS:
        text = s.sub(pattern, Kind.ADDRESS, text, group="zip")
    return text
