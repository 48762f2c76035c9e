"""The knowledge base staff keep current: sync a folder, add, remove, list, search.

Writes go through LangChain's indexing API and a SQL record manager (which skips chunks
already stored), while the :class:`Catalog` decides which chunks are live. Order of a change:

1. journal the articles as pending;
2. ``index()`` writes the new chunks (old ones stay, still live);
3. one transaction switches each article to its new chunks and writes the audit log;
4. chunks no longer live are deleted from the store and the record manager;
5. the journal entry is cleared.

A crash between any two steps leaves every article in its old or its new state, and
:meth:`KnowledgeBase.repair` (run before every change) deletes what a crash left behind. Every change
holds the writer lock (:mod:`knowledge_base.locking`) from its repair to its end, so two changes never
interleave and a repair never mistakes a running change for a crashed one.

Staff's one-article operations (replace with a file, edit metadata, and the dry-run staging of
uploads) live in :mod:`knowledge_base.editing` and :mod:`knowledge_base.staging`; the methods here
delegate to them, and their writes take the same path (:meth:`KnowledgeBase.write_articles`). The read
side (articles, the audit log, passages, search, readiness checks) is :mod:`knowledge_base.reads`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from langchain_core.documents import Document
from langchain_core.indexing import RecordManager, index
from langchain_core.vectorstores import VectorStore

from knowledge_base import editing, staging
from knowledge_base.article import Article, ArticleError, Passage, claim_id
from knowledge_base.catalog import Catalog
from knowledge_base.chunking import Chunker
from knowledge_base.editing import UNSET, MetadataEdit, Unset
from knowledge_base.loaders import SUPPORTED, load_article
from knowledge_base.locking import ThreadWriterLock, WriterBusy, WriterLock
from knowledge_base.reads import KnowledgeBaseReads
from knowledge_base.report import SyncReport, UnknownArticle
from knowledge_base.staging import StagedFile

__all__ = ["UNSET", "KnowledgeBase", "MetadataEdit", "Passage", "StagedFile", "SyncReport", "UnknownArticle",
           "Unset", "WriterBusy", "chunk_uid"]

P = ParamSpec("P")
R = TypeVar("R")


def _exclusive(method: Callable[Concatenate[KnowledgeBase, P], R]) -> Callable[Concatenate[KnowledgeBase, P], R]:
    """Run a change holding the knowledge base's writer lock (re-entrant: a change may call another)."""

    @functools.wraps(method)
    def locked(self: KnowledgeBase, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.writer_lock.hold():
            return method(self, *args, **kwargs)

    return locked


def chunk_uid(doc: Document) -> str:
    """Deterministic chunk id: the article, its position and everything stored with it."""
    payload = json.dumps({"text": doc.page_content, "meta": doc.metadata}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class KnowledgeBase(KnowledgeBaseReads):
    def __init__(
        self,
        *,
        store: VectorStore,
        record_manager: RecordManager,
        catalog: Catalog,
        chunker: Chunker | None = None,
        max_article_bytes: int = 5_000_000,
        base_url: str | None = None,
        batch_articles: int = 200,
        on_progress: Callable[[int, int], None] | None = None,
        writer_lock: WriterLock | None = None,
    ) -> None:
        """``writer_lock`` serialises changes; without one, only this process's threads are kept apart, so
        give every knowledge base that shares its catalog with another process the same lock file
        (``knowledge_base.factory`` does)."""
        if batch_articles <= 0:
            raise ValueError("batch_articles must be positive")
        self.store = store
        self.record_manager = record_manager
        self.catalog = catalog
        self.chunker = chunker or Chunker()
        self.max_article_bytes = max_article_bytes
        self.base_url = base_url
        self.batch_articles = batch_articles
        self.on_progress = on_progress
        self.writer_lock: WriterLock = writer_lock or ThreadWriterLock()
        self._languages: tuple[int, frozenset[str]] | None = None  # (revision, languages)

    # --- loading -----------------------------------------------------------------------
    def load(self, path: Path) -> Article:
        return load_article(path, max_bytes=self.max_article_bytes, base_url=self.base_url)

    @staticmethod
    def article_files(folder: Path) -> list[Path]:
        return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))

    # --- changes -----------------------------------------------------------------------
    @_exclusive
    def sync(self, folder: Path, *, by: str) -> SyncReport:
        """Make the knowledge base equal to the folder's articles."""
        folder = Path(folder)
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
        report = SyncReport(repaired=self.repair())
        records = self.catalog.all()
        sources = Counter(rec.source for rec in records)
        # The quick "file unchanged" check needs one article per file name: a console replace can give
        # an article another article's file name, and then both files are read in full.
        known = {rec.source: rec for rec in records if sources[rec.source] == 1}
        unread = self.catalog.langs_unread()  # published before articles had a language
        lang_unread: list[tuple[str, Path]] = []
        articles: list[Article] = []
        seen: dict[str, str] = {}
        for path in self.article_files(folder):
            rec = known.get(path.name)
            try:
                if rec is not None and path.suffix.lower() in SUPPORTED and _file_hash(path) == rec.source_hash:
                    claim_id(seen, rec.id, path.name)
                    report.unchanged.append(rec.id)
                    if rec.id in unread:
                        lang_unread.append((rec.id, path))
                    continue
                article = self.load(path)
                claim_id(seen, article.id, path.name)
            except ArticleError as err:
                report.errors.append(err)
                continue
            articles.append(article)
        self.write_articles(articles, report, by=by)
        editing.read_file_langs(self, lang_unread, report, by=by)
        # A file that fails to load keeps its last good version live rather than vanishing.
        failed = {Path(e.source).name for e in report.errors} | {Path(e.source).stem for e in report.errors}
        gone = [r.id for r in self.catalog.all() if r.id not in seen and r.id not in failed and r.source not in failed]
        self._remove(gone, by=by)
        report.removed.extend(gone)
        return report

    @_exclusive
    def add(self, paths: Iterable[Path], *, by: str) -> SyncReport:
        """Add or replace the given article files; bad files are reported, the rest go in."""
        report = SyncReport(repaired=self.repair())
        articles: list[Article] = []
        seen: dict[str, str] = {}
        for path in paths:
            try:
                article = self.load(Path(path))
                claim_id(seen, article.id, Path(path).name)
            except ArticleError as err:
                report.errors.append(err)
                continue
            articles.append(article)
        self.write_articles(articles, report, by=by)
        return report

    @_exclusive
    def remove(self, article_ids: Sequence[str], *, by: str) -> SyncReport:
        missing = [a for a in article_ids if self.article(a) is None]
        if missing:
            raise UnknownArticle(missing)
        report = SyncReport(repaired=self.repair())
        self._remove(list(dict.fromkeys(article_ids)), by=by)
        report.removed.extend(dict.fromkeys(article_ids))
        return report

    @_exclusive
    def replace(self, article_id: str, path: Path, *, by: str) -> SyncReport:
        """Make the file's content the article ``article_id``, whatever id or name the file has.

        A file that can't be loaded is reported in ``errors`` and the live version stays."""
        return editing.replace(self, article_id, Path(path), by=by)

    @_exclusive
    def update_metadata(
        self,
        article_id: str,
        *,
        by: str,
        title: str | None = None,
        url: str | None = None,
        tags: Sequence[str] | None = None,
        reviewed_on: date | Unset | None = UNSET,
        review_due: date | Unset | None = UNSET,
        lang: str | None = None,
    ) -> SyncReport:
        """Change an article's title, link, tags, review dates or language without a new file.

        None (or UNSET for the dates) leaves a field as it is; see :class:`MetadataEdit` for
        the rules. Raises ValueError with a message for staff when a value is invalid."""
        edit = MetadataEdit(title=title, url=url, tags=tags, reviewed_on=reviewed_on, review_due=review_due,
                            lang=lang)
        return editing.update_metadata(self, article_id, edit, by=by)

    def stage(self, paths: Iterable[Path]) -> list[StagedFile]:
        """What :meth:`add` would do with these files, writing nothing."""
        return staging.stage(self, paths)

    def stage_replace(self, article_id: str, path: Path) -> StagedFile:
        """What :meth:`replace` would do with this file, writing nothing."""
        return staging.stage_replace(self, article_id, Path(path))

    @_exclusive
    def repair(self) -> list[str]:
        """Delete chunks a crashed change left behind; return the articles tidied."""
        pending = self.catalog.pending()
        for article_id in pending:
            self._drop_stale(article_id)
        self.catalog.clear_pending(pending)
        return pending

    # --- the write path (editing.py shares it; callers hold the writer lock) -------------
    def write_articles(
        self,
        articles: list[Article],
        report: SyncReport,
        *,
        by: str,
        edited: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """The crash-safe write path; the caller holds the writer lock (every change does). ``edited``
        names the articles that are metadata edits (id -> changed fields): audited as "edit" and
        reported in ``report.edited``."""
        edited = edited or {}
        todo = []
        for article in articles:
            current = self.catalog.get(article.id)
            if current is not None and current.version == article.version:
                report.unchanged.append(article.id)
                if current.source_hash != article.source_hash or current.source != article.source:
                    uids = self.catalog.ordered_uids(article.id)
                    self.catalog.publish([(article, uids, list(current.flagged))], by=by)
                continue
            todo.append((article, current))
        done = 0
        for start in range(0, len(todo), self.batch_articles):
            batch = todo[start:start + self.batch_articles]
            self.catalog.mark_pending(a.id for a, _ in batch)
            docs_by_article = {a.id: self.chunker.split(a) for a, _ in batch}
            all_docs = [d for docs in docs_by_article.values() for d in docs]
            result = index(
                all_docs, self.record_manager, self.store, cleanup=None, source_id_key="article_id",
                key_encoder=chunk_uid, batch_size=max(len(all_docs), 1),
            )
            report.chunks_embedded += result["num_added"] + result["num_updated"]
            items = []
            for article, current in batch:
                docs = docs_by_article[article.id]
                flagged = [d.page_content for d in docs if d.metadata["flagged"]]
                items.append((article, [chunk_uid(d) for d in docs], flagged))
                if article.id in edited:
                    report.edited[article.id] = list(edited[article.id])
                else:
                    (report.added if current is None else report.replaced).append(article.id)
                if flagged:
                    report.flagged[article.id] = flagged
            actions = {a: ("edit", ", ".join(fields)) for a, fields in edited.items()}
            self.catalog.publish(items, by=by, actions=actions)
            for article, _ in batch:
                self._drop_stale(article.id)
            self.catalog.clear_pending(a.id for a, _ in batch)
            done += len(batch)
            if self.on_progress:
                self.on_progress(done, len(todo))

    def _remove(self, article_ids: list[str], *, by: str) -> None:
        if not article_ids:
            return
        self.catalog.remove(article_ids, by=by)
        for article_id in article_ids:
            self._drop_stale(article_id)
        self.catalog.clear_pending(article_ids)

    def _drop_stale(self, article_id: str) -> None:
        live = self.catalog.chunk_uids(article_id)
        stored = set(self.record_manager.list_keys(group_ids=[article_id]))
        stale = sorted(stored - live)
        if stale:
            self.store.delete(ids=stale)
            self.record_manager.delete_keys(stale)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
