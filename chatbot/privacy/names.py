"""Names: after a cue, in any case, checked against a list of given names where the cue is weak.

No NER model (spaCy's models are not on PyPI, and per-message model calls are slow): cues find
where a name may stand ("im sarah", "my son jake", "Dr. Patel", "Name:", a sign-off, a name
alone on the last line), and ``gender-guesser``'s list of about 40,000 given names from many
countries decides, for lower-case words and weak cues, whether the word there is a name. Words
that are also ordinary English ("mark my words", "I hope", "grace period") are taken only after
a strong cue or when capitalised in the middle of a sentence next to a person word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from wordfreq import zipf_frequency

from chatbot.privacy.base import APOS, LO, UP, Kind, Scrubber, words
from chatbot.privacy.lexicon import NOT_NAMES, US_STATES, is_given_name, placeish

STRONG, MEDIUM, WEAK = 3, 2, 1

_CAP = rf"[{UP}](?:[{LO}]+|{APOS}[{UP}][{LO}]+)(?:(?:{APOS}|-)?[{UP}][{LO}]+)*(?:{APOS}s)?"
_ANY = rf"[{UP}{LO}]+(?:{APOS}[{UP}{LO}]+)?(?:-[{UP}{LO}]+)?"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Sr|Sra)\.?[ \t]+)?"
_PARTICLES = frozenset("van von der den de la del da di le du dos das y".split())
_PARTICLE = rf"(?:(?:{'|'.join(sorted(_PARTICLES))})[ \t]+)*"
_INITIAL = rf"(?:[ \t][{UP}{LO}]\.)?"


def _name(token: str, parts: int = 3) -> str:
    return (rf"(?P<name>{_TITLE}(?:[{UP}{LO}]\.[ \t]+)?{token}"
            rf"(?:{_INITIAL}[ \t]+{_PARTICLE}(?!(?i:and|or|y|&)\b){token}){{0,{parts}}})")


_RELATIVE = (
    r"(?:(?:little|older|younger|late|big|baby|oldest|youngest|twin|ex|new|old|former)\s+)?(?:son|daughter|wife"
    r"|husband|mom|mother|mum|dad|father|brother|sister|grandma|grandpa|grandmother|grandfather|granddaughter"
    r"|grandson|aunt|uncle|niece|nephew|cousin|friend|neighbou?r|partner|boyfriend|girlfriend|fianc[ée]e?|kid"
    r"|child|baby|boy|girl|guy|stepson|stepdaughter|(?:father|mother|son|daughter|brother|sister)-in-law|hijo"
    r"|hija|esposo|esposa|mam[áa]|pap[áa]|hermano|hermana|abuela|abuelo|nieto|nieta|t[íi]o|t[íi]a|caregiver"
    r"|roommate|coworker|boss|pt|physio|therapist|physical\s+therapist|trainer|coach|surgeon|doctor|ortho"
    r"|pediatrician|fisioterapeuta|terapeuta|adjuster|case\s+manager|nanny|babysitter|buddy|pal|bestie|teammate"
    r"|colleague|classmate|receptionist|recepcionista|novi[oa]|amig[oa]|vecin[oa]|kids|twins|children|sons"
    r"|daughters|lil\s+one|little\s+one|\d{1,2}\s*(?:yo|y/o|year[\s\-]old))"
)
_CLOSING = (
    r"(?:(?:many\s+)?thanks(?:\s+again|\s+so\s+much)?|thank\s+(?:you|u)(?:\s+so\s+much)?|thx|ty|cheers|sincerely"
    r"|(?:best|kind|warm)?\s*regards|best(?:\s+wishes)?|warmly|love|(?:xo)+x?|xo+|take\s+care|blessings|gracias"
    r"|saludos|sent\s+by|(?<=\n)from"
    r"|atentamente|respectfully)"
)
_I = rf"\bi\s*(?:{APOS}?\s*m|\s+am)"
CUES: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"(?i:(?<!dog{APOS}s\s)(?<!cat{APOS}s\s)\b(?:name|nombre)\s*(?:is|{APOS}s|was|:|=|-|es)\s*"
                rf"(?:like\s+)?){_name(_ANY)}"), STRONG),
    (re.compile(rf"(?i:\b(?:me\s+llamo|se\s+llama),?\s+){_name(_ANY)}"), STRONG),
    (re.compile(rf"(?i:{_I}|\bthis\s+is|\bcall\s+me|\bcalled\s+me|\bsoy|\ble\s+escribe"
                rf"|\bit\s*{APOS}?\s*s(?:\s+me)?|\bits(?:\s+me)?|\bit\s+is)(?:\s+again)?,?\s+{_name(_ANY)}"), MEDIUM),
    (re.compile(rf"(?i:\b(?:dr|mr|mrs|ms|miss|mx|dra|sra?|don|doña)\.?\s+){_name(_ANY, 2)}"), STRONG),
    (re.compile(rf"(?i:\b(?:my|our|his|her|their|mi|su|la|el)\s+(?:{_RELATIVE}{APOS}?s\s+)?{_RELATIVE}(?:\s*{APOS}s)?\s*,?\s+(?:is\s+|was\s+|se\s+llama\s+)?)"
                rf"{_name(_ANY)}"), MEDIUM),
    (re.compile(rf"(?im:(?:^|[\n/|;(]|\b)(?:^name|patient\s+of|patient(?:\s+name)?|nombre|subscriber|insured|applicant|emergency\s+contact"
                rf"|attn|last\s+name|first\s+name|adjuster\s+is|name\s+on\s+(?:the\s+)?(?:card|account|chart)(?:\s+is)?"
                rf"|patient\s+of|ask\s+for|referred\s+by|on\s+behalf\s+of|lookup\s+please|to\s+confirm\s+its\s+me"
                rf"|(?:^|(?<=[\n/|;]))\s*(?:guardian|parent|child|spouse|therapist|physician|provider|pcp|referral"
                rf"|referring\s+\w+|policy\s*holder|responsible\s+party|contact|caregiver|full\s+name|paciente"
                rf"|member(?:\s+name)?|surname|given\s+name|signed)\s*:|^name(?=\s+[a-z]))"
                rf"\s*[:=\-—,]?\s*(?:(?:my|the)\s+\w+,?\s+)?){_name(_ANY)}"), STRONG),
    (re.compile(rf"(?im:^[ \t]*[a-z][a-z ]{{1,20}}:[ \t]*\[NAME\],[ \t]*){_name(_CAP, 1)}"
                rf"(?=[ \t]*(?m:$|[|/;]))"), MEDIUM),
    (re.compile(rf"(?i:\b{_CLOSING}[\s,.!:\-–—]*\s)(?:\s*){_name(_ANY, 2)}"
                rf"(?:\s+(?:and|&)\s+{_ANY})?[\s.!]*\Z"), MEDIUM),
    (re.compile(rf"(?i:\b(?:thanks|thank\s+you)\s*,?\s+){_name(_CAP, 1)}(?=\s*[!,.])"), MEDIUM),
    (re.compile(rf"\n[ \t]*(?:--?|–|—|~)[ \t]*{_name(_ANY, 2)}[\s.!]*\Z"), STRONG),
    (re.compile(rf"(?:^|\s)(?:--?|–|—|~)\s*{_name(_ANY, 2)}[\s.!]*(?:\(|\Z)"), MEDIUM),
    (re.compile(rf"(?i:\b(?:let|have|ask|asked|tell|told|thank|text|call|email)\s+){_name(_ANY, 1)}"
                rf"(?=\s+(?:know|call|text|email|reach|get\s+back|i\b|i{APOS}|that|to\b|thanks|about|if)\b)"), STRONG),
    (re.compile(rf"(?i:\b(?:is|was)\s+){_name(_ANY, 1)}(?=\s+(?:working|in\s+today|available|off\s+today"
                rf"|still\s+(?:there|here|working)))"), MEDIUM),
    (re.compile(rf"(?<=[a-z,] ){_name(_CAP, 1)}"
                rf"(?=\s+(?:is|was)\s+(?:working|in\s+today|available|off\s+today))"), MEDIUM),
    (re.compile(rf"(?:\A|(?<=[.!?\n]))\s*(?i:(?:hi|hello|hey)[,!]?\s+)?{_name(_ANY, 2)}"
                rf"(?=(?i:\s+here\b|\s+(?:did|does)\s+my\b|\s+(?:was|is)\s+my\s+(?:pt|therapist|physio|trainer)"
                rf"|\s+(?:from|at)\s+(?:the\s+)?(?:front|billing|reception|scheduling|the\s+desk)"
                rf"|\s*\((?:my|our)\s+{_RELATIVE}\b))"), STRONG),
    (re.compile(rf"(?i:\b(?:nana|nan|granny|grandma|grandpa|gramma|papa|aunt|auntie|uncle|t[íi][ao]|abuel[ao]"
                rf"|abuelit[ao]|coach)\s+){_name(_ANY, 1)}"), STRONG),
    (re.compile(rf"(?<=[.!?)] ){_name(_CAP, 1)}[.!]*\s*\Z"), WEAK),
    (re.compile(rf"(?:\A|\n)\s*{_name(_ANY, 2)}[\s.!]*\Z"), WEAK),
    (re.compile(rf"(?:\A|\n|[:—,(])\s*{_name(_ANY, 2)}"
                rf"(?=,?\s*(?:\[(?:DOB|EMAIL|ADDRESS|PHONE)\]|<\[EMAIL\]|\d|here\b|,\s*[{UP}]))"), WEAK),
    (re.compile(rf"(?i:\b(?:is|was|tell|ask|book\s+with|request|requested|thanks|thank\s+you"
                rf"|my\s+pt\s+(?:is|was)|the\s+pt\s+(?:is|was)|or|and)\s+){_name(_ANY, 1)}"
                rf"(?=\s+(?:still|working|there|here|in|available|around|off|call|as\s+my|i\s|and\s+i|or\s)"
                rf"|\s*[?!,]|'s\s+(?:mom|dad|mother|father|wife|husband))"), WEAK),
    (re.compile(rf"(?<=[a-z,;] ){_name(_CAP, 1)}(?=\s+(?:and|or|&)\s+[{UP}][{LO}]+\s+(?:are|were|both))"), WEAK),
    (re.compile(rf"{_name(_CAP, 1)}[ \t]*,?[ \t]*<?\[EMAIL\]"), MEDIUM),
    (re.compile(rf"(?:\A|(?<=\n)){_name(_ANY, 1)}(?=\s+(?:and|&)\s+(?:[{UP}][{LO}]+|i)\s+(?:are|were|both))"), STRONG),
]
_OR_NAME = re.compile(rf"\[NAME\](?:[^\n\[]{{0,15}}?\bor\s+|\s+(?:and|&)\s+|,\s*|\s*\(\s*){_name(_ANY, 0)}\b")
_NOT_A_NAME = re.compile(r"(?i)(?:Mr|Mrs|Ms|Miss|Mx|Dr|Dra|Sr|Sra)\.?|[A-Z]\.")  # titles and initials alone

COMMON_WORDS = words(
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
    everybody all patient patients someone somebody anyone anybody nobody us him her nana granny grandma
    grandpa new returning see have nice wonderful great day morning afternoon
    evening night week weekend monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december pain painful hurt hurting
    hurts aching achy stiff swollen numb weak knee knees hip hips back neck shoulder shoulders ankle
    ankles foot feet toe toes heel elbow elbows wrist wrists hand hands finger fingers leg legs arm arms
    spine hamstring hamstrings quad quads calf calves glute glutes groin jaw head achilles plantar
    rotator acl mcl meniscus tendon muscle muscles joint joints bone bones disc nerve sciatica
    tendinitis tendonitis bursitis arthritis surgery post pre physical therapy exercise exercises
    stretch stretches stretching pt ot god lord normal uplifted sent iphone android mom dad son daughter
    wife husband kid kids baby guys guy lol idk u ur im thx pls plz sir madam tengo estoy mi su el la los
    las un una de del que con por para es muy gracias hola buenos buenas dolor rodilla espalda cita hijo hija
    medicare medicaid insurance member group policy claim card visa amex office front desk care eval mon tue
    tues wed thu thur thurs fri sat sun jan feb mar apr jun jul aug sep sept oct nov dec tiene tienen se llama
    llamo fue era está esta soy somos hace quiero puedo necesito address phone email reason date mrn dob ssn"""
)


