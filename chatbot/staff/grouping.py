"""Pure logic behind "what patients ask": normalising, grouping, labelling and CSV-safe cells.

Nothing here touches the database, the model or the disk: :func:`group_questions` takes an ``embed``
function, so tests and tuning scripts can feed it the real model or anything else.

Grouping is average-linkage agglomerative clustering on cosine similarity (see :func:`cluster`): groups
merge while the average similarity between their questions is at least ``threshold``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import Stemmer

from chatbot.privacy import Kind

# Average cosine similarity (MiniLM, normalised) between two groups' questions for them to merge.
# Tuned on 130 realistic questions in 37 topics: 0.52-0.56 was best (pairwise precision 0.85-0.94,
# recall about 0.5); 0.55 keeps "my shins hurt after jogging" with "shin splints when running" (0.75)
# while "frozen shoulder exercises?" stays apart from "tennis elbow exercises?" (0.53) and shin splints (0.24-0.39).
DEFAULT_THRESHOLD = 0.55

Embed = Callable[[list[str]], "Sequence[Sequence[float]] | np.ndarray"]  # one vector per text

PLACEHOLDER = re.compile("|".join(re.escape(k.placeholder) for k in Kind))
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NOT_WORD = re.compile(r"[^\w']+|_+")
_WORD = re.compile(r"[^\W\d_]\w*(?:'[^\W\d_]+)?")  # starts with a letter (any script), may hold digits

# Left out of labels: function words, chat filler and words every question shares.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any anything are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't done
    down during each either else etc even ever every few for from further get gets getting got gotten had hadn't
    has hasn't have haven't having he he's her here hers herself him himself his how how's i i'd i'll i'm i've
    if im in into is isn't it it's its itself ive just let let's lot lots me mine more most much must mustn't my
    myself no nor not now of off ok okay on once one only or other ought our ours ourselves out over own per
    please pls quite rather really same shall she should shouldn't so some something such than thank thanks thx
    that that's the their theirs them themselves then there there's these they they're thing things this those
    through to too under until up upon us very via was wasn't way ways we we're were weren't what what's whats
    when where which while who whom whose why will with won't would wouldn't yeah yes yet you you're your yours
    yourself hi hello hey dear help helps helped helping know tell want wanted need needed like likes anyone
    someone advice tip tips best good bad better worse question questions wondering wonder curious maybe
    possible usually sometimes always often still since ago lately recently today yesterday bit kind sort
    many use using used make makes go going take takes taking try trying tried say said hoping feel feels
    feeling felt thing""".split()
)

# Messages that are only greetings, thanks or yes/no: not questions staff need to see.
PLEASANTRIES = frozenset(
    """hi hello hey hiya yo dear good morning afternoon evening day there thanks thank you thx ty cheers ok okay
    k kk yes yeah yep no nope nah bye goodbye cool great nice awesome perfect sure please got it alright all
    right test testing lol hmm""".split()
)

# Words so common in a clinic that, when equally frequent, another word makes the better label.
GENERIC = frozenset(
    """pain painful hurt hurts hurting ache aches aching achy sore soreness exercise exercises exercising stretch
    stretches stretching run running therapy physio physical""".split()
)

# Cells a spreadsheet would run as a formula (or that hide one behind a tab or carriage return).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(values: Iterable[object]) -> list[str]:
    return [csv_safe(v) for v in values]


def normalise(text: str) -> str:
    """The duplicate key of a question: no placeholders, punctuation, case or extra whitespace.

    ``"Shin splints??"`` and ``"  shin SPLINTS "`` share a key; an empty key means no words at all.
    """
    text = PLACEHOLDER.sub(" ", unicodedata.normalize("NFKC", text)).translate(_APOSTROPHES).lower()
    words = (w.strip("'") for w in _NOT_WORD.sub(" ", text).split())
    return " ".join(w for w in words if w)


def is_chatter(key: str) -> bool:
    """True for a normalised message with no words, or only greetings, thanks, yes/no and filler words.

    ``"hi"``, ``"ok thanks so much"`` and ``"what?"`` are chatter; ``"and when I walk?"`` is not.
    """
    return all(w in PLEASANTRIES or w in STOPWORDS for w in key.split())


