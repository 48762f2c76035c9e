"""A learned map from patients' questions toward the passages that answer them (issue 9).

Patients ask "what do i do after a TKR to get my knee bending" where an article says "range of motion after
knee replacement". The bundled MiniLM puts the right article first for about 86% of the development set's
questions. :class:`QueryAdapter` is one square matrix applied to the *question's* vector before the search
(the articles' vectors are left as they are, so nothing is re-embedded): ``normalise(W @ q)``. It is trained
on the development set's answerable questions against the passages of the sample articles with a softmax
over every passage (any passage of the question's article counts as right), starting from and pulled back
towards the identity (``penalty``), so it only moves a question as far as the data asks.

Why our own few lines and not sentence-transformers' fine-tuning: fine-tuning the whole model took close to an
hour of this machine's CPU and would have to be rebuilt by ``make models`` and every knowledge base
re-embedded with it; this trains in seconds on vectors already computed, and the same measurements
(``cross_validated`` in its card) showed it does at least as well. The penalty was chosen by leaving whole
articles out: with it, questions about an article the map never saw are ranked as well as without the map
(so a clinic's own articles are not pushed aside), while questions about the sample articles gain.

The answer / ask back / no article decision keeps reading the unadapted search (see
:attr:`chatbot.retrieval.Retrieval.base_passages`), so the adapter changes which article is quoted, not
whether one is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QUERY_ADAPTER = Path(__file__).resolve().parent / "guard" / "models" / "query_adapter.npy"
CONFIG = {"version": 1, "penalty": 0.1, "temperature": 0.05, "epochs": 200, "learning_rate": 1e-3, "folds": 5,
          "seed": 0}


@dataclass(frozen=True)
class Pairs:
    """Training data: each question's vector and which passages belong to its article(s)."""

    questions: np.ndarray  # (n, d), unit vectors
    passages: np.ndarray  # (m, d), unit vectors
    right: np.ndarray  # (n, m) bool: passage j belongs to one of question i's articles
    articles: list[str]  # (m,) each passage's article

    def __post_init__(self) -> None:
        if len(self.questions) == 0 or len(self.passages) == 0:
            raise ValueError("need at least one question and one passage to train on")
        if self.right.shape != (len(self.questions), len(self.passages)) or not self.right.any(axis=1).all():
            raise ValueError("every question needs at least one right passage")