def _base(token: str) -> str:
    return re.sub(rf"{APOS}s$", "", token.strip(".")).lower()


def _common(token: str) -> bool:
    return _base(token) in COMMON_WORDS


def _capital(token: str) -> bool:
    """Capitalised as a name is; a word in capitals ("SAID", "GLORIA") is judged like a lower-case one."""
    return token[0].isupper() and not (token.isupper() and len(_base(token)) > 1)


def _accept_first(token: str, level: int) -> bool:
    base = _base(token)
    if not base or len(base) < 2 or base in NOT_NAMES or (level < STRONG and token.isupper() and len(base) <= 3):
        return False
    zipf, capital, named = zipf_frequency(base, "en"), _capital(token), is_given_name(base)
    if _common(token) and not (level == STRONG and named and (capital or (token.isupper() and zipf < 5.5))):
        return False
    if not capital and (zipf >= 4.9 or re.search(r"(?:ed|ing|ly)$", base)) and not (level == STRONG and named
                                                                                      and zipf < 5.5):
        return False  # "said", "will", "misspelled": lower-case words too common to be taken for a name
    if level < STRONG and zipf_frequency(base, "es") >= 5.5:
        return False  # "ella", "que": Spanish words, not the names they look like
    if level == STRONG:
        return capital or named or zipf < 3.5
    if level == MEDIUM:
        return named or (capital and zipf_frequency(base, "en") < 4.5)
    return named and not token.endswith("s") and zipf < 4.9 and (capital or zipf < 4.0)


