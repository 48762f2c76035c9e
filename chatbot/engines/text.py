"""Sentence splitting and plain-language word handling shared by the answer engines."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|(?<=[.!?][\"'\u201d\u2019)])\s+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    (
        "a about above after again against all am an and any are as at be because been before being below "
        "between both but by can could did do does doing down during each few for from further had has have "
        "having he her here hers herself him himself his how i if in into is it its itself just me more most "
        "my myself no nor not now of off on once only or other our ours ourselves out over own same she "
        "should so some such than that the their theirs them themselves then there these they this those "
        "through to too under until up very was we were what when where which while who whom why will with "
        "would you your yours yourself yourselves im ive id dont doesnt cant wont isnt arent also get got "
        "really much many thing things way lot "
    ).split()
)


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping closing quotes with their sentence."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def content_stems(text: str) -> list[str]:
    """Stemmed content words: "sitting"/"sit" and "hips"/"hip" meet; stop words drop out."""
    words = [w.replace("'", "") for w in _WORD.findall(text.lower().replace("\u2019", "'"))]
    return list(_stemmer().stemWords([w for w in words if w not in STOPWORDS and len(w) > 1]))


@lru_cache(maxsize=8192)
def word_rarity(word: str) -> float:
    """How common ``word`` is in English on the Zipf scale (wordfreq's bundled lists: 0 unseen, 3 "sciatica",
    5 "yesterday"); numbers count as common. Used to tell a topic word from an everyday one."""
    from wordfreq import zipf_frequency

    return 6.0 if word.isdigit() else float(zipf_frequency(word, "en"))
