"""The article record every loader produces, and the passage of one that a search returns."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from langchain_core.documents import Document

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


def claim_id(seen: dict[str, str], article_id: str, source: str) -> None:
    """Note that ``source`` (a file name) gives ``article_id``; an ArticleError if another file of the batch did."""
    if article_id in seen:
        raise ArticleError(source, f"has the same article id {article_id!r} as {seen[article_id]}")
    seen[article_id] = source


def paragraphs_of(text: str) -> tuple[str, ...]:
    """Split text on blank lines and collapse the whitespace inside each paragraph."""
    parts = (re.sub(r"\s+", " ", block).strip() for block in re.split(r"\n\s*\n", text))
    return tuple(p for p in parts if p)


@dataclass(frozen=True)
class Passage:
    """One live chunk of an article, as a search (``score``: cosine similarity) or a listing (0.0) returns it."""

    uid: str
    article_id: str
    title: str
    url: str
    text: str
    position: int
    score: float
    flagged: bool
    lang: str = DEFAULT_LANG

    @classmethod
    def from_document(cls, doc: Document, score: float) -> Passage:
        meta = doc.metadata
        return cls(
            uid=str(doc.id), article_id=str(meta["article_id"]), title=str(meta.get("title", "")),
            url=str(meta.get("url", "")), text=doc.page_content, position=int(meta.get("position", 0)),
            score=float(score), flagged=bool(meta.get("flagged", False)), lang=lang_of(meta),
        )


def lang_of(meta: Mapping[str, object]) -> str:
    """A stored chunk's language: chunks stored before articles had one are English."""
    return str(meta.get("lang") or DEFAULT_LANG)
