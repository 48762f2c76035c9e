"""Patients' words -> the articles' words, from the staff-edited list in ``prompts/synonyms.yaml``.

``Synonyms.expand("TKR 4 wks ago, still stiff")`` gives the text to search with (each term followed by
its meaning in brackets, so "laptop" keeps its own sense too) and the text to check for words no article
uses (each term replaced by its meaning, so "TKR" no longer counts as an unknown topic word).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import prompts


class SynonymError(ValueError):
    """The synonym list is malformed; the message says which entry and why."""


@dataclass(frozen=True)
class Expansion:
    search: str  # the message with each meaning added after its term
    replaced: str  # the message with each term replaced by its meaning
    matched: tuple[str, ...] = ()  # the terms found, as written in the message


def _pattern(term: str) -> str:
    words = [re.escape(w).replace("'", "'?") for w in term.replace("\u2019", "'").split()]
    plural = "(?:'?s)?" if len(words) == 1 else ""
    return r"(?<![\w'])" + r"\s+".join(words) + plural + r"(?![\w'])"


class Synonyms:
    """``Synonyms(entries)`` where each entry is ``{"terms": [...], "means": "..."}``."""

    def __init__(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.meaning: dict[str, str] = {}
        for number, entry in enumerate(entries, 1):
            terms, means = entry.get("terms"), entry.get("means")
            if not isinstance(means, str) or not means.strip():
                raise SynonymError(f"synonym entry {number}: `means` must be a non-empty text")
            if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
                raise SynonymError(f"synonym entry {number} ({means!r}): `terms` must be a list of words")
            for term in terms:
                key = " ".join(term.lower().replace("\u2019", "'").split())
                if self.meaning.get(key, means) != means:
                    raise SynonymError(f"synonym entry {number}: {term!r} already means {self.meaning[key]!r}")
                self.meaning[key] = means.strip()
        # Longest terms first, so "tennis elbow strap" wins over a shorter term inside it.
        ordered = sorted(self.meaning, key=len, reverse=True)
        self._terms = [(re.compile(_pattern(t), re.I), t) for t in ordered]
        self._any = re.compile("|".join(f"(?:{_pattern(t)})" for t in ordered), re.I) if ordered else None

    @classmethod
    def load(cls) -> Synonyms:
        data = prompts.load("synonyms")
        entries = data.get("synonyms") or []
        if not isinstance(entries, list):
            raise SynonymError("prompts/synonyms.yaml: `synonyms` must be a list of entries")
        return cls(entries)

    def _meaning_of(self, found: str) -> str:
        return next(self.meaning[term] for pattern, term in self._terms if pattern.fullmatch(found))

    def expand(self, text: str) -> Expansion:
        if self._any is None:
            return Expansion(text, text)
        text = text.replace("\u2019", "'")
        matched: list[str] = []
        added: set[str] = set()

        def search(match: re.Match[str]) -> str:
            means = self._meaning_of(match.group(0))
            matched.append(match.group(0))
            if means in added or means.lower() == match.group(0).lower():
                return match.group(0)
            added.add(means)
            return f"{match.group(0)} ({means})"

        expanded = self._any.sub(search, text)
        replaced = self._any.sub(lambda m: self._meaning_of(m.group(0)), text)
        return Expansion(expanded, replaced, tuple(matched))
