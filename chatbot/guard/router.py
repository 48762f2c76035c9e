"""The checks that run before retrieval, in the order the clinic set: limits, crisis and red
flags, prompt injection and abuse, scope, off-topic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.guard.safety import SafetyDetector, normalise
from chatbot.reply import Route
from knowledge_base.injection import find_instruction_like
from prompts import load

_USER_INJECTION = re.compile(
    r"\b(what (are|were) your (instructions|rules)|(show|tell|give) me your (prompt|instructions|rules)"
    r"|your (system )?prompt|you are no longer|stop being an? (assistant|bot)|talk like a|respond (only )?as (a|an|if)"
    r"|(say|write) (something|anything) (rude|offensive)|without (any )?(restrictions|filters|rules)"
    r"|unfiltered|no (restrictions|rules|filters)|opposite mode"
    r"|instructions you (were|have been) given"
    r"|repeat (them|your instructions|everything above)|word for word|let'?s role-?play"
    r"|you are (dr|doctor)\.? [a-z]+)\b",
    re.I,
)
_ABUSE = re.compile(r"\b(fuck|screw) (you|off)\b|\byou (are|re) (stupid|useless|an idiot|dumb|worthless)\b", re.I)


@dataclass(frozen=True)
class GuardVerdict:
    route: Route | None  # None: go on to retrieval
    kind: str | None = None  # e.g. "too_long", "dose", the red-flag group
    text: str = ""  # the message to answer (instruction-like parts removed)
    detail: str | None = None


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


class Guard:
    def __init__(self, safety: SafetyDetector, *, max_chars: int = 2000) -> None:
        if max_chars < 10:
            raise ValueError("max_chars must be at least 10")
        self.safety = safety
        self.max_chars = max_chars
        data = load("scope")
        self.scope = {kind: _compile(patterns) for kind, patterns in data["scope"].items()}
        self.off_topic = _compile(data["off_topic"])
        self.on_topic = _compile(data["on_topic"])

    def on_topic_words(self, text: str) -> bool:
        norm = normalise(text)
        return any(p.search(norm) for p in self.on_topic)

    def check(self, message: str) -> GuardVerdict:
        text = message.strip()
        if not text:
            return GuardVerdict(Route.BLOCKED, "empty")
        if len(text) > self.max_chars:
            return GuardVerdict(Route.BLOCKED, "too_long", detail=str(len(text)))
        verdict = self.safety.check(text)
        if verdict.route:
            return GuardVerdict(Route(verdict.route), verdict.group, text, f"{verdict.how}: {verdict.evidence}")
        flags = [f.passage for f in find_instruction_like(text)]
        if _USER_INJECTION.search(text):
            flags.append(_USER_INJECTION.search(text).group(0))  # type: ignore[union-attr]
        if _ABUSE.search(text):
            return GuardVerdict(Route.BLOCKED, "abuse", detail="abuse")
        if flags:
            remainder = text
            for flag in flags:
                remainder = remainder.replace(flag, " ")
            remainder = re.sub(r"\s+", " ", remainder).strip(" .,;:-")
            if len(remainder.split()) < 3 or not self.on_topic_words(remainder):
                return GuardVerdict(Route.BLOCKED, "injection", detail="; ".join(flags))
            text = remainder
        norm = normalise(text)
        for kind, patterns in self.scope.items():
            if any(p.search(norm) for p in patterns):
                return GuardVerdict(Route.SCOPE_REDIRECT, kind, text)
        if any(p.search(norm) for p in self.off_topic) and not self.on_topic_words(text):
            return GuardVerdict(Route.OFF_TOPIC, "off_topic", text)
        return GuardVerdict(None, None, text)
