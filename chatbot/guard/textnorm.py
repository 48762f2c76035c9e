"""Make a patient's message readable to the checks, whatever form it came in.

Unicode NFKC, invisible characters (zero-width, soft hyphen, joiners) removed, look-alike
letters from other alphabets mapped to Latin ones (Unicode's confusables data, shipped by the
``confusable_homoglyphs`` package), digits used as letters inside words ("k1ll") read as letters,
letters spaced or dotted apart ("s u i c i d e") joined, emoji turned into spaces.

Markup is removed only where Python's HTML parser says it is a tag of a real HTML element:
``pain <3 ... >8/10`` keeps every word, ``<img onerror=...>`` goes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import confusable_homoglyphs

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
# Runs of three or more single letters, each followed by one separator: "c h e s t", "s.u.i.c.i.d.e".
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){2,}[^\W\d_](?![\w])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[013457@$])[a-z013457@$]{3,}\b", re.I)
_LEET_INSIDE = re.compile(r"(?<=[a-z])[013457@$]+(?=[a-z])", re.I)  # "k1ll", "mys3lf"; never "3am" or "b4"
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, str]:
    """Non-Latin letters that look like one Latin letter (Cyrillic а -> a, Greek ο -> o)."""
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii() or "LATIN" in unicodedata.name(char, "LATIN"):
            continue
        for glyph in glyphs:
            if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalpha():
                table[char] = glyph["c"]
                break
    return table


def map_lookalikes(text: str) -> str:
    """Map look-alike letters in a message written mostly in Latin letters; in a message mostly in
    another alphabet (a Russian question), only inside words that mix the two."""
    table = _lookalikes()
    letters = _LETTER.findall(text)
    mostly_latin = not letters or sum(bool(_LATIN.match(c)) for c in letters) >= len(letters) / 2
    if mostly_latin:
        return "".join(table.get(c, c) for c in text)
    return re.sub(r"\w+", lambda m: "".join(table.get(c, c) for c in m.group(0))
                  if _LATIN.search(m.group(0)) else m.group(0), text)


def join_spaced(text: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """``c h e s t  p a i n`` -> ``chest pain``: a double space (or a known-word split) separates words."""

    def join(match: re.Match[str]) -> str:
        letters = re.sub(r"[ .\-_*]", "", match.group(0))
        return split_words(letters, vocabulary) if vocabulary else letters

    groups = re.split(r"( {2,}|\t)", text)
    return "".join(g if not g.strip() else _SPACED.sub(join, g) for g in groups)


def split_words(run: str, vocabulary: frozenset[str]) -> str:
    """Break a run of joined letters into the fewest known words ("chestpain" -> "chest pain");
    the run as it is when no split uses known words only."""
    lower = run.lower()
    if lower in vocabulary or len(run) > 40:
        return run
    best: list[list[str] | None] = [[]] + [None] * len(lower)
    for end in range(1, len(lower) + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            if head is not None and lower[start:end] in vocabulary:
                candidate = [*head, lower[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    found = best[-1]
    return " ".join(found) if found else run


def clean(text: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """The message as the checks read it (case kept; see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = map_lookalikes(text)
    text = "".join(" " if unicodedata.category(c) in {"So", "Sk", "Cs", "Co"} else c for c in text)
    text = _LEET_WORD.sub(lambda m: _LEET_INSIDE.sub(lambda d: d.group(0).translate(_LEET), m.group(0)), text)
    text = join_spaced(text, vocabulary)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# Every element name of HTML (WHATWG), so that only real tags are taken for markup.
_HTML_ELEMENTS = frozenset("""a abbr address area article aside audio b base bdi bdo blockquote body br button
canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset
figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input
ins kbd label legend li link main map mark marquee menu meta meter nav noscript object ol optgroup option output
p param picture pre progress q rp rt ruby s samp script search section select slot small source span strong style
sub summary sup svg table tbody td template textarea tfoot th thead time title tr track u ul var video wbr math
""".split())
_DROP_CONTENT = frozenset({"script", "style", "template", "noscript"})


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_ELEMENTS:  # "<kill myself>" is not HTML: keep it as text
            self.parts.append(self.get_starttag_text() or "")
            return
        self.skipping += tag in _DROP_CONTENT
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _HTML_ELEMENTS:
            self.parts.append(f"</{tag}>")
            return
        if tag in _DROP_CONTENT and self.skipping:
            self.skipping -= 1
        self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.parts.append(" ")


def strip_markup(text: str) -> str:
    """The message without HTML tags (as Python's HTML parser reads them), scripts and styles."""
    if "<" not in text and "&" not in text:
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    rawdata = getattr(parser, "rawdata", "")  # an unfinished "<..." at the end stays as text
    return re.sub(r"[ \t]{2,}", " ", "".join(parser.parts) + rawdata).strip()
