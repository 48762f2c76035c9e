"""Red-flag and crisis detection: reviewed rules plus a classifier trained on the development set.

Every message is cleaned first (``textnorm.clean``: NFKC, invisible characters, look-alike letters,
spaced letters). Rules catch the clear wordings, in English and Spanish, exactly; the classifier
(MiniLM embedding + word and character n-grams, built by ``make models`` from ``eval/dev``) catches the
rest. It scores the whole message and each sentence or clause, so a red flag buried in a long story
counts, and its thresholds were chosen for recall first (see ``training.py``). A conversation is
checked whole: a red flag in an earlier message still counts.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

from chatbot.engines.text import content_stems
from chatbot.guard.classifier import TextClassifier
from chatbot.guard.textnorm import clean
from chatbot.regions import regions

SAFETY_DIR = Path(__file__).resolve().parents[2] / "prompts" / "safety"
SEVERITY = {"crisis": 3, "emergency": 2, "urgent": 1}
LONG_MESSAGE = 300  # characters: longer messages are also read two sentences at a time
WINDOW_CHARS = 400
# More sentence windows than this: overlapping chunks of WINDOW_CHARS instead, over at most CHUNKED_CHARS. So the
# classifier embeds at most 33 pieces of a message whatever its shape (160 windows of short sentences cost
# ~28 normal messages). The longest message in eval/ has 26 windows: real messages are read as before.
MAX_SEGMENTS = 32
CHUNKED_CHARS = 4_000
SCAN_CHARS = 50_000  # the most of one message the checks read (20x the longest message answered); rules read it all
# How a part of the body feels, in the stems of chatbot.engines.text ("really bad lower back pains").
FEELINGS = frozenset({"pain", "pains", "ach", "ache", "achi", "hurt", "sore", "stiff", "tight", "bad", "realli", "veri",
                      "littl", "bit", "lower", "upper", "left", "right", "side", "help"})


def bare_complaint(text: str) -> bool:
    """A part of the body and how it feels, and nothing else ("back pain", "and my neck?", "sore knees"). No
    red flag in ``red-flags.md`` is that alone but chest pain and a head that hurts, which the reviewed rules
    read; the classifier, which learned "back pain" beside fever, cancer and bladder trouble, must not."""
    stems = content_stems(text)
    named = regions(text)
    return bool(stems and named) and not named & {"chest", "head"} and all(
        s in FEELINGS or regions(s) for s in stems)


@dataclass(frozen=True)
class SafetyVerdict:
    """``route`` is ``crisis``, ``emergency``, ``urgent`` or ``None`` (no escalation)."""

    route: str | None
    group: str | None = None
    how: str | None = None  # "rule", "classifier", or either "... in an earlier message"
    evidence: str | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Rule:
    group: str
    route: str
    patterns: tuple[re.Pattern[str], ...]
    unless_history: bool = False
    unless: re.Pattern[str] | None = None  # a named false alarm for this group (red-flags.md, "Not red flags")


def load_rules(path: Path) -> tuple[list[Rule], re.Pattern[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = [
        Rule(group=g["id"], route=g["route"], patterns=tuple(re.compile(p) for p in g["patterns"]),
             unless_history=bool(g.get("unless_history", False)),
             unless=re.compile(g["unless"]) if g.get("unless") else None)
        for g in data["groups"]
    ]
    return rules, re.compile(data["history"])


def normalise(text: str) -> str:
    """Lower case, no apostrophes, no accents (patients type Spanish with and without them)."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip()


