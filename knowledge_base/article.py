"""The article record every loader produces."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from knowledge_base.language import DEFAULT_LANG

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ArticleError(Exception):
    """A file that can't become an article; the message names the file and the reason."""

    def __init__(self, source: str | Path, reason: str) -> None:
        self.source = str(source)
        self.reason = reason
        super().__init__(f"{self.source}: {reason}")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    source: str
    source_hash: str
    url: str | None = None
    tags: tuple[str, ...] = ()
    reviewed_on: date | None = None
    review_due: date | None = None
    lang: str = DEFAULT_LANG
    paragraphs: tuple[str, ...] = field(default=(), compare=False)

    @property
    def version(self) -> str:
        """Content hash of everything a reader or the index sees (not the file's bytes).

        The language counts only when it isn't English, so an English article keeps the version it
        had before articles had a language: nothing is re-embedded or reported as replaced for it."""
        fields: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "tags": list(self.tags),
            "reviewed_on": self.reviewed_on.isoformat() if self.reviewed_on else None,
            "review_due": self.review_due.isoformat() if self.review_due else None,
        }
        if self.lang != DEFAULT_LANG:
            fields["lang"] = self.lang
        payload = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def validate_id(article_id: str, source: str | Path) -> str:
    article_id = article_id.strip()
    if not ID_PATTERN.match(article_id):
        raise ArticleError(
            source,
            f"article id {article_id!r} must be letters, digits, '.', '_' or '-' (at most 128)",
        )
    return article_id


def paragraphs_of(text: str) -> tuple[str, ...]:
    """Split text on blank lines and collapse the whitespace inside each paragraph."""
    parts = (re.sub(r"\s+", " ", block).strip() for block in re.split(r"\n\s*\n", text))
    return tuple(p for p in parts if p)