@dataclass(frozen=True)
class Asked:
    """One stored patient question. ``reason`` is what it is counted under (a route, or a backlog reason)."""

    text: str
    asked_at: datetime
    session: str
    reason: str


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions, for staff: ``count`` questions (``sessions`` patients), the most typical first."""

    label: str
    count: int
    examples: tuple[str, ...]
    reasons: dict[str, int]
    last_asked: datetime
    sessions: int = 0
    questions: int = field(default=0)  # distinct questions (after normalising) in the group

    def describe(self) -> str:
        """``"12 questions about shin splints"``."""
        noun = "question" if self.count == 1 else "questions"
        return f"{self.count} {noun} about {self.label}"


# --- clustering ------------------------------------------------------------------------------------
def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1.0, norms))


def cluster(vectors: np.ndarray, weights: Sequence[float], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Groups of row indices: average-linkage agglomerative clustering on cosine similarity.

    The two groups with the highest average similarity between their members merge, again and again,
    while that average is at least ``threshold``. A row's weight counts it that many times (a question
    asked 500 times weighs 500), so this is exactly average linkage over every copy. Groups come back
    in no particular order; members in row order. Time about O(n^2), memory n^2 floats.
    """
    n = len(vectors)
    if len(weights) != n:
        raise ValueError("one weight per vector")
    if n == 0:
        return []
    units = _unit(np.asarray(vectors, dtype=np.float64))
    sims = units @ units.T
    np.fill_diagonal(sims, -np.inf)
    size = np.asarray(weights, dtype=np.float64)
    members = [[i] for i in range(n)]
    best = np.argmax(sims, axis=1)  # each group's most similar other group, and how similar
    best_sim = sims[np.arange(n), best]
    while n > 1:
        i = int(np.argmax(best_sim))
        if best_sim[i] < threshold:
            break
        j = int(best[i])
        merged = (size[i] * sims[i] + size[j] * sims[j]) / (size[i] + size[j])
        sims[i, :] = merged
        sims[:, i] = merged
        sims[j, :] = -np.inf
        sims[:, j] = -np.inf
        sims[i, i] = -np.inf
        size[i] += size[j]
        members[i] += members[j]
        members[j] = []
        best_sim[j] = -np.inf
        # An average never exceeds both parts, so only rows that pointed at i or j need a new best.
        for k in {i, *np.flatnonzero((best == i) | (best == j)).tolist()} - {j}:
            best[k] = int(np.argmax(sims[k]))
            best_sim[k] = sims[k, best[k]]
    return [sorted(m) for m in members if m]


def typical_order(vectors: np.ndarray, weights: Sequence[float], members: Sequence[int]) -> list[int]:
    """``members`` from the most typical (closest to the weighted centroid) to the least; ties: heavier first."""
    units = _unit(np.asarray(vectors, dtype=np.float64)[list(members)])
    w = np.asarray([weights[i] for i in members], dtype=np.float64)
    centroid = (w[:, None] * units).sum(axis=0)
    sims = units @ centroid
    ranked = sorted(range(len(members)), key=lambda k: (-round(float(sims[k]), 6), -w[k], k))
    return [members[k] for k in ranked]


# --- labels ------------------------------------------------------------------------------------------
_STEMMER = Stemmer.Stemmer("english")


def _tokens(text: str) -> list[str]:
    """Lower-case words of a question, placeholders dropped; stopwords become ``""`` to break bigrams."""
    text = PLACEHOLDER.sub(" ", text).translate(_APOSTROPHES).lower()
    return [w if w not in STOPWORDS and len(w) > 1 else "" for w in _WORD.findall(text)]


