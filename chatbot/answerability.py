"""Whether the articles answer a question, learned from the development set instead of guessed.

After retrieval a question is ``answer`` (the articles cover it), ``no_match`` (in the clinic's field, but no
article covers it: say so, never guess) or ``clarify`` (too vague to pick an article: ask back). Features are
what retrieval measured (dense and hybrid scores, the margin over the next article, how many of the question's
words no article uses and how rare those are in English, how many of them the best passage holds, the
question's length, whether the synonym list translated a term, whether it was read as a follow-up, whether it
is phrased as a question or a bare complaint, whether it names a part of the body the best article never
mentions ("my wrist" answered from a knee article)); the model is scikit-learn's logistic regression on
standardised features, trained by ``make models`` on the development set's English questions against the
sample articles, and stored as a small JSON file (numbers only).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.engines.text import content_stems
from chatbot.regions import regions
from chatbot.retrieval import Retrieval

ANSWERABILITY_MODEL = Path(__file__).resolve().parent / "guard" / "models" / "answerability.json"
LABELS = ("answer", "clarify", "no_match")
# Class weights chosen on cross-validated development-set scores (C 1, weights answer 1, no_match 2-4,
# clarify 2-3 compared): these gave 83% right over answer / ask back / no article (87% of answerable
# questions answered, 77% of vague ones asked back, 61% of uncovered ones refused), against 68% for the rule
# it replaced (a dense-score threshold plus the share of words no article uses: 69%, 48%, 65%). Weighting
# "no article" higher refuses more uncovered topics but turns away more answerable questions.
# Not a feature: how many top passages share the best one's article (it penalised a short article of one
# passage, which staff may well publish).
CONFIG = {"version": 6, "c": 1.0, "folds": 5, "class_weight": {"answer": 1.0, "no_match": 3.0, "clarify": 2.0}}
FEATURES = ("best_dense", "top_score", "margin", "unknown_share", "rare_unknown", "rarest_unknown",
            "common_unknown_share", "log_content_words", "top_coverage", "second_article_score", "synonyms",
            "follow_up", "asks", "names_region", "region_missing")
RARE = 3.3  # Zipf frequency under which an unknown word probably names a topic ("bunion", "tailbone")


def features(retrieval: Retrieval) -> list[float]:
    passages = retrieval.unadapted  # what the decision was learned on, whichever passages are quoted
    top = passages[0] if passages else None
    other = next((p.score for p in passages if top is not None and p.article_id != top.article_id), 0.0)
    stems = set(content_stems(retrieval.query))
    covered = set(content_stems(f"{top.title} {top.text}")) if top else set()
    rare = [z for z in retrieval.unknown_zipf if z < RARE]
    common = len(retrieval.unknown_zipf) - len(rare)
    named = regions(retrieval.query)
    missing = bool(named) and top is not None and not regions(retrieval.top_article_text) & named
    return [
        retrieval.best_dense,
        top.score if top else 0.0,
        (top.score - other) if top else 0.0,
        retrieval.unknown_share,
        float(min(len(rare), 3)),
        min(retrieval.unknown_zipf, default=7.0),
        common / retrieval.content_words if retrieval.content_words else 0.0,
        math.log1p(retrieval.content_words),
        len(stems & covered) / len(stems) if stems else 0.0,
        other,
        float(min(len(retrieval.synonyms), 2)),
        float(retrieval.follow_up),
        float(retrieval.asks),
        float(bool(named)),
        float(missing),
    ]


@dataclass(frozen=True)
class Decision:
    label: str  # answer, clarify or no_match
    confidence: float


class Answerability:
    """``Answerability.load().decide(question, retrieval) -> Decision``."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray,
                 labels: Sequence[str], card: dict[str, Any] | None = None) -> None:
        self.coef, self.intercept, self.mean, self.scale = coef, intercept, mean, scale
        self.labels = list(labels)
        self.card = card or {}

    def probabilities(self, row: Sequence[float]) -> np.ndarray:
        x = (np.asarray(row, dtype=np.float64) - self.mean) / self.scale
        logits = self.coef @ x + self.intercept
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()

    def decide(self, retrieval: Retrieval) -> Decision:
        if not retrieval.passages:
            return Decision("no_match", 1.0)
        probs = self.probabilities(features(retrieval))
        best = int(probs.argmax())
        return Decision(self.labels[best], float(probs[best]))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**self.card, "labels": self.labels, "features": list(FEATURES), "coef": self.coef.tolist(),
                "intercept": self.intercept.tolist(), "mean": self.mean.tolist(), "scale": self.scale.tolist()}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = ANSWERABILITY_MODEL) -> Answerability:
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: build it with `make models` (uplifted train answerability)")
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != list(FEATURES):
            raise ValueError(f"{path} was trained on other features: run `make models`")
        card = {k: v for k, v in data.items() if k not in {"coef", "intercept", "mean", "scale"}}
        return cls(np.array(data["coef"]), np.array(data["intercept"]), np.array(data["mean"]),
                   np.array(data["scale"]), data["labels"], card)


def examples(cases: Sequence[dict[str, Any]]) -> list[tuple[str, list[str], str]]:
    """(question, history, label) for the English cases whose route is answer, clarify or no_match."""
    rows = []
    for case in cases:
        routes = [case["route"]] if isinstance(case.get("route"), str) else list(case.get("route") or [])
        tags = set(case.get("tags") or [])
        english = not tags & {"spanish", "other_language"}
        if routes and routes[0] in LABELS and english and str(case["question"]).strip():
            rows.append((str(case["question"]), [str(h) for h in case.get("history") or []], routes[0]))
    return rows


def expected_hash(rows: Sequence[tuple[str, list[str], str]]) -> str:
    digest = hashlib.sha256(json.dumps([CONFIG, list(FEATURES)], sort_keys=True).encode())
    for question, history, label in rows:
        digest.update(json.dumps([question, history, label]).encode())
    return digest.hexdigest()[:16]


def train(rows: Sequence[tuple[str, list[str], str]], measured: Sequence[list[float]],
          out: Path = ANSWERABILITY_MODEL) -> dict[str, Any]:
    """Fit on ``measured`` features (one row per example), report cross-validated accuracy, save."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.array(measured, dtype=np.float64)
    y = [label for _, _, label in rows]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=CONFIG["c"], max_iter=2000,
                                                               class_weight=CONFIG["class_weight"]))
    folds = StratifiedKFold(n_splits=CONFIG["folds"], shuffle=True, random_state=0)
    predicted = cross_val_predict(model, x, y, cv=folds)
    model.fit(x, y)
    scaler, head = model[0], model[1]
    card = {
        "data_hash": expected_hash(rows),
        "examples": len(rows),
        "by_label": {label: y.count(label) for label in LABELS},
        "cross_validated": {
            "accuracy": round(float(np.mean([p == t for p, t in zip(predicted, y, strict=True)])), 4),
            "recall_by_label": {label: round(float(np.mean([p == t for p, t in zip(predicted, y, strict=True)
                                                             if t == label])), 3) for label in LABELS},
        },
    }
    result = Answerability(head.coef_, head.intercept_, scaler.mean_, scaler.scale_,
                           [str(c) for c in head.classes_], card)
    result.save(out)
    return card
