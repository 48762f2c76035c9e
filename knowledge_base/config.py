"""What the knowledge base needs to know, and nothing more: where its state lives and how it chunks and embeds.

``knowledge_base`` reads no environment and imports nothing from ``chatbot``: the application's settings build this
at the edge (``chatbot.settings.Settings.knowledge_base_config()``), and tests can build one directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class KnowledgeBaseConfig:
    """Every path is under ``data_dir``; a ``chroma_host`` means a Chroma server instead of the embedded store."""

    data_dir: Path
    articles_base_url: str | None = None
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    collection: str = "articles"
    embedding_model_path: Path | None = None
    embedding_batch_size: int = 64
    chunk_size: int = 700
    chunk_overlap: int = 0
    max_article_bytes: int = 5_000_000
    write_wait_s: float = 30.0  # how long a change waits for another one to finish

    def __post_init__(self) -> None:
        if self.embedding_batch_size <= 0:
            raise ValueError("embedding_batch_size must be positive")
        if self.max_article_bytes <= 0:
            raise ValueError("max_article_bytes must be positive")
        if self.write_wait_s < 0:
            raise ValueError("write_wait_s must not be negative")

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def records_path(self) -> Path:
        return self.data_dir / "records.sqlite"

    @property
    def writer_lock_path(self) -> Path:
        """Next to the catalog: every process using this data dir (server, CLI) takes turns."""
        return self.data_dir / "kb-writer.lock"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


class ConfigSource(Protocol):
    """Anything that can give a :class:`KnowledgeBaseConfig`, such as the application's settings."""

    def knowledge_base_config(self) -> KnowledgeBaseConfig: ...


def config_of(source: KnowledgeBaseConfig | ConfigSource) -> KnowledgeBaseConfig:
    return source if isinstance(source, KnowledgeBaseConfig) else source.knowledge_base_config()
