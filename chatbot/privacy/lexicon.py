"""Word lists the name rules weigh: given names, surnames, and capitalised words that name no one.

Given names come from ``gender-guesser`` (about 40,000 from many countries), surnames from the US
Census 1990 list that the ``names`` package ships (88,799, loaded once, about 0.3 s). Both hold many
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
def _surnames() -> frozenset[str]:
    text = resources.files("names").joinpath("dist.all.last").read_text(encoding="ascii")
    return frozenset(line.split(maxsplit=1)[0].lower() for line in text.splitlines() if line.strip())


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
    shin shins splint splints bunion bunions fascia fasciitis tendon tendons bursa bursitis cuff rotator
    meniscus labrum coccyx sacrum sternum clavicle femur tibia fibula patella ulna radius humerus pelvis
    america american english mexico canada texas florida california virginia georgia carolina
    cape cod golden gate chapultepec santa san fe """
)
# Given names (on gender-guesser's list) that are also ordinary words or places, most of them frequent in English:
# capitalised mid-sentence they are still names more often than not, but not without a cue.
WORD_NAMES = words(
    """the to in you on be are he my an so his me one can will just do than go said way even may here made take love
    man long am free night lot done tell men side job line run general five per hope young oh ago guy win else york
    due soon age red major art non son london march song chance fine summer price de america co june won april king
    boy al bill save ok key uk hey august door okay mark deep india mine rock river beat anti miles hi ice fair jesus
    justice sun san gun german judge floor brain france spring fan rich gay carry christian queen royal lie sad brand
    rose faith silver stone bet christ till ed cat israel lucky ad file frank bay lee lies core kick prince sky vice
    rain forest dick beer moon ray honor trees im joke loan hero ya grant era storm max sub urban asia ah ma novel tiny
    virginia un iran desire solo wing hang don mile kinda bell ha heaven diet lane grace el ban mate joy da constant
    hong marine princess carolina fee tie jordan jan gang le roman en marks kong tone santa rush harm thin georgia
    drew angel innocent charity duke mac gray yo ideal victoria chase ear na islam kit odd diamond rail tho sake dean
    crystal marry buddy ap syria pan pace pen vital mo honey sin hunter ward gene doc wolf rob ties rio ate liberty
    gen foster di robin precious bang il del eve dare slave chip edit sa mi mall tale se candy ton alien clay jet con
    pin dawn pit vessel isis rip uh oral ye lion brooklyn alpha des er marshall noble ai cock asset unity ho stole ep
    du hung nail skip fa flip loyal patience mar trace destiny ram pie sandy turner raid cherry oak lap si thai chuck
    sunshine marvel ion mason peer pile harsh rod pearl sterling valve kenya ba owe miracle haven visa xi sri easter
    harmony ally sang les cam bee olive fairy duo bud pastor merit toe cruz sunny nest penny lo te reed petty sierra
    ab fried martial yup montana slim hack alter dot cos milan buzz dip bi brooks columbus donate ave tin essence til
    jo ferry tan salmon abu nato sen oz buck jerk geneva chan chin bo houston dallas denver phoenix orlando austin
    madison lincoln cleveland francisco diego brooklyn hudson chelsea sydney charlotte argentina dakota jackson
    kennedy clinton washington"""
)


def word_name(word: str) -> bool:
    """A given name that is also an ordinary word or a place ("Will", "Grace", "Madison")."""
    base = word.lower()
    return base in WORD_NAMES or not is_given_name(base)


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


def placeish(text: str, start: int, end: int, *, prepositions: bool | frozenset[str] = True) -> bool:
    """Whether the words around text[start:end] make it a place, an eponym or a brand."""
    if AFTER.match(text, end) or _PLACE_AFTER.match(text, end):
        return True
    if re.search(r"[:;]\s*\Z", text[max(0, start - 3) : start]):
        return False  # "to: Gary Pham" is a form, not a place
    before = re.findall(r"[\w']+", text[max(0, start - 40) : start])
    while (before and before[-1][0].isupper()) or before[-1:] in (["or"], ["and"], ["y"]):
        before.pop()  # "in Madison or Lincoln"
    places = PLACE_PREPOSITIONS if prepositions is True else prepositions or frozenset()
    return bool(before) and before[-1].lower() in places
