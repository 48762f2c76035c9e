"""The assistant's fixed sentences, rendered from ``prompts/replies.yaml`` with the clinic's facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

    def lead_ins(self, *, lang: str = "en") -> list[str]:
        return [str(t) for t in self._texts(lang)["lead_ins"]]
