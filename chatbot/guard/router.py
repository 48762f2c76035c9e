"""The checks that run before retrieval, in the order the clinic set: crisis and red flags (on the
whole conversation, at any length), limits, prompt injection and abuse, scope, language, off-topic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.followup import topic_of
from chatbot.guard.intent import IntentClassifier, scope_kind
from chatbot.guard.language import detect
from chatbot.guard.safety import SafetyDetector, normalise
from chatbot.guard.textnorm import strip_markup
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
    text: str = ""  # the message to answer (markup and instruction-like parts removed, personal details replaced)
    detail: str | None = None
    lang: str = "en"  # the patient's language: en, es or other
    intent: str | None = None  # what the intent classifier read, when the message goes on to retrieval


def _without(text: str, parts: Sequence[str]) -> str:
    for part in parts:
        text = text.replace(part, " ")
    return re.sub(r"\s+", " ", text).strip(" .,;:-")


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


class Guard:
    def __init__(self, safety: SafetyDetector, *, max_chars: int = 2000, intents: IntentClassifier | None = None,
                 blocked_confidence: float = 0.8) -> None:
        if max_chars < 10:
            raise ValueError("max_chars must be at least 10")
        self.safety = safety
        self.intents = intents
        self.blocked_confidence = blocked_confidence
        self.max_chars = max_chars
        data = load("scope")
        self.scope = {kind: _compile(patterns) for kind, patterns in data["scope"].items()}
        self.off_topic = _compile(data["off_topic"])
        self.on_topic = _compile(data["on_topic"])

    def on_topic_words(self, text: str) -> bool:
        norm = normalise(text)
        return any(p.search(norm) for p in self.on_topic)

    def check(self, message: str, earlier: Sequence[str] = (), *, redacted: str | None = None) -> GuardVerdict:
        """``earlier``: the patient's earlier messages in this conversation, oldest first. ``redacted``: the
        message with personal details replaced, which everything after the safety check reads: the intent
        classifier (it learned from messages without raw phone numbers and addresses, which it would read as
        clinic business) and, through the verdict's text, retrieval."""
        text = message.strip()
        if not text:
            return GuardVerdict(Route.BLOCKED, "empty")
        lang = detect(self.safety.clean(text[:4000]))
        # Safety first, on the whole conversation and however long the message is.
        verdict = self.safety.check_conversation(text, earlier)
        if verdict.route:
            return GuardVerdict(Route(verdict.route), verdict.group, text, f"{verdict.how}: {verdict.evidence}",
                                lang if lang == "es" else "en")
        if len(text) > self.max_chars:
            return GuardVerdict(Route.BLOCKED, "too_long", detail=str(len(text)), lang=lang)
        text = self.safety.clean(strip_markup(text))
        if not text:
            return GuardVerdict(Route.BLOCKED, "empty", lang=lang)
        flags = [f.passage for f in find_instruction_like(text)]
        if _USER_INJECTION.search(text):
            flags.append(_USER_INJECTION.search(text).group(0))  # type: ignore[union-attr]
        if _ABUSE.search(text):
            return GuardVerdict(Route.BLOCKED, "abuse", detail="abuse", lang=lang)
        # What the rest reads: the message with personal details replaced (retrieval would count "Jane", "Doe"
        # and an SSN's digits as words no article uses; the intent classifier learned from messages without raw
        # phone numbers). A message that held instruction-like parts goes on as their remainder.
        private = self.safety.clean(strip_markup(redacted)) if redacted is not None else text
        if flags:
            text, private = _without(text, flags), _without(private, flags)
            if len(text.split()) < 3 or not self.on_topic_words(text):
                return GuardVerdict(Route.BLOCKED, "injection", detail="; ".join(flags), lang=lang)
        norm = normalise(text)
        for kind, patterns in self.scope.items():
            if any(p.search(norm) for p in patterns):
                return GuardVerdict(Route.SCOPE_REDIRECT, kind, private, lang=lang)
        if lang == "other":
            return GuardVerdict(Route.OTHER_LANGUAGE, "other_language", text, lang=lang)
        intent = self.intents.classify(private) if self.intents else None
        if intent is not None and intent.label == "off_topic" and earlier and self.intents is not None:
            # "ok and how many times a day?" is off-topic alone and a question in its conversation.
            intent = self.intents.classify(f"{topic_of(earlier)} {private}")
        if intent is not None:
            detail = f"classifier {intent.confidence:.2f}"
            if intent.label == "scope_redirect":
                return GuardVerdict(Route.SCOPE_REDIRECT, scope_kind(text), private, detail, lang)
            if intent.label in {"small_talk", "clinic_info"}:
                return GuardVerdict(Route(intent.label), intent.label, text, detail, lang)
            if intent.label == "blocked" and intent.confidence >= self.blocked_confidence:
                return GuardVerdict(Route.BLOCKED, "injection", text, detail, lang)
            if intent.label == "off_topic" and not self.on_topic_words(text):
                return GuardVerdict(Route.OFF_TOPIC, "off_topic", text, detail, lang)
        if any(p.search(norm) for p in self.off_topic) and not self.on_topic_words(text):
            return GuardVerdict(Route.OFF_TOPIC, "off_topic", text, lang=lang)
        return GuardVerdict(None, None, private, lang=lang, intent=intent.label if intent else None)
