"""What a change to the knowledge base reports back, and the error for an unknown article id.

Kept apart from :mod:`knowledge_base.service` so the modules the service delegates to
(:mod:`knowledge_base.editing`, :mod:`knowledge_base.staging`) can use them too;
``knowledge_base.service`` re-exports both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge_base.article import ArticleError


class UnknownArticle(KeyError):
    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        names = ", ".join(repr(i) for i in ids)
        super().__init__(f"unknown article id{'s' if len(ids) > 1 else ''} {names} (see `uplifted kb list`)")

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    # Articles whose metadata staff edited (KnowledgeBase.update_metadata): id -> changed fields.
    edited: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors
