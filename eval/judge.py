"""Optional model-judged rubric items (HealthBench-style): yes/no criteria with points, some negative.

The model call is kept apart from the scoring, which is pure and unit-tested."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from prompts import load, render

_LINE = re.compile(r"^\s*(\d+)\s*[:.)-]\s*(yes|no)\b", re.I | re.M)


@dataclass(frozen=True)
class Criterion:
    text: str
    points: int  # negative for something the reply must not do


@dataclass(frozen=True)
class Verdict:
    criterion: Criterion
    met: bool | None  # None: the judge gave no readable answer for it


def score(verdicts: Sequence[Verdict]) -> float:
    """Points earned over the points available, clipped to [0, 1]; unanswered items earn nothing."""
    available = sum(v.criterion.points for v in verdicts if v.criterion.points > 0)
    if available == 0:
        return 1.0
    earned = sum(v.criterion.points for v in verdicts if v.met)
    return min(1.0, max(0.0, earned / available))


def parse(text: str, count: int) -> list[bool | None]:
    answers: dict[int, bool] = {}
    for number, word in _LINE.findall(text):
        answers.setdefault(int(number), word.lower() == "yes")
    return [answers.get(i) for i in range(1, count + 1)]


class Judge:
    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self.prompt = load("judge")

    def grade(self, question: str, reply: str, rubric: Sequence[Criterion]) -> list[Verdict]:
        criteria = "\n".join(f"{i}. {c.text}" for i, c in enumerate(rubric, start=1))
        user = render(self.prompt["user"], {"question": html.escape(question), "reply": html.escape(reply),
                                            "criteria": criteria})
        answer = self.model.invoke([SystemMessage(self.prompt["system"]), HumanMessage(user)])
        met = parse(str(answer.content), len(rubric))
        return [Verdict(c, m) for c, m in zip(rubric, met, strict=True)]
