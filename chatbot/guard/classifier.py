"""A small text classifier trained from labelled messages in the repository (the SetFit shape).

Features: the frozen MiniLM sentence embedding, plus TF-IDF word 1-2-grams and character 2-5-grams
(the word features carry rare words and Spanish, which MiniLM reads poorly). Head: scikit-learn's
logistic regression. Saved with ``skops`` (no pickle) beside a JSON card naming the training data's
hash, the label set and the decision thresholds, so ``make test`` can tell a stale model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED

import numpy as np
from scipy import sparse

# Only these types may be loaded from a model file (skops refuses anything else).
_TRUSTED = [
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "numpy.float64", "numpy.int64", "numpy.int32", "numpy.dtype", "numpy.ndarray",
    "builtins.dict", "builtins.list", "builtins.tuple",
    "scipy.sparse._csr.csr_matrix", "scipy.sparse._csr.csr_array",
]


def data_hash(examples: Sequence[tuple[str, str]], config: dict[str, Any]) -> str:
    """A stable hash of the training examples and the settings that shape the model."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    for text, label in examples:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]


@dataclass
class TextClassifier:
    """``fit`` on (text, label) pairs; ``probabilities(texts, vectors)`` gives one row per text."""

    labels: list[str]
    embedding_weight: float = 1.0
    c: float = 4.0
    word: Any = None
    char: Any = None
    model: Any = None
    card: dict[str, Any] = field(default_factory=dict)

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        lowered = [t.lower() for t in texts]
        dense = sparse.csr_matrix(np.asarray(vectors, dtype=np.float64) * self.embedding_weight)
        return sparse.hstack([dense, self.word.transform(lowered), self.char.transform(lowered)]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str], vectors: np.ndarray,
            weights: Sequence[float] | None = None) -> TextClassifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        lowered = [t.lower() for t in texts]
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=20000)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                    max_features=40000)
        self.word.fit(lowered)
        self.char.fit(lowered)
        self.model = LogisticRegression(C=self.c, max_iter=3000, class_weight="balanced")
        self.model.fit(self.features(texts, vectors), list(labels), sample_weight=weights)
        self.labels = [str(label) for label in self.model.classes_]
        return self

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """(texts, labels) class probabilities, columns in ``self.labels`` order."""
        if not len(texts):
            return np.zeros((0, len(self.labels)))
        return np.asarray(self.model.predict_proba(self.features(texts, vectors)))

    # --- files ----------------------------------------------------------------------------------
    def save(self, path: Path, card: dict[str, Any]) -> None:
        import skops.io as sio

        path.parent.mkdir(parents=True, exist_ok=True)
        for vectorizer in (self.word, self.char):  # the pruned terms: only needed to explain a fit, and huge
            vectorizer.stop_words_ = None
        sio.dump({"word": self.word, "char": self.char, "model": self.model}, path, compression=ZIP_DEFLATED)
        self.card = {**card, "labels": self.labels, "embedding_weight": self.embedding_weight, "c": self.c}
        card_path(path).write_text(json.dumps(self.card, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TextClassifier:
        import skops.io as sio

        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: build it with `make models` (uplifted train safety)")
        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in _TRUSTED]
        if untrusted:
            raise ValueError(f"{path} holds types that are not allowed: {', '.join(untrusted)}")
        parts = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        card = json.loads(card_path(path).read_text(encoding="utf-8"))
        return cls(labels=list(card["labels"]), embedding_weight=float(card["embedding_weight"]),
                   c=float(card["c"]), word=parts["word"], char=parts["char"], model=parts["model"], card=card)


def card_path(path: Path) -> Path:
    return path.with_suffix(".json")