def label(texts: Sequence[str], weights: Sequence[int], *, fallback: str, max_chars: int = 60) -> str:
    """Short topic words for a group: its most frequent meaningful word or word pair.

    A word (stemmed, so "shin" and "shins" count together) or adjacent pair must be in at least two of the
    questions (copies count) and in at least 30% of them; a pair beats its own word when it is in at least
    half as many; on a tie, clinic-generic words ("pain", "exercises") come last. One more non-overlapping
    term is added when it is in at least half of the questions. With no such term the label is ``fallback``
    (the most typical question), shortened to ``max_chars``.
    """
    total = sum(weights)
    df: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    first_seen: dict[tuple[str, ...], int] = {}
    position = 0
    for text, weight in zip(texts, weights, strict=True):
        words = _tokens(text)
        stems = [_STEMMER.stemWord(w) if w else "" for w in words]
        seen: set[tuple[str, ...]] = set()
        for k, stem in enumerate(stems):
            if not stem:
                continue
            terms: list[tuple[tuple[str, ...], str]] = [((stem,), words[k])]
            if k + 1 < len(stems) and stems[k + 1]:
                terms.append(((stem, stems[k + 1]), f"{words[k]} {words[k + 1]}"))
            for term, shown in terms:
                surface[term][shown] += weight
                first_seen.setdefault(term, position := position + 1)
                if term not in seen:
                    seen.add(term)
                    df[term] += weight
    floor = max(2, math.ceil(0.3 * total))
    generic = {t for t in df if all(surface_word in GENERIC for s in surface[t] for surface_word in s.split())}
    ranked = sorted((t for t in df if df[t] >= floor), key=lambda t: (-df[t], len(t) == 1, t in generic, first_seen[t]))
    unigrams = [t for t in ranked if len(t) == 1]
    if not unigrams:
        return _shorten(fallback, max_chars)
    picked: list[tuple[str, ...]] = []
    for word in unigrams:
        if any(word[0] in p for p in picked):
            continue
        pairs = [t for t in ranked if len(t) == 2 and word[0] in t and 2 * df[t] >= df[word]]
        pairs = [t for t in pairs if not any(s in p for p in picked for s in t)]
        picked.append(pairs[0] if pairs else word)
        if len(picked) == 2:
            break
    if len(picked) == 2 and 2 * df[picked[1]] < total:
        picked.pop()
    words = [surface[t].most_common(1)[0][0] for t in picked]
    return _shorten(", ".join(words), max_chars)


def _shorten(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


# --- putting it together ---------------------------------------------------------------------------------
def group_questions(
    asked: Sequence[Asked],
    embed: Embed,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    examples: int = 3,
) -> list[QuestionGroup]:
    """Group questions by meaning, biggest group first (ties: most recently asked first).

    Copies that normalise to the same key are embedded once. Messages with no words once placeholders
    and punctuation are gone, or only pleasantries ("hi", "thanks!"), are left out (:func:`is_chatter`).
    """
    by_key: dict[str, list[Asked]] = defaultdict(list)
    for a in asked:
        key = normalise(a.text)
        if not is_chatter(key):
            by_key[key].append(a)
    if not by_key:
        return []
    keys = list(by_key)
    vectors = np.asarray(embed(keys), dtype=np.float64)
    if vectors.shape[0] != len(keys):
        raise ValueError("embed returned a different number of vectors than texts")
    weights = [len(by_key[k]) for k in keys]
    groups: list[QuestionGroup] = []
    for members in cluster(vectors, weights, threshold):
        ordered = typical_order(vectors, weights, members)
        items = [a for i in ordered for a in by_key[keys[i]]]
        shown = [_shown_text(by_key[keys[i]]) for i in ordered]
        groups.append(QuestionGroup(
            label=label(shown, [weights[i] for i in ordered], fallback=shown[0]),
            count=len(items),
            examples=tuple(shown[:examples]),
            reasons=dict(Counter(a.reason for a in items).most_common()),
            last_asked=max(a.asked_at for a in items),
            sessions=len({a.session for a in items}),
            questions=len(ordered),
        ))
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp(), g.label))
    return groups


def _shown_text(copies: Sequence[Asked]) -> str:
    """The stored wording most often used for one key (ties: the latest), whitespace tidied."""
    counts = Counter(" ".join(a.text.split()) for a in copies)
    latest = {" ".join(a.text.split()): a.asked_at for a in copies}
    return max(counts, key=lambda t: (counts[t], latest[t]))
