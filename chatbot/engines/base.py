"""The one interface every answer engine implements, and a helper to get its final answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from chatbot.reply import Answer
from knowledge_base.article import Passage


@runtime_checkable
class AnswerEngine(Protocol):
    """Writes an answer to ``question`` from ``passages``.

    ``passages`` are already filtered (no flagged ones) and ranked best first. ``stream`` yields
    progressively longer answers; the last one yielded is the final answer. ``shown``: the text of the
    assistant's earlier replies in this conversation, so a follow-up doesn't repeat an excerpt.
    """

    name: str

    def stream(self, question: str, passages: Sequence[Passage], *, shown: Sequence[str] = ()) -> Iterator[Answer]:
        ...


def final(engine: AnswerEngine, question: str, passages: Sequence[Passage]) -> Answer:
    """Drain ``engine.stream`` and return the last answer it yielded."""
    last: Answer | None = None
    for last in engine.stream(question, passages):  # noqa: B007 - only the last one matters
        pass
    if last is None:
        raise RuntimeError(f"answer engine {engine.name!r} yielded no answer")
    return last
