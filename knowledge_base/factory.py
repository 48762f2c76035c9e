"""Build the knowledge base from its config; tests pass their own embeddings or store.

Every function takes a :class:`~knowledge_base.config.KnowledgeBaseConfig`, or anything that can give one (the
application's settings: ``Settings.knowledge_base_config()``).
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_classic.indexes import SQLRecordManager
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from knowledge_base.catalog import Catalog
from knowledge_base.chunking import Chunker
from knowledge_base.config import ConfigSource, KnowledgeBaseConfig, config_of
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.locking import FileWriterLock
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import open_chroma

Config = KnowledgeBaseConfig | ConfigSource


def build_embeddings(config: Config) -> MiniLMEmbeddings:
    cfg = config_of(config)
    return MiniLMEmbeddings(cfg.embedding_model_path, batch_size=cfg.embedding_batch_size)


def build_store(config: Config, embeddings: Embeddings) -> VectorStore:
    cfg = config_of(config)
    return open_chroma(
        embeddings,
        collection=cfg.collection,
        path=None if cfg.chroma_host else cfg.chroma_dir,
        host=cfg.chroma_host,
        port=cfg.chroma_port,
        ssl=cfg.chroma_ssl,
    )


def build_record_manager(config: Config) -> SQLRecordManager:
    cfg = config_of(config)
    cfg.ensure_data_dir()
    where = f"{cfg.chroma_host}:{cfg.chroma_port}" if cfg.chroma_host else "embedded"
    manager = SQLRecordManager(
        namespace=f"chroma/{where}/{cfg.collection}",
        db_url=f"sqlite:///{cfg.records_path}",
    )
    manager.create_schema()
    return manager


def build_knowledge_base(
    config: Config,
    *,
    embeddings: Embeddings | None = None,
    store: VectorStore | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> KnowledgeBase:
    cfg = config_of(config)
    cfg.ensure_data_dir()
    if store is None:
        store = build_store(cfg, embeddings or build_embeddings(cfg))
    return KnowledgeBase(
        store=store,
        record_manager=build_record_manager(cfg),
        catalog=Catalog.open(cfg.catalog_path),
        chunker=Chunker(cfg.chunk_size, cfg.chunk_overlap),
        max_article_bytes=cfg.max_article_bytes,
        base_url=cfg.articles_base_url,
        on_progress=on_progress,
        # Next to the catalog: every process using this data dir (server, CLI) takes turns.
        writer_lock=FileWriterLock(cfg.writer_lock_path, wait_s=cfg.write_wait_s),
    )
