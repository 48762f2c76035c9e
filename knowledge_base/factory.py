"""Build the knowledge base from settings; tests pass their own embeddings or store."""

from __future__ import annotations

from collections.abc import Callable

from langchain_classic.indexes import SQLRecordManager
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from chatbot.settings import Settings
from knowledge_base.catalog import Catalog
from knowledge_base.chunking import Chunker
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.locking import FileWriterLock
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import open_chroma


def build_embeddings(settings: Settings) -> MiniLMEmbeddings:
    return MiniLMEmbeddings(settings.embedding_model_path, batch_size=settings.embedding_batch_size)


def build_store(settings: Settings, embeddings: Embeddings) -> VectorStore:
    return open_chroma(
        embeddings,
        collection=settings.collection,
        path=None if settings.chroma_host else settings.chroma_dir,
        host=settings.chroma_host,
        port=settings.chroma_port,
        ssl=settings.chroma_ssl,
    )


def build_record_manager(settings: Settings) -> SQLRecordManager:
    settings.ensure_data_dir()
    where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded"
    manager = SQLRecordManager(
        namespace=f"chroma/{where}/{settings.collection}",
        db_url=f"sqlite:///{settings.records_path}",
    )
    manager.create_schema()
    return manager


def build_knowledge_base(
    settings: Settings,
    *,
    embeddings: Embeddings | None = None,
    store: VectorStore | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> KnowledgeBase:
    settings.ensure_data_dir()
    if store is None:
        store = build_store(settings, embeddings or build_embeddings(settings))
    return KnowledgeBase(
        store=store,
        record_manager=build_record_manager(settings),
        catalog=Catalog.open(settings.catalog_path),
        chunker=Chunker(settings.chunk_size, settings.chunk_overlap),
        max_article_bytes=settings.max_article_bytes,
        base_url=settings.articles_base_url,
        on_progress=on_progress,
        # Next to the catalog: every process using this data dir (server, CLI) takes turns.
        writer_lock=FileWriterLock(settings.data_dir / "kb-writer.lock", wait_s=settings.kb_write_wait_s),
    )
