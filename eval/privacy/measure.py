"""Measure the real Redactor over a labelled privacy corpus: recall per kind and false redactions.

Scoring is pure. An identifier counts as caught when its exact value no longer appears in the
redacted text as a whole token (so "ana" is not "found" inside "banana"). A message without
identifiers is falsely redacted when anything in it changed. A message with identifiers is
over-redacted when a word outside its identifiers (and outside the placeholders) went missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CORPORA = Path(__file__).parent
KINDS = ("SSN", "PHONE", "EMAIL", "MEMBER_ID", "MEDICARE", "CARD", "NAME", "DOB", "ADDRESS")


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    identifiers: tuple[Identifier, ...] = ()


@dataclass
class Result:
    caught: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    negatives: int = 0
    false_redactions: int = 0
    positives: int = 0
    over_redactions: int = 0
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (case id, kind, value)
    false: list[str] = field(default_factory=list)  # ids of negatives changed, ids of positives over-redacted

    def recall(self, kind: str) -> float | None:
        return self.caught[kind] / self.total[kind] if self.total[kind] else None

    @property
    def false_redaction_rate(self) -> float:
        return self.false_redactions / self.negatives if self.negatives else 0.0

    @property
    def over_redaction_rate(self) -> float:
        return self.over_redactions / self.positives if self.positives else 0.0

    def summary(self) -> dict[str, Any]:
        """Aggregate numbers only (no case text), safe to print for the frozen set."""
        return {
            "recall": {k: self.recall(k) for k in KINDS if self.total[k]},
            "caught": {k: self.caught[k] for k in KINDS if self.total[k]},
            "total": {k: self.total[k] for k in KINDS if self.total[k]},
            "negatives": self.negatives,
            "false_redaction_rate": self.false_redaction_rate,
            "positives": self.positives,
            "over_redaction_rate": self.over_redaction_rate,
        }


def load(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Case(str(c["id"]), str(c["text"]),
             tuple(Identifier(str(i["kind"]), str(i["value"])) for i in c.get("identifiers") or ()))
        for c in data["cases"]
    ]


SETS = ("dev", "dev2", "frozen")  # dev and dev2 are studied and tuned on; frozen is only read in aggregate


def corpus_path(name: str) -> Path:
    if name not in SETS:
        raise ValueError(f"unknown privacy corpus {name!r}: use one of {', '.join(SETS)}")
    return CORPORA / f"{name}.yaml"


def appears(value: str, text: str) -> bool:
    """Whether ``value`` is still in ``text`` as a whole token (not inside a longer word or number)."""
    return re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text) is not None


_WORD = re.compile(r"[^\W\d_]{2,}")


def over_redacted(case: Case, redacted: str) -> bool:
    """Whether a word of the message that belongs to no identifier is missing after redaction."""
    rest = case.text
    for ident in sorted(case.identifiers, key=lambda i: len(i.value), reverse=True):
        rest = rest.replace(ident.value, " ")
    kept = set(_WORD.findall(redacted))
    return any(w not in kept for w in _WORD.findall(rest))


def score(cases: Iterable[Case], redact: Callable[[str], str]) -> Result:
    result = Result()
    for case in cases:
        redacted = redact(case.text)
        if not case.identifiers:
            result.negatives += 1
            if redacted != case.text:
                result.false_redactions += 1
                result.false.append(case.id)
            continue
        result.positives += 1
        for ident in case.identifiers:
            result.total[ident.kind] += 1
            if appears(ident.value, redacted):
                result.missed.append((case.id, ident.kind, ident.value))
            else:
                result.caught[ident.kind] += 1
        if over_redacted(case, redacted):
            result.over_redactions += 1
            result.false.append(case.id)
    return result


def measure(name: str) -> Result:
    """Run the real default Redactor over the named corpus."""
    from chatbot.privacy import Redactor

    redactor = Redactor()
    return score(load(corpus_path(name)), lambda text: redactor.redact(text).text)
