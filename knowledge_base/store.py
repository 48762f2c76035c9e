"""The vector store: embedded Chroma on disk, or a Chroma server when a host is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings


class StoreUnavailable(RuntimeError):
    """The vector store can't be reached; the message says where and what to check."""


def _client_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_chroma(
    embeddings: Embeddings,
    *,
    collection: str = "articles",
    path: Path | None = None,
    host: str | None = None,
    port: int = 8000,
    ssl: bool = False,
) -> Chroma:
    """Open (creating if needed) the article collection, with cosine distance."""
    client: Any
    if host:
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_client_settings())
            client.heartbeat()
        except Exception as exc:
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {host}:{port} ({exc.__class__.__name__}); "
                "start it (chroma run --path DIR --port PORT) or unset UPLIFTED_CHROMA_HOST"
            ) from exc
    else:
        if path is None:
            raise ValueError("an embedded Chroma needs a path")
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=_client_settings())
    return Chroma(
        collection_name=collection,
        embedding_function=embeddings,
        client=client,
        collection_metadata={"hnsw:space": "cosine"},
    )
