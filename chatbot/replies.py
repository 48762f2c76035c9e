"""The assistant's fixed sentences, rendered from ``prompts/replies.yaml`` with the clinic's facts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from chatbot.question_kind import question_kind
from chatbot.settings import ClinicProfile
from prompts import load, render


@dataclass(frozen=True)
class Replies:
    clinic: ClinicProfile

    @property
    def version(self) -> int:
        return int(load("replies")["version"])

    def _values(self, **extra: object) -> dict[str, object]:
        c = self.clinic
        return {"clinic_name": c.name, "booking_url": c.booking_url, "phone": c.phone,
                "emergency_number": c.emergency_number, "crisis_line": c.crisis_line, **extra}

    def say(self, key: str, *, lang: str = "en", **extra: object) -> str:
        """One reply by key (``emergency``, ``off_topic``, ``too_long``...), filled in; ``lang="es"``
        gives the Spanish version (``prompts/replies_es.yaml``)."""
        return render(str(self._texts(lang)[key]), self._values(**extra))

    def scope(self, kind: str, *, lang: str = "en") -> str:
        return render(str(self._texts(lang)["scope_redirect"][kind]), self._values())

    @staticmethod
    def _texts(lang: str) -> dict[str, Any]:
        return load("replies_es") if lang == "es" else load("replies")

    def small_talk(self, kind: str, *, lang: str = "en") -> str:
        return render(str(self._texts(lang)["small_talk"][kind]), self._values())

    def lead_ins(self, kind: str = "other", *, lang: str = "en") -> list[str]:
        """The lead-in templates for one kind of question (``chatbot/question_kind.py``); ``"other"`` when
        the file has none for ``kind``."""
        table = self._texts(lang)["lead_ins"]
        return [str(t) for t in table.get(kind) or table["other"]]

    def lead_in(self, question: str, title: str, *, quote: str | None = None, lang: str = "en",
                more: bool = False) -> str:
        """The line before ``quote`` from the article ``title``: it speaks to the kind of question asked when the
        quote gives what that kind promises, or says "more from" when the conversation already quoted that
        article. Which wording, among a kind's several, follows the question, so the same question always reads
        the same."""
        templates = self.lead_ins("more" if more else question_kind(question, quote), lang=lang)
        pick = int(hashlib.sha1(question.encode()).hexdigest(), 16) % len(templates)
        return render(templates[pick], {"title": title})