def _accept_next(token: str, first: str) -> bool:
    if _common(token) or _NOT_A_NAME.fullmatch(token) is not None:
        return False
    if _capital(first):
        return token[0].isupper() and _base(token).lower() not in NOT_NAMES
    if first.isupper() != token.isupper():
        return False
    base = _base(token).lower()
    zipf = zipf_frequency(base, "en")
    return (token[0].islower() or token.isupper()) and zipf < 4.9 and (is_given_name(base) or zipf < 4.0)


def redact_names(text: str, s: Scrubber) -> str:
    names: set[str] = set()

    def repl_for(level: int) -> Callable[[re.Match[str]], str]:
        def repl(m: re.Match[str]) -> str:
            name_text = m.group("name")
            tokens = name_text.split()
            taken: list[str] = []
            for token in tokens:
                if taken and (_NOT_A_NAME.fullmatch(token) or token.lower() in _PARTICLES):
                    taken.append(token)
                    continue
                real = [t for t in taken if not _NOT_A_NAME.fullmatch(t)]
                if not real:
                    if not _NOT_A_NAME.fullmatch(token) and not _accept_first(token, level):
                        break
                elif not _accept_next(token, real[0]):
                    break
                taken.append(token)
            while taken and (_NOT_A_NAME.fullmatch(taken[-1]) or taken[-1].lower() in _PARTICLES):
                taken.pop()
            real = [t for t in taken if not _NOT_A_NAME.fullmatch(t)]
            if level == WEAK and len(taken) < len(tokens):
                return m.group()  # the cue's context follows the whole match, not the part taken
            if not real or s.kept(" ".join(taken)) or _not_a_person(m, level, len(taken)):
                return m.group()
            names.update(_base(t) for t in real if len(t) > 2)
            titles = 0
            while _NOT_A_NAME.fullmatch(taken[titles]) and not re.fullmatch(r"(?i)[a-z]\.", taken[titles]):
                titles += 1  # "Dr. [NAME]": the title stays, it names no one
            start, end = m.start("name") - m.start(), m.end("name") - m.start()
            head = name_text[: _prefix_length(name_text, titles)] + " " if titles else ""
            rest = name_text[_prefix_length(name_text, len(taken)):]
            return m.group()[:start] + head + s.mark(Kind.NAME) + rest + m.group()[end:]

        return repl

    for pattern, level in CUES:
        text = pattern.sub(repl_for(level), text)
    text = _OR_NAME.sub(repl_for(WEAK), text)
    from chatbot.privacy.people import redact_people

    text = redact_people(text, s, names)
    text = _OR_NAME.sub(repl_for(WEAK), text)
    # The same name mentioned again elsewhere ("I'm Jane ... Jane's knee"); lower-case only when rare in English.
    forms = {name[0].upper() + name[1:] for name in names}
    forms |= {name for name in names if zipf_frequency(name, "en") < (5.0 if is_given_name(name) else 4.5)}
    return _again(text, forms)


