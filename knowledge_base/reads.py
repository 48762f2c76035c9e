"""The knowledge base's read side: articles and their audit log, passages, search, and readiness checks.

:class:`~knowledge_base.service.KnowledgeBase` inherits these; none of them takes the writer lock (patients'
searches never wait for a staff change). They are the public way in for the staff console, the CLI and the chat:
nothing outside this package reads the catalog or the vector store directly.
"""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.vectorstores import VectorStore

from knowledge_base.article import Passage, lang_of
from knowledge_base.catalog import ArticleRecord, AuditEntry, Catalog
from knowledge_base.language import lang_where, parse_lang
from knowledge_base.report import UnknownArticle
from knowledge_base.sqlite import check_readable


class KnowledgeBaseReads:
    store: VectorStore
    catalog: Catalog
    _languages: tuple[int, frozenset[str]] | None  # (revision, languages)

    # --- articles --------------------------------------------------------------------------
    def articles(self) -> list[ArticleRecord]:
        """Every live article, by title."""
        return self.catalog.all()

    def article(self, article_id: str) -> ArticleRecord | None:
        """The live article ``article_id``, or None."""
        return self.catalog.get(article_id)

    def require_article(self, article_id: str) -> ArticleRecord:
        """The live article ``article_id``; raises :class:`UnknownArticle`."""
        record = self.catalog.get(article_id)
        if record is None:
            raise UnknownArticle([article_id])
        return record

    def article_text(self, article_id: str) -> str:
        """The article's text as stored; for articles published before the catalog kept text,
        rebuilt from its live chunks (paragraph breaks inside a chunk survive; one between two
        chunks may become a paragraph break). Raises :class:`UnknownArticle`."""
        self.require_article(article_id)
        text = self.catalog.article_text(article_id)
        if text is not None:
            return text
        # Published before the catalog kept text: rebuild it from the live chunks, in order.
        uids = self.catalog.ordered_uids(article_id)
        if not uids:
            return ""
        got = self.store.get(ids=uids, include=["documents"])  # type: ignore[attr-defined]
        by_uid = dict(zip(got["ids"], got["documents"], strict=True))
        return "\n\n".join(by_uid[uid] for uid in uids if uid in by_uid)

    # --- the audit log ---------------------------------------------------------------------
    def audit_log(self, subject: str | None = None) -> list[AuditEntry]:
        """Every change, oldest first: to the articles, and any other staff change audited here (see
        :meth:`audit`); with ``subject``, only that article's (or that subject's)."""
        return self.catalog.audit_log(subject)

    def audit(self, action: str, subject: str, *, by: str, detail: str | None = None) -> None:
        """Record a staff change that is not an article's (e.g. the clinic profile) in the same audit log.
        ``subject`` should not look like an article id (e.g. "clinic:profile")."""
        self.catalog.audit(action, subject, by=by, detail=detail)

    def revision(self) -> int:
        """Grows with every change to the knowledge base (the audit log's last entry)."""
        row = self.catalog.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM audit").fetchone()
        return int(row[0])

    # --- passages ---------------------------------------------------------------------------
    def languages(self) -> frozenset[str]:
        """The languages of the live articles (e.g. ``{"en", "es"}``); empty for an empty knowledge base.

        Cheap enough to call for every message: the catalog is read again only after a change."""
        revision = self.revision()
        cached = self._languages
        if cached is None or cached[0] != revision:
            cached = self._languages = (revision, self.catalog.languages())
        return cached[1]

    def live_passages(self, *, lang: str | None = None) -> list[Passage]:
        """Every passage patients can be shown (flagged ones included, marked); with ``lang`` (a
        code such as "es"), only those of articles in that language."""
        wanted = parse_lang(lang) if lang is not None else None
        where = lang_where(wanted) if wanted is not None else None
        got = self.store.get(where=where, include=["documents", "metadatas"])  # type: ignore[attr-defined]
        live = self.catalog.live_uids()
        return [
            Passage.from_document(Document(page_content=text, metadata=meta or {}, id=uid), 0.0)
            for uid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if uid in live and (wanted is None or lang_of(meta or {}) == wanted)
        ]

    def search(
        self, query: str, *, k: int = 4, include_flagged: bool = True, lang: str | None = None
    ) -> list[Passage]:
        """The live passages closest to ``query``, best first, with cosine similarity scores.

        With ``lang`` (a code such as "es", see :mod:`knowledge_base.language`), only passages of
        articles in that language; an unknown language is a ValueError."""
        if k <= 0:
            raise ValueError("k must be positive")
        if lang is not None:
            parse_lang(lang)
        if not query.strip():
            return []
        return self.search_by_vector(self.embed_query(query), k=k, include_flagged=include_flagged, lang=lang)

    def embed_query(self, query: str) -> list[float]:
        """``query``'s vector, as :meth:`search` embeds it (the store's own embedding model)."""
        embeddings = self.store.embeddings
        if embeddings is None:
            raise ValueError("the vector store has no embedding model")
        return embeddings.embed_query(query)

    def search_by_vector(
        self, vector: list[float], *, k: int = 4, include_flagged: bool = True, lang: str | None = None
    ) -> list[Passage]:
        """:meth:`search` for a vector already computed (the chat moves a question's vector before searching:
        :mod:`chatbot.query_adapter`)."""
        if k <= 0:
            raise ValueError("k must be positive")
        wanted = parse_lang(lang) if lang is not None else None
        fetch = max(k * 3, 12)
        where = {"filter": lang_where(wanted)} if wanted is not None else {}
        hits = self.store.similarity_search_by_vector_with_relevance_scores(  # type: ignore[attr-defined]
            vector, k=fetch, **where)
        live = self.catalog.live_uids(str(doc.id) for doc, _ in hits)
        passages = [
            Passage.from_document(doc, 1.0 - distance)
            for doc, distance in hits
            if str(doc.id) in live and (include_flagged or not doc.metadata.get("flagged"))
            and (wanted is None or lang_of(doc.metadata) == wanted)
        ]
        return passages[:k]

    # --- readiness --------------------------------------------------------------------------
    def check_readable(self, timeout_s: float = 2.0) -> None:
        """Raise, saying why, if the catalog can't be read as it is now on disk (a fresh read-only connection)."""
        check_readable(self.catalog.conn, timeout_s=timeout_s)

    def check_store(self) -> None:
        """Raise if the vector store can't be read: one read from the collection (over HTTP for a Chroma server)."""
        self.store.get(limit=1, include=[])  # type: ignore[attr-defined]
