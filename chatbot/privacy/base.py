"""What every redaction pass shares: the kinds, the result, and the substitution that records them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    DOB = "DOB"
    ADDRESS = "ADDRESS"
    NAME = "NAME"
    SSN = "SSN"
    MEMBER_ID = "MEMBER_ID"
    MEDICARE = "MEDICARE"
    CARD = "CARD"

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


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"
APOS = "['’]"
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(k.value for k in Kind) + r")\]")

Accept = Callable[[re.Match[str]], bool]


@dataclass
class Scrubber:
    """One message's redaction: replaces matches by placeholders and remembers which kinds it found."""

    kept: Callable[[str], bool]
    found: list[Kind] = field(default_factory=list)

    def mark(self, kind: Kind) -> str:
        if kind not in self.found:
            self.found.append(kind)
        return kind.placeholder

    def sub(self, pattern: re.Pattern[str], kind: Kind, text: str, *, group: str | int = 0,
            accept: Accept | None = None) -> str:
        """Replace ``group`` of every accepted match (the whole match by default) by the kind's placeholder."""

        def repl(m: re.Match[str]) -> str:
            value = m.group(group)
            if not value or self.kept(value) or (accept is not None and not accept(m)):
                return m.group()
            start, end = m.start(group) - m.start(), m.end(group) - m.start()
            return m.group()[:start] + self.mark(kind) + m.group()[end:]

        return pattern.sub(repl, text)