_WORD_START = re.compile(r"(?<![\w\[])(?=\w)")


def _again(text: str, forms: set[str]) -> str:
    """Replace each of ``forms`` where it stands as a word, the longest first where two start at the same place.
    One pass over the text whatever the number of forms (a regular expression per form would rescan it each time)."""
    if not forms:
        return text
    lengths = sorted({len(f) for f in forms}, reverse=True)
    pieces, done = [], 0
    for m in _WORD_START.finditer(text):
        at = m.start()
        if at < done:
            continue
        for n in lengths:
            end = at + n
            if text[at:end] in forms and _word_char(text[end - 1]) != (end < len(text) and _word_char(text[end])):
                pieces += [text[done:at], Kind.NAME.placeholder]
                done = end
                break
    return "".join(pieces) + text[done:]


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


_PLACE_NOUN = re.compile(
    r"(?i:clinic|hospital|cent(?:er|re)|medical|health|county|university|college|school|memorial|marathon|airport"
    r"|mall|street|avenue|road|river|beach|bridge|mountain)"
)
_CITY_BEFORE = re.compile(r"\[ADDRESS\][ \t]*,?\s*\Z")
_CITY_AFTER = re.compile(rf",?[ \t]+(?:{US_STATES})\b[ \t]*,?[ \t]*(?:\[ADDRESS\]|\d{{5}})")


def _not_a_person(m: re.Match[str], level: int, tokens: int) -> bool:
    """A city after a street or before a state and ZIP; at weaker cues also an eponym, brand or place."""
    start = m.start("name")
    end = start + _prefix_length(m.group("name"), tokens)
    text = m.string
    if _CITY_BEFORE.search(text[max(0, start - 20) : start]) or _CITY_AFTER.match(text, end):
        return True
    following = re.match(r"[ \t]+(\w+)", text[end:])
    if any(_PLACE_NOUN.fullmatch(t) for t in m.group("name").split()[1:tokens] + ([following[1]] if following else [])):
        return True  # "Cleveland Clinic did my fusion"
    return level < STRONG and placeish(text, start, end, prepositions=level == WEAK)


def _prefix_length(text: str, tokens: int) -> int:
    """Length of the first ``tokens`` whitespace-separated tokens of ``text`` (with their gaps)."""
    m = re.match(rf"\s*(?:\S+\s+){{{tokens - 1}}}\S+", text) if tokens else None
    return m.end() if m else 0
