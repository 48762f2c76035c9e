"""The typed values that flow through the chat: routes, sources, answers and replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from knowledge_base.article import Passage


class Route(StrEnum):
    """Every reply carries exactly one route."""

    ANSWER = "answer"
    EMERGENCY = "emergency"
    URGENT = "urgent"
    CRISIS = "crisis"
    SCOPE_REDIRECT = "scope_redirect"
    OFF_TOPIC = "off_topic"
    NO_MATCH = "no_match"
    BLOCKED = "blocked"
    SMALL_TALK = "small_talk"
    CLINIC_INFO = "clinic_info"
    CLARIFY = "clarify"
    OTHER_LANGUAGE = "other_language"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str

    @classmethod
    def of(cls, passage: Passage) -> Source:
        return cls(id=passage.article_id, title=passage.title, url=passage.url)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "url": self.url}


@dataclass(frozen=True)
class Answer:
    """What an answer engine produced from the passages: the body only, no lead-in or call to action.

    ``sentences`` are the body's sentences; ``citations`` the articles they came from, in order.
    """

    sentences: tuple[str, ...]
    citations: tuple[Source, ...]
    engine: str
    lead_in: str = ""
    fallback_reason: str | None = None  # set when the LLM engine fell back to extractive

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Reply:
    """One reply to a patient, as the CLI, the API and the app all show it."""

    answer: str
    route: Route
    session: str
    sources: tuple[Source, ...] = ()
    reply_id: str = ""
    engine: str = "canned"
    passages: tuple[Passage, ...] = field(default=(), compare=False)
    detail: str | None = None  # why this route (for staff review, never shown to patients)
    body: str = ""  # the quoted or generated part of an answer, without lead-in or call to action
    choices: tuple[str, ...] = ()  # for `clarify`: what the patient can pick (article titles), shown as buttons
    lang: str = "en"  # the language the reply is written in ("en" or "es"), for the page's own words around it
    retry_after_s: int = 0  # for a rate-limited message: seconds until the client may send again (HTTP Retry-After)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "answer": self.answer,
            "route": self.route.value,
            "sources": [s.to_json() for s in self.sources],
            "session": self.session,
        }
        if self.choices:
            data["choices"] = list(self.choices)
        return data
