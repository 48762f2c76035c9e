"""Redact personal details from patient text before it is stored or sent to a model.

Pure and regex-based: emails, phone numbers, dates of birth, street addresses and names
the patient introduces are replaced by placeholders (``[EMAIL]``, ``[PHONE]``, ``[DOB]``,
``[ADDRESS]``, ``[NAME]``). Dates are only redacted next to a birth cue ("DOB", "born",
"birthday"), names only after an introduction ("my name is", "I'm", "call me", a sign-off),
so ordinary clinic talk ("I'm sore", "3 weeks ago", "since March 3") is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    DOB = "DOB"
    ADDRESS = "ADDRESS"
    NAME = "NAME"

    @property
    def placeholder(self) -> str:
        return f"[{self.value}]"


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.kinds)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
_APOS = "['’]"

# --- email ---------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# --- phone ---------------------------------------------------------------------------------
_SEP = r"[ .\-]?"
_PHONES = [
    # international: +44 20 7946 0958, +1 (555) 123-4567
    re.compile(rf"(?<![\w+])\+\d{{1,3}}(?:{_SEP}(?:\(\d{{1,5}}\)|\d{{1,5}})){{1,6}}(?![\w/])"),
    # North American: 555-123-4567, (555) 123 4567, 1-800-555-1234, 5551234567
    re.compile(rf"(?<![\w+/.\-])(?:1{_SEP})?(?:\(\d{{3}}\) ?|\d{{3}}{_SEP})\d{{3}}{_SEP}\d{{4}}(?![\w/]|[.\-]\d)"),
    # national trunk prefix: 020 7946 0958, 07700 900123
    re.compile(r"(?<![\w+/.\-])0\d{2,4}[ .\-]?\d{3,4}[ .\-]?\d{3,4}(?![\w/]|[.\-]\d)"),
    # long runs of digits and 7-digit local numbers: 555-1234
    re.compile(r"(?<![\w+/.\-])(?:\d{10,13}|\d{3}-\d{4})(?![\w/]|[.\-]\d)"),
]


def _phone_ok(match: re.Match[str]) -> bool:
    return 7 <= sum(c.isdigit() for c in match.group()) <= 15


# --- date of birth -------------------------------------------------------------------------
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}|\d{{4}}[/.\-]\d{{1,2}}[/.\-]\d{{1,2}}"
    rf"|{_MONTH}\s+{_ORD}(?:,?\s+\d{{4}})?|{_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}[/.\-]\d{{1,2}}|(?<=in\s)(?:{_MONTH}\s+)?\d{{4}})"
)
_DOB = re.compile(
    rf"(?i)(?P<cue>\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b|\bb-?day\b|\bborn\b)"
    rf"(?P<gap>(?:\s*(?:is|was|on|in|=|:|-|,)\s*){{0,3}}|\s+)"
    rf"(?P<date>{_DATE})(?![\w/])"
)

# --- street address ------------------------------------------------------------------------
_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|crescent|cres|square|sq|close)\b\.?"
)
_DIRECTION = r"(?:[NSEW]|N\.?[EW]\.?|S\.?[EW]\.?|north|south|east|west|northeast|northwest|southeast|southwest)\b\.?"
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|flat|#)\.?\s*#?[A-Za-z0-9\-]+)"
_ADDRESS = re.compile(
    rf"(?<![\w/.\-])\d{{1,6}}[A-Za-z]?(?i:(?:\s+{_DIRECTION})?"
    rf"(?P<words>(?:\s+(?:\d{{1,3}}(?:st|nd|rd|th)|[a-z][a-z'’\-]*)){{1,4}})\s+{_SUFFIX}"
    rf"(?:\s+{_DIRECTION})?{_UNIT}?)"
    rf"(?:,\s*[{_UP}][{_LO}]+(?:\s[{_UP}][{_LO}]+)?(?:,?\s*[A-Z]{{2}})?(?:\s+\d{{5}}(?:-\d{{4}})?)?)?"
)
_PO_BOX = re.compile(r"(?i)\bp\.?\s*o\.?\s*box\s+\d+\b")
# Words that mean a number counts something ("2 miles down the road", "10 min drive").
_NOT_STREET = _words(
    """the a an my your his her our their this that these those of on in at to for from by with down up
    along across around over under into onto each every per and or but then more less same other another
    min mins minute minutes hr hrs hour hours sec secs second seconds day days week weeks month months year
    years mile miles km kms block blocks rep reps set sets time times step steps lb lbs pound pounds kg kgs
    degree degrees percent foot feet ft inch inches meter meters metre metres yard yards floor floors stair
    stairs flight flights lap laps session sessions visit visits long short far different whole"""
)

# --- names ---------------------------------------------------------------------------------
_CAP = rf"[{_UP}](?:[{_LO}]+|{_APOS}[{_UP}][{_LO}]+)(?:(?:{_APOS}|-)?[{_UP}][{_LO}]+)*"
_ANY = rf"[{_UP}{_LO}]+(?:{_APOS}[{_UP}{_LO}]+)?(?:-[{_UP}{_LO}]+)?"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?"
_NOT_A_NAME = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?|[A-Z]\.")  # titles and initials alone
_INITIAL = rf"(?:\s[{_UP}]\.)?"


def _name(token: str) -> str:
    return rf"(?P<name>{_TITLE}{token}(?:{_INITIAL}\s{token}){{0,2}})"


_NAME_CUES: list[re.Pattern[str]] = [
    # "my name is jane doe", "name: Jane Doe", "my daughter's name is Lily": any case
    re.compile(rf"(?i:\bname\s*(?:is|{_APOS}s|:|=|-)\s*){_name(_ANY)}"),
    # "I'm Jane", "I am Jane Doe", "this is John Smith", "call me Sam": capitalised only
    re.compile(rf"(?i:\bi\s*(?:{_APOS}?\s*m|\s+am)\s+|\bthis\s+is\s+|\bcall\s+me\s+|\bcalled\s+me\s+){_name(_CAP)}"),
    # sign-offs at the very end: "Thanks, Maria Lopez", "Best,\nJane", "-- Sam"
    re.compile(
        rf"(?i:(?:\b(?:many\s+)?thanks(?:\s+again)?|\bthank\s+you(?:\s+so\s+much)?|\bthx|\bcheers|\bsincerely"
        rf"|\b(?:best|kind|warm)?\s*regards|\bbest(?:\s+wishes)?|\bxo+)\s*[,.!:\-–—]*\s+|(?:^|\s)(?:--?|–|—)\s*)"
        rf"{_name(_CAP)}[\s.!]*\Z"
    ),
]
COMMON_WORDS = _words(
    """a an the and or but so not no yes ok okay i me my mine you your we our they them he she it its is am are
    was were be been being have has had do does did will would can could should may might must shall just
    also still very really quite pretty too so here there now then today tomorrow yesterday tonight soon
    again always never sometimes usually only even back home away done ready sure fine good great well
    better worse bad ill sick sore tired exhausted worried scared afraid anxious nervous stressed
    concerned confused frustrated stuck new old older young curious wondering hoping trying looking going
    getting doing having feeling coming calling writing asking wanting planning training running walking
    limping struggling healing improving recovering returning currently pregnant diabetic active retired
    interested glad happy sorry thankful grateful unable able allergic male female over under about
    almost nearly right left in on at to from for with of by as up down out off into onto after before
    since until while when where what which who why how that this these those some any all both each
    every other another more less most least much many few several one two three four five six seven
    eight nine ten first second third last next same different hi hello hey dear thanks thank please
    doc doctor doctors therapist therapists physio physiotherapist nurse team clinic staff everyone
    everybody all patient patients new returning see have nice wonderful great day morning afternoon
    evening night week weekend monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december pain painful hurt hurting
    hurts aching achy stiff swollen numb weak knee knees hip hips back neck shoulder shoulders ankle
    ankles foot feet toe toes heel elbow elbows wrist wrists hand hands finger fingers leg legs arm arms
    spine hamstring hamstrings quad quads calf calves glute glutes groin jaw head achilles plantar
    rotator acl mcl meniscus tendon muscle muscles joint joints bone bones disc nerve sciatica
    tendinitis tendonitis bursitis arthritis surgery post pre physical therapy exercise exercises
    stretch stretches stretching pt ot god lord normal uplifted"""
)


def _is_common(word: str) -> bool:
    return word.lower().strip(".") in COMMON_WORDS


class Redactor:
    """Replace personal details with placeholders. ``keep`` lists strings never redacted (the clinic's phone)."""

    def __init__(self, keep: Iterable[str] = ()) -> None:
        self._keep = {k.strip().lower() for k in keep if k.strip()}
        self._keep_digits = {d for d in (re.sub(r"\D", "", k) for k in self._keep) if len(d) >= 7}

    def redact(self, text: str) -> Redaction:
        found: list[Kind] = []

        def sub(pattern: re.Pattern[str], kind: Kind, text: str) -> str:
            def repl(m: re.Match[str]) -> str:
                if not self._redactable(m, kind):
                    return m.group()
                if kind not in found:
                    found.append(kind)
                return kind.placeholder

            return pattern.sub(repl, text)

        text, kept = self._protect(text)
        text = sub(_EMAIL, Kind.EMAIL, text)
        text = self._dob(text, found)
        for pattern in _PHONES:
            text = sub(pattern, Kind.PHONE, text)
        text = sub(_ADDRESS, Kind.ADDRESS, text)
        text = sub(_PO_BOX, Kind.ADDRESS, text)
        text = self._names(text, found)
        for n, value in enumerate(kept):
            text = text.replace(_marker(n), value)
        return Redaction(text=text, kinds=tuple(found))

    def _protect(self, text: str) -> tuple[str, list[str]]:
        """Swap kept values (and phones with a kept number's digits) for markers no rule matches."""
        kept: list[str] = []

        def swap(m: re.Match[str]) -> str:
            if not self._kept(m.group()):
                return m.group()
            kept.append(m.group())
            return _marker(len(kept) - 1)

        for value in sorted(self._keep, key=len, reverse=True):
            text = re.sub(re.escape(value), swap, text, flags=re.IGNORECASE)
        if self._keep_digits:
            for pattern in _PHONES:
                text = pattern.sub(swap, text)
        return text, kept

    def _kept(self, value: str) -> bool:
        digits = re.sub(r"\D", "", value)
        return value.strip().lower() in self._keep or (len(digits) >= 7 and digits in self._keep_digits)

    def _redactable(self, m: re.Match[str], kind: Kind) -> bool:
        if self._kept(m.group()):
            return False
        if kind is Kind.PHONE:
            return _phone_ok(m)
        if kind is Kind.ADDRESS and "words" in m.groupdict():
            return not any(w.lower() in _NOT_STREET for w in m.group("words").split())
        return True

    def _dob(self, text: str, found: list[Kind]) -> str:
        def repl(m: re.Match[str]) -> str:
            if self._kept(m.group("date")):
                return m.group()
            if Kind.DOB not in found:
                found.append(Kind.DOB)
            return m.group("cue") + m.group("gap") + Kind.DOB.placeholder

        return _DOB.sub(repl, text)

    def _names(self, text: str, found: list[Kind]) -> str:
        names: set[str] = set()

        def repl(m: re.Match[str]) -> str:
            name_text = m.group("name")
            kept: list[str] = []
            for token in name_text.split():
                if _is_common(token):
                    break  # "I'm Jane and ..." stops at "and"
                kept.append(token)
            real = [t for t in kept if not _NOT_A_NAME.fullmatch(t)]
            if not real or self._kept(" ".join(kept)):
                return m.group()
            names.update(t for t in real if len(t) > 1)
            if Kind.NAME not in found:
                found.append(Kind.NAME)
            start, end = m.start("name") - m.start(), m.end("name") - m.start()
            rest = name_text[_prefix_length(name_text, len(kept)):]
            return m.group()[:start] + Kind.NAME.placeholder + rest + m.group()[end:]

        for pattern in _NAME_CUES:
            text = pattern.sub(repl, text)
        # The same name mentioned again elsewhere ("I'm Jane ... Jane's knee").
        forms = {form for name in names for form in (name, name[0].upper() + name[1:])}
        for name in sorted(forms, key=len, reverse=True):
            text = re.sub(rf"(?<![\w\[]){re.escape(name)}\b", Kind.NAME.placeholder, text)
        return text


def _marker(n: int) -> str:
    """A placeholder of private-use characters, which are neither word characters nor digits."""
    return "\ue000" + "".join(chr(0xE001 + int(d)) for d in str(n)) + "\ue000"


def _prefix_length(text: str, tokens: int) -> int:
    """Length of the first ``tokens`` whitespace-separated tokens of ``text`` (with their gaps)."""
    m = re.match(rf"\s*(?:\S+\s+){{{tokens - 1}}}\S+", text) if tokens else None
    return m.end() if m else 0


def redact(text: str) -> Redaction:
    """Redact with the default rules."""
    return Redactor().redact(text)
