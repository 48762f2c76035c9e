"""Names without a cue: a known given name followed by a surname, or a rare given name mid-sentence.

Runs after the cued rules (``names``). Evidence, not phrasing: a capitalised word that is a given
name and uncommon in English, followed by a capitalised word that is a surname or no English word
("Keisha Robinson", "Björn Åkesson"); alone, a given name rare in English in the middle of a
sentence ("tell Malik", "Our nanny, Marisela,"). Never where the context makes it an eponym, a
brand or a place: before "technique", "surgery", "Park", "Street", a state or a ZIP, after "in",
"to", "at"; nor a word on the ``NOT_NAMES`` list.
"""

from __future__ import annotations

import re

from chatbot.privacy.base import APOS, LO, UP, Kind, Scrubber
from chatbot.privacy.lexicon import NOT_NAMES, is_given_name, is_state, is_surname, placeish, word_name, zipf
from chatbot.privacy.names import COMMON_WORDS

_WORD = rf"[{UP}][{LO}]+(?:{APOS}[{UP}][{LO}]+)?(?:-[{UP}][{LO}]+)?"
_CAPS = rf"[{UP}]{{2,}}(?:-[{UP}]{{2,}})?"
_TOKEN = re.compile(rf"(?<![\w\[\-{APOS}])(?:{_WORD}|{_CAPS})(?![\w\-])(?:{APOS}s\b)?")
# What a person does, after a name that opens a sentence: "Malik said", "Priya and I", "Jen's knee".
_PERSON_VERB = re.compile(
    r"(?:\s+(?:said|says|told|tells|asked|asks|did|does|was|is|has|had|will|would|can|could|gave|showed|recommended"
    r"|suggested|thinks|thought|wants|wanted|called|texted|emailed|mentioned|helped|fixed|treated|saw|sees|got"
    r"|hurt|fell|needs|needed|loves|likes|says|and\s+i|&\s+i|&\s+me|and\s+me)\b|['’]s\s+(?:mom|dad|mother|father"
    r"|wife|husband|son|daughter|knee|hip|back|shoulder|ankle|neck|appointment|appt|session|visit|eval|pt)\b)"
)
_STOPS = frozenset('.!?\n:;"“(¡¿')


def _opens_sentence(text: str, start: int) -> bool:
    """Whether only blanks separate ``start`` from the text's start, a stop (".", "?", a new line, "(", ...)
    or a dash after a blank. Looks back over the blanks alone, so all tokens together cost one pass."""
    k = start
    while k > 0 and text[k - 1].isspace() and text[k - 1] != "\n":
        k -= 1
    return k == 0 or text[k - 1] in _STOPS or (text[k - 1] == "-" and k >= 2 and text[k - 2].isspace())


_PAIR_PLACES = frozenset("in at near around visiting via en".split())  # not "from", "to": "a note from Ann Lee"


def _base(token: str) -> str:
    return re.sub(rf"{APOS}s$", "", token)


def _plain(token: str) -> bool:
    """Capitalised or all-caps word not on the lists of things that are not people."""
    base = _base(token).lower()
    return base not in NOT_NAMES and base not in COMMON_WORDS and all(p not in NOT_NAMES for p in base.split("-"))


def _given(token: str, below: float = 4.0) -> bool:
    """A given name; one that is also a frequent word ("Will", "Grace") only below ``below``."""
    base = _base(token)
    if not _plain(token) or len(base) <= 2:
        return False
    return all(is_given_name(p) and (zipf(p) < below or (zipf(p) < 5.5 and not word_name(p))) for p in base.split("-"))


def _family(token: str) -> bool:
    base = _base(token)
    if not _plain(token) or len(base) < 2 or is_state(base):
        return False
    parts = base.split("-")
    return all((is_surname(p) and zipf(p) < 4.3) or zipf(p) < 3.0 or (is_given_name(p) and zipf(p) < 4.0)
               for p in parts)


def _caps_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def redact_people(text: str, s: Scrubber, found: set[str]) -> str:
    """Redact uncued names in ``text``; adds their lower-cased parts to ``found``."""
    caps = _caps_text(text)
    # "Pain Is Worse In The Morning": capitals that mark no name, so none of them is evidence
    title_case = sum(zipf(w) >= 5.0 for w in re.findall(rf"(?<=[{LO},] )[{UP}][{LO}]+\b", text)) >= 3
    tokens = list(_TOKEN.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        first = tokens[i]
        run = [first]
        while (i + len(run) < len(tokens) and len(run) < 4
               and re.fullmatch(r"[ \t]+", text[run[-1].end() : tokens[i + len(run)].start()])):
            run.append(tokens[i + len(run)])
        same_case = all(t.group().isupper() == first.group().isupper() for t in run)
        if len(run) >= 2 and same_case and _given(first.group(), 4.7) and _family(run[1].group()):
            taken = [first, run[1]]
            for t in run[2:]:
                if not _family(t.group()):
                    break
                taken.append(t)
            label = text[taken[-1].end() :][:1] == ":"  # "Mein Handy: ..." is a label, not a name
            if not label and not placeish(text, first.start(), taken[-1].end(), prepositions=_PAIR_PLACES):
                spans.append((first.start(), taken[-1].end()))
                i += len(taken)
                continue
        opening = _opens_sentence(text, first.start())
        if (not caps and not title_case and not first.group().isupper() and _given(first.group())
                and (not opening or _PERSON_VERB.match(text, first.end()))
                and (len(run) == 1 or not run[1].group()[0].isupper())
                and not placeish(text, first.start(), first.end())):
            spans.append((first.start(), first.end()))
        i += 1
    pieces, done = [], 0
    for start, end in spans:
        value = text[start:end]
        if s.kept(value):
            continue
        found.update(_base(p).lower() for p in value.split() if len(_base(p)) > 2)
        pieces += [text[done:start], re.sub(r"\S+", lambda m: _keep_s(m.group(), s), value)]
        done = end
    return _squash("".join(pieces) + text[done:])


def _keep_s(token: str, s: Scrubber) -> str:
    return s.mark(Kind.NAME) + (token[len(_base(token)) :])


def _squash(text: str) -> str:
    """One placeholder for a whole name: "[NAME] [NAME]" becomes "[NAME]"."""
    return re.sub(r"\[NAME\](?:[ \t]+\[NAME\])+", "[NAME]", text)
