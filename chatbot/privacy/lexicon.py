"""Word lists the name rules weigh: given names, surnames, and capitalised words that name no one.

Given names come from ``gender-guesser`` (about 40,000 from many countries), surnames from the US
Census 1990 list that the ``names`` package ships (88,799, with their rank). Both hold many
ordinary words ("Will", "Stone", "Honey"), so they are evidence only next to English frequency
(``wordfreq``) and a position. ``NOT_NAMES`` and ``PHRASES`` are general knowledge: medical
eponyms, exercise and test names, brands and drugs, places, which look like names but are not.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from wordfreq import zipf_frequency

from chatbot.privacy.base import words


@lru_cache(maxsize=1)
def _given_names() -> object:
    import gender_guesser.detector as detector  # loaded once (about 0.3 s)

    return detector.Detector(case_sensitive=False)


def is_given_name(word: str) -> bool:
    return _given_names().get_gender(word) != "unknown"  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _surnames() -> dict[str, int]:
    text = resources.files("names").joinpath("dist.all.last").read_text(encoding="ascii")
    return {line.split()[0].lower(): int(line.split()[3]) for line in text.splitlines() if line.strip()}


def is_surname(word: str) -> bool:
    return word.lower() in _surnames()


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "en")


def rare_word(word: str, below: float = 3.3) -> bool:
    """Not an ordinary English word (a name, a foreign word, a typo)."""
    return zipf(word) < below


# Capitalised words that look like names and are not: eponyms, tests, exercises, brands, drugs, places.
NOT_NAMES = words(
    """achilles osgood schlatter sever severs palsy quervain mckenzie graston dix hallpike phalen
    tinel scheuermann guillain barre barré raynaud colles lisfranc hoffa neer hashimoto kegel
    kegels feldenkrais haglund romanian pilates turkish spanish superman bulgarian
    cossack copenhagen nordic zercher pallof russian swiss valsalva trendelenburg lachman mcmurray
    finkelstein spurling apley adson mulligan maitland epley daroff heberden bouchard
    dupuytren parkinson parkinsons alzheimer alzheimers marfan ehlers
    danlos gehrig crohn crohns cushing sjogren sjögren lyme tai chi yoga
    hoka asics saucony nike adidas reebok puma oofos birkenstock birkenstocks crocs peloton bowflex
    hyperice normatec theragun concept2 strava zwift garmin fitbit apple lululemon walgreens cvs target
    costco amazon voltaren advil motrin aleve tylenol biofreeze bengay icy lyrica celebrex mobic medrol
    scholl scholls kt rocktape theraband bosu trx velcro instagram facebook youtube google tiktok zoom
    mayo shriners aetna cigna humana uplifted medicare medicaid
    lakers yankees disney christmas easter thanksgiving labor memorial halloween hanukkah ramadan
    boston denver phoenix orlando chicago houston dallas seattle portland atlanta miami
    naples dublin london paris
    america american english mexico canada texas florida california virginia georgia carolina
    cape cod golden gate chapultepec santa san fe """
)
# Words after a capitalised word that make it an eponym, a brand or a place, not a person.
EPONYM_NOUNS = (
    r"technique|method|test|tests|sign|signs|disease|syndrome|fracture|surgery|procedure|maneuver|manoeuvre"
    r"|exercises?|holds?|curls?|squats?|press|presses|deadlifts?|get-ups?|twists?|raises?|rows?|lunges?|drains?"
    r"|braces?|splints?|tape|protocol|approach|stretch|position|lift|palsy|neuroma|deformity|cyst|contracture"
    r"|tenosynovitis|kyphosis|kyphoplasty|disorder|phenomenon|shoes?|sneakers?|sandals?|gel|cream|park|street|st"
    r"|avenue|ave|road|rd|drive|dr|clinic|hospital|center|centre|medical|health|county|university|college"
    r"|school|lake|river|beach|bridge|memorial|marathon|mountain|airport|mall|plan|program|diet|ball|bench|robot|system|device|machine|app|watch"
)
PLACE_PREPOSITIONS = words("in to from at near around of toward towards visiting via en desde hacia a")
US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND"
    "|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|ON|QC|BC|AB|MB|NS|NB|NL|PE|SK"
)
STATE_NAMES = (
    r"alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho"
    r"|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota"
    r"|mississippi|missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|new\s+york"
    r"|north\s+carolina|north\s+dakota|ohio|oklahoma|oregon|pennsylvania|rhode\s+island|south\s+carolina"
    r"|south\s+dakota|tennessee|texas|utah|vermont|virginia|washington|west\s+virginia|wisconsin|wyoming"
)
_STATE_RE = re.compile(rf"(?:{US_STATES})")


def is_state(token: str) -> bool:
    return _STATE_RE.fullmatch(token.upper()) is not None


AFTER = re.compile(rf"(?i)[ \t]*(?:['’]s[ \t]+)?(?:{EPONYM_NOUNS})\b")
_PLACE_AFTER = re.compile(r"\s*,?\s*(?:[A-Z]{2}\b|\d{5}\b)")


def placeish(text: str, start: int, end: int, *, prepositions: bool = True) -> bool:
    """Whether the words around text[start:end] make it a place, an eponym or a brand."""
    if AFTER.match(text, end) or _PLACE_AFTER.match(text, end):
        return True
    if re.search(r"[:;]\s*\Z", text[max(0, start - 3) : start]):
        return False  # "to: Gary Pham" is a form, not a place
    before = re.findall(r"[\w']+", text[max(0, start - 40) : start])
    while (before and before[-1][0].isupper()) or before[-1:] in (["or"], ["and"], ["y"]):
        before.pop()  # "in Madison or Lincoln"
    return prepositions and bool(before) and before[-1].lower() in PLACE_PREPOSITIONS