def segments(text: str) -> list[str]:
    """What the classifier reads: the whole message, and for a long one (a story with the red flag
    buried in it) also each pair of neighbouring sentences. Short messages are read whole only:
    scoring their clauses alone raised false alarms on the development set (a clause loses its "not")."""
    text = text.strip()
    if len(text) <= LONG_MESSAGE:
        return [text] if text else []
    sentences = [p.strip() for p in re.split(r"(?<=[.!?;])\s+|\n+", text) if p.strip()]
    windows = [" ".join(sentences[i:i + 2])[:WINDOW_CHARS] for i in range(max(1, len(sentences) - 1))]
    if len(windows) > MAX_SEGMENTS:  # one huge run-on: overlapping chunks instead
        windows = [text[i:i + WINDOW_CHARS] for i in range(0, min(len(text), CHUNKED_CHARS), WINDOW_CHARS * 3 // 4)]
    return list(dict.fromkeys([text[:2000], *windows]))


_CLAUSE_START = re.compile(r".*(?:[.,;:!?(]|\bbut\b|\bpero\b|\band\b)", re.S)
_NEGATION = re.compile(r"\b(no|not|never|without|nothing|none|denies|dont have|didnt have|no sign of|sin|ni|nada de)\b")


def negated(text: str, start: int) -> bool:
    """A match right after "no", "not", "without"... in its own clause ("no bladder problems")."""
    before = text[max(0, start - 60):start]
    clause = _CLAUSE_START.sub("", before, count=1)
    return bool(_NEGATION.search(" ".join(clause.split()[-3:])))  # "not sure why, but..." is not a negation


def most_severe(verdicts: Sequence[SafetyVerdict | None]) -> SafetyVerdict | None:
    found = [v for v in verdicts if v is not None and v.route]
    return max(found, key=lambda v: (SEVERITY[v.route or ""], v.how == "rule", v.score), default=None)


def message_scores(classifier: TextClassifier, messages: Sequence[str],
                   vectors: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    """Per message, each class's highest probability over the message and its clauses (as ``check``
    reads them; training uses it to choose thresholds on held-out messages)."""
    rows = []
    for message in messages:
        parts = segments(message) or [message]
        rows.append(classifier.probabilities(parts, vectors(parts)).max(axis=0))
    return np.array(rows).reshape(len(messages), len(classifier.labels))


class SafetyDetector:
    def __init__(
        self,
        embeddings: Embeddings,
        *,
        rules_path: Path = SAFETY_DIR / "rules.yaml",
        classifier: TextClassifier | None = None,
        model_path: Path = Path(__file__).resolve().parent / "models" / "safety.skops",
        cache_size: int = 2048,
    ) -> None:
        self.embeddings = embeddings
        self.rules, self.history = load_rules(rules_path)
        self.classifier = classifier or TextClassifier.load(model_path)
        missing = [label for label in [*SEVERITY, "none"] if label not in self.classifier.labels]
        if missing or "threshold" not in self.classifier.card:
            raise ValueError(f"the safety classifier has no threshold or no class {', '.join(missing)}")
        self.threshold = float(self.classifier.card["threshold"])
        self.resolved_threshold = max(self.threshold, 0.8)
        self._columns = {label: self.classifier.labels.index(label) for label in SEVERITY}
        self._none = self.classifier.labels.index("none")
        self._history_groups = {r.group for r in self.rules if r.unless_history}
        words = getattr(self.classifier.word, "vocabulary_", {}) or {}
        self.vocabulary = frozenset(w for w in words if " " not in w and len(w) > 1) | {"i", "a", "y"}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # --- the parts ----------------------------------------------------------------------------
    def clean(self, message: str) -> str:
        return clean(message[:SCAN_CHARS], self.vocabulary)

    def by_rule(self, message: str) -> SafetyVerdict | None:
        text = normalise(self.clean(message))
        has_history = bool(self.history.search(text))
        hits = []
        for rule in self.rules:
            if (rule.unless_history and has_history) or (rule.unless is not None and rule.unless.search(text)):
                continue
            match = next((m for p in rule.patterns for m in p.finditer(text) if not negated(text, m.start())), None)
            if match:
                hits.append(SafetyVerdict(rule.route, rule.group, "rule", match.group(0), 1.0))
        return most_severe(hits)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, the ones seen recently from a cache (earlier turns are re-checked)."""
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        # One text (most messages are one window) goes through embed_query, whose cache the reply's other steps share.
        found = [self.embeddings.embed_query(todo[0])] if len(todo) == 1 else self.embeddings.embed_documents(todo)
        fresh = dict(zip(todo, np.array(found, dtype=np.float32), strict=True)) if todo else {}
        with self._lock:
            self._cache.update(fresh)
            rows = [self._cache[t] if t in self._cache else fresh[t] for t in texts]
            for t in texts:
                if t in self._cache:
                    self._cache.move_to_end(t)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.array(rows, dtype=np.float32).reshape(len(texts), -1)

    def by_classifier(self, message: str) -> SafetyVerdict | None:
        """Escalates when the probability of "not a safety message" falls low enough anywhere in the
        message; the route is the likeliest safety class there (crisis first on a tie)."""
        text = self.clean(message)
        parts = segments(text)
        if not parts or bare_complaint(text):
            return None
        probs = self.classifier.probabilities(parts, self.vectors(parts))
        safety = 1.0 - probs[:, self._none]
        best = int(safety.argmax())
        # "A fall years ago, fine since" is a named false alarm (red-flags.md): the classifier must be
        # sure when the message says the trouble is old or resolved (on the development set this cost
        # no recall and removed a share of the false alarms).
        # The same holds for a false alarm a rule group names (sore chest muscles after push-ups).
        norm = normalise(text)
        resolved = bool(self.history.search(norm)) or any(r.unless is not None and r.unless.search(norm)
                                                          for r in self.rules)
        if safety[best] < (self.resolved_threshold if resolved else self.threshold):
            return None
        label = max(SEVERITY, key=lambda k: (probs[best, self._columns[k]], SEVERITY[k]))
        return SafetyVerdict(label, label, "classifier", parts[best][:200], float(safety[best]))

    # --- public ---------------------------------------------------------------------------------
    def check(self, message: str) -> SafetyVerdict:
        """One message, any length. A reviewed rule decides the tier when one matches; the classifier
        only adds messages no rule caught (it tells safety from not-safety better than tier from tier)."""
        return self.by_rule(message) or self.by_classifier(message) or SafetyVerdict(None)

    def check_conversation(self, message: str, earlier: Sequence[str] = ()) -> SafetyVerdict:
        """The newest message, then each earlier one (newest first), then the last two read together
        (a red flag split across messages). The most severe finding wins."""
        verdict = self.check(message)
        if verdict.route == "crisis" or not earlier:
            return verdict
        found = [verdict]
        for text in [*reversed(earlier), f"{earlier[-1]}. {message}"]:
            before = self.check(text)
            if before.route:
                found.append(SafetyVerdict(before.route, before.group, f"{before.how} in an earlier message",
                                           before.evidence, before.score))
        return most_severe(found) or SafetyVerdict(None)