class QueryAdapter:
    """``QueryAdapter.load().adapt(vector) -> vector``: the question's vector moved toward its articles."""

    def __init__(self, matrix: np.ndarray, card: dict[str, Any] | None = None) -> None:
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"the adapter must be a square matrix, not {matrix.shape}")
        self.matrix = matrix.astype(np.float32)
        self.card = card or {}

    @property
    def dimension(self) -> int:
        return int(self.matrix.shape[0])

    def adapt(self, vector: Sequence[float]) -> list[float]:
        v = np.asarray(vector, dtype=np.float32)
        if v.shape != (self.dimension,):
            raise ValueError(f"the adapter maps {self.dimension}-number vectors, not {v.shape}: "
                             "the embedding model changed; run `make models`")
        moved = self.matrix @ v
        norm = float(np.linalg.norm(moved))
        return (moved / norm if norm else v).tolist()

    def save(self, path: Path = QUERY_ADAPTER) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, self.matrix, allow_pickle=False)
        path.with_suffix(".json").write_text(json.dumps(self.card, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = QUERY_ADAPTER) -> QueryAdapter:
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: build it with `make models` (uplifted train retrieval)")
        card_file = path.with_suffix(".json")
        card = json.loads(card_file.read_text(encoding="utf-8")) if card_file.exists() else {}
        return cls(np.load(path, allow_pickle=False), card)


def fit(pairs: Pairs, *, config: dict[str, Any] = CONFIG) -> np.ndarray:
    """The matrix: full-batch Adam on the softmax over every passage, pulled towards the identity."""
    import torch

    torch.manual_seed(int(config["seed"]))
    d = pairs.questions.shape[1]
    identity = torch.eye(d)
    w = identity.clone().requires_grad_(True)
    q, c = torch.from_numpy(pairs.questions.astype(np.float32)), torch.from_numpy(pairs.passages.astype(np.float32))
    right = torch.from_numpy(pairs.right)
    optimiser = torch.optim.Adam([w], lr=float(config["learning_rate"]))
    for _ in range(int(config["epochs"])):
        logits = torch.nn.functional.normalize(q @ w.T, dim=1) @ c.T / float(config["temperature"])
        loss = (torch.logsumexp(logits, 1) - torch.logsumexp(logits.masked_fill(~right, -1e9), 1)).mean()
        loss = loss + float(config["penalty"]) * ((w - identity) ** 2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return w.detach().numpy()


def right_first(questions: np.ndarray, pairs: Pairs, rows: np.ndarray, matrix: np.ndarray | None = None,
                columns: np.ndarray | None = None) -> list[bool]:
    """For each question in ``rows``: is the closest passage (of ``columns``, default all) a right one?"""
    q = questions[rows] if matrix is None else questions[rows] @ matrix.T
    cols = np.arange(len(pairs.passages)) if columns is None else columns
    best = cols[(q @ pairs.passages[cols].T).argmax(axis=1)]
    return [bool(pairs.right[i, j]) for i, j in zip(rows, best, strict=True)]


def cross_validate(pairs: Pairs, groups: Sequence[str], *, config: dict[str, Any] = CONFIG) -> dict[str, float]:
    """Right passage first, without and with the adapter, for questions no fold trained on: new questions
    about the same articles (stratified folds), and questions about articles the adapter never saw (whole
    articles left out of training, their passages still searched)."""
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    folds = int(config["folds"])
    q = pairs.questions
    base, seen, unseen_base, unseen = [], [], [], []
    for train_rows, test_rows in StratifiedKFold(folds, shuffle=True, random_state=0).split(q, groups):
        part = Pairs(q[train_rows], pairs.passages, pairs.right[train_rows], pairs.articles)
        matrix = fit(part, config=config)
        base += right_first(q, pairs, test_rows)
        seen += right_first(q, pairs, test_rows, matrix)
    for train_rows, test_rows in GroupKFold(min(folds, len(set(groups)))).split(q, groups=groups):
        held = {groups[i] for i in test_rows}
        kept = np.array([a not in held for a in pairs.articles])
        rows = np.array([i for i in train_rows if not pairs.right[i, ~kept].any()])
        part = Pairs(q[rows], pairs.passages[kept], pairs.right[rows][:, kept], [a for a in pairs.articles if a
                                                                                    not in held])
        matrix = fit(part, config=config)
        unseen_base += right_first(q, pairs, test_rows)
        unseen += right_first(q, pairs, test_rows, matrix)
    return {"right_first_without": round(float(np.mean(base)), 4), "right_first_with": round(float(np.mean(seen)), 4),
            "unseen_articles_without": round(float(np.mean(unseen_base)), 4),
            "unseen_articles_with": round(float(np.mean(unseen)), 4)}


def expected_hash(questions: Sequence[tuple[str, Sequence[str]]], passages: Sequence[tuple[str, str]]) -> str:
    """Of the configuration, the (question, its articles) pairs and the (article, passage text) list."""
    digest = hashlib.sha256(json.dumps(CONFIG, sort_keys=True).encode())
    for question, articles in questions:
        digest.update(json.dumps([question, sorted(articles)]).encode())
    for article, text in passages:
        digest.update(json.dumps([article, text]).encode())
    return digest.hexdigest()[:16]


def questions_with_sources(cases: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(question, its articles) for the development set's answerable questions with no earlier turns."""
    rows = []
    for case in cases:
        routes = [case["route"]] if isinstance(case.get("route"), str) else list(case.get("route") or [])
        if routes[:1] == ["answer"] and case.get("sources") and not case.get("history"):
            rows.append((str(case["question"]), [str(s) for s in case["sources"]]))
    return rows


def train(questions: Sequence[tuple[str, Sequence[str]]], passages: Sequence[tuple[str, str]],
          question_vectors: np.ndarray, passage_vectors: np.ndarray, out: Path = QUERY_ADAPTER) -> dict[str, Any]:
    """Fit on every question, measure by cross-validation, save the matrix and its card."""
    articles = [a for a, _ in passages]
    right = np.array([[a in set(sources) for a in articles] for _, sources in questions], dtype=bool)
    usable = np.asarray(right.any(axis=1), dtype=bool)  # a question whose article is missing teaches nothing
    pairs = Pairs(question_vectors[usable], passage_vectors, right[usable], articles)
    groups = [sorted(s)[0] for (_, s), ok in zip(questions, usable.tolist(), strict=True) if ok]
    card = {"data_hash": expected_hash(questions, passages), "questions": int(usable.sum()),
            "passages": len(passages), "articles": len(set(articles)), "config": CONFIG,
            "cross_validated": cross_validate(pairs, groups)}
    QueryAdapter(fit(pairs), card).save(out)
    return card
