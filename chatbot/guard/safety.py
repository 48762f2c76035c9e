"""Red-flag and crisis detection: reviewed rules plus similarity to a reviewed phrase bank.

Rules catch the clear wordings exactly; the phrase bank catches paraphrases, typos and
lower case. A message escalates by similarity only when one of its sentences is close to a
red-flag phrase *and* closer to it than to any near-miss in the bank's ``not_red_flag``
group ("a fall years ago"), which keeps false alarms down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

SAFETY_DIR = Path(__file__).resolve().parents[2] / "prompts" / "safety"
SEVERITY = {"crisis": 3, "emergency": 2, "urgent": 1}


@dataclass(frozen=True)
class SafetyVerdict:
    """``route`` is ``crisis``, ``emergency``, ``urgent`` or ``None`` (no escalation)."""

    route: str | None
    group: str | None = None
    how: str | None = None  # "rule" or "similarity"
    evidence: str | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Rule:
    group: str
    route: str
    patterns: tuple[re.Pattern[str], ...]
    unless_history: bool = False


@dataclass
class PhraseBank:
    groups: dict[str, str]  # group id -> route ("none" for near-misses)
    phrases: list[tuple[str, str]] = field(default_factory=list)  # (group id, phrase)

    @classmethod
    def load(cls, path: Path) -> PhraseBank:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        bank = cls(groups={})
        for group in data["groups"]:
            bank.groups[group["id"]] = group["route"]
            bank.phrases.extend((group["id"], str(p)) for p in group["phrases"])
        return bank


def load_rules(path: Path) -> tuple[list[Rule], re.Pattern[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = [
        Rule(group=g["id"], route=g["route"], patterns=tuple(re.compile(p) for p in g["patterns"]),
             unless_history=bool(g.get("unless_history", False)))
        for g in data["groups"]
    ]
    return rules, re.compile(data["history"])


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return re.sub(r"\s+", " ", text).strip()


def segments(text: str) -> list[str]:
    """The whole message plus each sentence or clause, so a buried red flag stands out."""
    parts = [p.strip() for p in re.split(r"[.!?;\n]+|,\s+(?:and|but|so)\s+|\s+but\s+", text) if len(p.strip()) > 3]
    return list(dict.fromkeys([text.strip(), *parts]))


class SafetyDetector:
    def __init__(
        self,
        embeddings: Embeddings,
        *,
        bank_path: Path = SAFETY_DIR / "phrase_bank.yaml",
        rules_path: Path = SAFETY_DIR / "rules.yaml",
        thresholds: dict[str, float] | None = None,
        margin: float = 0.0,
    ) -> None:
        # Over-escalating is the safe way to fail, so the bar is lowest for crisis and
        # emergencies and highest for "see a doctor today", whose wordings sit closest to
        # everyday aches. Measured on tests/chatbot/guard/safety_cases.yaml.
        self.thresholds = thresholds or {"crisis": 0.55, "emergency": 0.6, "urgent": 0.66}
        if not all(0 < t < 1 for t in self.thresholds.values()):
            raise ValueError("thresholds must be between 0 and 1")
        self.embeddings = embeddings
        self.margin = margin
        self.rules, self.history = load_rules(rules_path)
        self.bank = PhraseBank.load(bank_path)
        self._groups = [g for g, _ in self.bank.phrases]
        self._matrix = np.array(self.embeddings.embed_documents([p for _, p in self.bank.phrases]), dtype=np.float32)
        self._is_negative = np.array([self.bank.groups[g] == "none" for g in self._groups])
        self._history_groups = {r.group for r in self.rules if r.unless_history}

    def by_rule(self, message: str) -> SafetyVerdict | None:
        text = normalise(message)
        has_history = bool(self.history.search(text))
        hits = []
        for rule in self.rules:
            if rule.unless_history and has_history:
                continue
            for pattern in rule.patterns:
                match = pattern.search(text)
                if match:
                    hits.append(SafetyVerdict(rule.route, rule.group, "rule", match.group(0), 1.0))
                    break
        return max(hits, key=lambda v: SEVERITY[v.route or ""], default=None)

    def by_similarity(self, message: str) -> SafetyVerdict | None:
        parts = segments(message)
        vectors = np.array(self.embeddings.embed_documents(parts), dtype=np.float32)
        sims = vectors @ self._matrix.T  # (segments, phrases)
        best: SafetyVerdict | None = None
        # Old history ("a fall years ago") is not a red flag for the groups whose rules say so.
        skip = self._history_groups if self.history.search(normalise(message)) else set()
        # A near-miss anywhere in the message ("...but it's gone") counts against every part of it.
        negative = float(sims[:, self._is_negative].max()) if self._is_negative.any() else -1.0
        for i, part in enumerate(parts):
            row = sims[i]
            excluded = self._is_negative | np.array([g in skip for g in self._groups])
            positive_row = np.where(excluded, -1.0, row)
            j = int(positive_row.argmax())
            score = float(positive_row[j])
            group = self._groups[j]
            if score >= self.thresholds[self.bank.groups[group]] and score - negative >= self.margin:
                verdict = SafetyVerdict(self.bank.groups[group], group, "similarity", part, score)
                if best is None or (SEVERITY[verdict.route or ""], score) > (SEVERITY[best.route or ""], best.score):
                    best = verdict
        return best

    def check(self, message: str) -> SafetyVerdict:
        verdicts = [v for v in (self.by_rule(message), self.by_similarity(message)) if v is not None]
        if not verdicts:
            return SafetyVerdict(None)
        return max(verdicts, key=lambda v: (SEVERITY[v.route or ""], v.how == "rule"))
