"""A dry run of an upload: what adding (or replacing with) these files would do, writing nothing.

Nothing here touches the catalog, the vector store or the record manager: files are loaded and
chunked in memory, and the catalog is only read to find the live article each file would replace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from knowledge_base.article import Article, ArticleError, claim_id
from knowledge_base.catalog import ArticleRecord
from knowledge_base.editing import load_as

if TYPE_CHECKING:
    from knowledge_base.service import KnowledgeBase

Change = Literal["new", "replace", "unchanged", "error"]


@dataclass(frozen=True)
class StagedFile:
    """One file of a staged upload.

    ``error`` is the reason the file can't become an article, as "file name: reason" (the file's
    name, not its path). ``chunks`` are the passages it would be split into, in order; ``flagged``
    those of them that read like instructions to an AI (stored, never quoted). ``existing`` is the
    live article with the same id, if any."""

    source: str
    article: Article | None = None
    error: str | None = None
    chunks: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()
    existing: ArticleRecord | None = None

    @property
    def change(self) -> Change:
        if self.article is None:
            return "error"
        if self.existing is None:
            return "new"
        return "unchanged" if self.existing.version == self.article.version else "replace"


def stage(kb: KnowledgeBase, paths: Iterable[Path]) -> list[StagedFile]:
    """One :class:`StagedFile` per path, in order, by the same rules as ``KnowledgeBase.add``
    (the second file claiming an article id already claimed in the batch is an error)."""
    staged: list[StagedFile] = []
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        try:
            article = kb.load(path)
            claim_id(seen, article.id, path.name)
        except ArticleError as err:
            staged.append(_failed(path, err))
            continue
        staged.append(_preview(kb, path, article))
    return staged


def stage_replace(kb: KnowledgeBase, article_id: str, path: Path) -> StagedFile:
    """What ``KnowledgeBase.replace(article_id, path)`` would do. Raises UnknownArticle."""
    existing = kb.require_article(article_id)
    try:
        article = load_as(kb, article_id, path)
    except ArticleError as err:
        return _failed(path, err, existing)
    return _preview(kb, path, article)


def _failed(path: Path, err: ArticleError, existing: ArticleRecord | None = None) -> StagedFile:
    return StagedFile(source=path.name, error=f"{path.name}: {err.reason}", existing=existing)


def _preview(kb: KnowledgeBase, path: Path, article: Article) -> StagedFile:
    docs = kb.chunker.split(article)
    return StagedFile(
        source=path.name,
        article=article,
        chunks=tuple(d.page_content for d in docs),
        flagged=tuple(d.page_content for d in docs if d.metadata["flagged"]),
        existing=kb.article(article.id),
    )
