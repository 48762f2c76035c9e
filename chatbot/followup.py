"""Turn a follow-up ("and what about when I walk?") into a question that stands on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.engines.text import content_stems

_FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|so|or|then|what about|how about|what if|and if|same for|same with|"
    r"(does|is|can|will|would|should|could) (it|that|this|they|those)|why (is|does) (it|that)|"
    r"(is|are) (there|they)|how (long|often|much|soon)\b(?! (does|do|should|can) (a|an|the|my) \w+))\b",
    re.I,
)
_PRONOUN = re.compile(r"\b(it|that|this|they|them|those|these|there)\b", re.I)
# A message phrased as a question or a request, as opposed to a bare complaint ("my knee hurts", "shoulder").
_ASKS = re.compile(
    r"\?|^\s*(how|what|why|when|which|where|who|should|can|could|is|are|do|does|did|will|would|any|tips?|help|"
    r"please|ok|okay)\b|\b(should i|can i|could i|do i|is it|are they|how (long|often|much|many|do|can|should|to)|"
    r"what (should|can|helps?|do|to|are|is)|any (tips|ideas|advice|exercises?|stretch\w*)|tell me|"
    r"explain|help me|i want to know|wondering|advice|ideas|tips)\b", re.I)


def is_follow_up(message: str) -> bool:
    if _FOLLOW_UP.match(message):
        return True
    return len(content_stems(message)) <= 3 and bool(_PRONOUN.search(message))


def asks_question(message: str) -> bool:
    return bool(_ASKS.search(message))


def topic_of(earlier: Sequence[str]) -> str:
    """The last earlier message that stood on its own (the conversation's current topic)."""
    return next((q.strip() for q in reversed(earlier) if not is_follow_up(q)), earlier[-1].strip() if earlier else "")


def standalone(message: str, earlier: Sequence[str]) -> str:
    """``message`` with the last earlier question that stood on its own in front of it, if needed."""
    if not earlier or not is_follow_up(message):
        return message
    return f"{topic_of(earlier)} {message.strip()}"
