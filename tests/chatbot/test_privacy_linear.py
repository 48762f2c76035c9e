"""The redactor's work grows linearly with the message (issue 11): counted, not timed.

Every regular expression the privacy modules use is wrapped so that it adds up how many characters it
is handed to scan; the same message, twice as long, must cost about twice as much. A pattern searched
again over the text before each token (the old sentence-start check) or re-run over the whole text
once per name found would make the count grow with the square of the length.
"""

from __future__ import annotations

import importlib
import re
import types
from typing import Any

import pytest

from chatbot.privacy import Redactor
from chatbot.privacy.lexicon import _surnames, zipf

MODULES = ["base", "contact", "numbers", "dates", "address", "names", "people", "lexicon"]


class _Counted:
    """A compiled pattern that records how many characters each call is given to scan."""

    def __init__(self, pattern: re.Pattern[str], tally: list[int]) -> None:
        self._pattern, self._tally = pattern, tally

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pattern, name)

    def _count(self, string: str, pos: int = 0, endpos: int | None = None) -> None:
        self._tally[0] += len(string[pos:endpos])

    def search(self, string: str, pos: int = 0, endpos: int = 2**31) -> Any:
        self._count(string, pos, endpos)
        return self._pattern.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = 2**31) -> Any:
        self._tally[0] += 1  # anchored where it is asked: a match scans what follows, not the whole text
        return self._pattern.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = 2**31) -> Any:
        self._count(string, pos, endpos)
        return self._pattern.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = 2**31) -> Any:
        self._count(string, pos, endpos)
        return self._pattern.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = 2**31) -> Any:
        self._count(string, pos, endpos)
        return self._pattern.findall(string, pos, endpos)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        self._count(string)
        return self._pattern.sub(repl, string, count=count)


def _counting_re(tally: list[int]) -> types.SimpleNamespace:
    """Stands in for the ``re`` module inside the privacy modules: patterns compiled there are counted too."""

    def compile_(pattern: Any, flags: int = 0) -> Any:
        return _Counted(re.compile(pattern, flags), tally)

    def call(method: str) -> Any:
        return lambda pattern, string, flags=0: getattr(compile_(pattern, flags), method)(string)

    def sub(pattern: Any, repl: Any, string: str, count: int = 0, flags: int = 0) -> str:
        return str(compile_(pattern, flags).sub(repl, string, count))

    def split(pattern: Any, string: str, maxsplit: int = 0, flags: int = 0) -> list[str]:
        tally[0] += len(string)
        return re.split(pattern, string, maxsplit=maxsplit, flags=flags)

    stand_in = {n: getattr(re, n) for n in dir(re) if not n.startswith("__")}
    stand_in.update(compile=compile_, search=call("search"), match=call("match"), fullmatch=call("fullmatch"),
                    finditer=call("finditer"), findall=call("findall"), sub=sub, split=split)
    return types.SimpleNamespace(**stand_in)


@pytest.fixture
def tally(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    for name in MODULES:
        module = importlib.import_module(f"chatbot.privacy.{name}")
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(module, attr, _Counted(value, count))
            elif isinstance(value, list) and value and all(isinstance(v, tuple) and v and isinstance(v[0], re.Pattern)
                                                            for v in value):
                monkeypatch.setattr(module, attr, [(_Counted(v[0], count), *v[1:]) for v in value])
        if hasattr(module, "re"):
            monkeypatch.setattr(module, "re", _counting_re(count))
    return count


GIVEN = ["Marisela", "Dolores", "Yolanda", "Fatima", "Ingrid", "Consuelo", "Henrietta", "Leighton"]


def _message(sentences: int) -> str:
    """Sentences with a different person in each (names found grow with the text), eponyms and numbers."""
    family = [s for s in sorted(_surnames())[::97] if len(s) > 6 and zipf(s) < 2.0][:sentences]
    assert len(family) == sentences
    parts = []
    for n, surname in enumerate(family):
        given = GIVEN[n % len(GIVEN)]
        parts.append(f"My sister {given} {surname.title()} did 3x10 Romanian deadlifts. "
                     f"Please tell {given} the knee is better on day {n}, and the Achilles too!")
    return " ".join(parts)


def test_the_work_to_redact_a_message_grows_linearly_with_its_length(tally: list[int]) -> None:
    redactor = Redactor()
    costs = []
    for sentences in (40, 80, 160):
        message = _message(sentences)
        tally[0] = 0
        result = redactor.redact(message)
        assert result.text.count("[NAME]") >= sentences  # the names are found at every length
        costs.append(tally[0] / len(message))
    assert costs[2] <= 1.15 * costs[0], costs  # per character, the cost stays flat (quadratic work doubles it)


HOSTILE = {  # shapes built to make a pattern backtrack or rescan: one long run of the same token
    "name": lambda n: "I'm " + "Aa" * n,
    "phone": lambda n: "+1 " + "1 " * n,
    "address": lambda n: "1 " * n + "Street",
    "cue": lambda n: "name is " + "a " * n,
}


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_hostile_shapes_cost_no_more_per_character_as_they_grow(tally: list[int], shape: str) -> None:
    redactor = Redactor()
    costs = []
    for n in (1250, 5000):
        message = HOSTILE[shape](n)
        tally[0] = 0
        redactor.redact(message)
        costs.append(tally[0] / len(message))
    assert costs[1] <= 1.15 * costs[0], costs
