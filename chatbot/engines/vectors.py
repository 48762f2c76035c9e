"""Embeddings of article sentences and excerpts, kept across questions (the articles change rarely).

One cache is shared by retrieval (the answerability feature "best sentence cosine") and the extractive
engine (its windows of 1 to 3 sentences): a sentence embedded for one is free for the other.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings


class VectorCache:
    """``VectorCache(embeddings, size).get(texts) -> array``: one row per text, embedded at most once."""

    def __init__(self, embeddings: Embeddings, size: int = 20_000) -> None:
        if size <= 0:
            raise ValueError("size must be positive")
        self.embeddings = embeddings
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        with self._lock:
            found = {k: self._data[k] for k in keys if k in self._data}
            for key in found:
                self._data.move_to_end(key)
        missing = dict((k, t) for k, t in zip(keys, texts, strict=True) if k not in found)
        if missing:
            vectors = self.embeddings.embed_documents(list(missing.values()))
            fresh = {k: np.asarray(v, dtype=np.float32) for k, v in zip(missing, vectors, strict=True)}
            found.update(fresh)
            with self._lock:
                self._data.update(fresh)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        return np.stack([found[k] for k in keys])
