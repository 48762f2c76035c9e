"""Train the safety classifier from the development set (``eval/dev/``) and the reviewed phrase bank.

Labels: ``crisis``, ``emergency``, ``urgent`` or ``none``. A case whose red flag is only in an earlier
message (tag ``earlier_turn``) teaches with that earlier text, not with its harmless last message.
The threshold is chosen on five-fold cross-validated scores, for recall first:
one threshold on the safety score (1 - P(none)), the score that ``target_recall`` of the held-out safety
messages reach; the reviewed rules add to that recall. The frozen test set is never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

from chatbot.guard.classifier import TextClassifier, data_hash

REPO = Path(__file__).resolve().parents[2]
DEV_DIR = REPO / "eval" / "dev"
SAFETY_MODEL = Path(__file__).resolve().parent / "models" / "safety.skops"
SAFETY_LABELS = ("crisis", "emergency", "urgent")
CONFIG = {"version": 1, "target_recall": 0.85, "folds": 5, "c": 16.0, "embedding_weight": 0.5}


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    source: str  # file:id, for reports


def dev_cases(folder: Path = DEV_DIR) -> list[dict[str, Any]]:
    """Every case of the development set (plain YAML mappings; eval/cases.py validates the same files)."""
    cases: list[dict[str, Any]] = []
    for path in sorted(folder.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        cases += [{**c, "_file": path.name} for c in data.get("cases", [])]
    return cases


def safety_label(routes: Any) -> str:
    routes = [routes] if isinstance(routes, str) else list(routes or [])
    for label in SAFETY_LABELS:  # the most severe route a case allows
        if label in routes:
            return label
    return "none"


def safety_examples(cases: Sequence[dict[str, Any]], bank: Path | None = None) -> list[Example]:
    examples = []
    for case in cases:
        label = safety_label(case.get("route"))
        where = f"{case['_file']}:{case.get('id')}"
        if "earlier_turn" in (case.get("tags") or []) and label != "none":
            examples.append(Example(" ".join(case.get("history") or []), label, where))
            examples.append(Example(str(case["question"]), "none", where))
        else:
            examples.append(Example(str(case["question"]), label, where))
    if bank is not None:
        for group in (yaml.safe_load(bank.read_text(encoding="utf-8")) or {}).get("groups", []):
            label = "none" if group["route"] == "none" else group["route"]
            examples += [Example(str(p), label, f"phrase_bank:{group['id']}") for p in group["phrases"]]
    return [e for e in examples if e.text.strip()]


def choose_threshold(scores: np.ndarray, labels: Sequence[str], classes: Sequence[str]) -> float:
    """The safety score (1 - P(none)) that ``target_recall`` of the held-out safety messages reach."""
    safety = 1.0 - scores[:, list(classes).index("none")]
    own = safety[[i for i, y in enumerate(labels) if y != "none"]]
    return round(float(np.quantile(own, 1 - CONFIG["target_recall"])), 4) if len(own) else 0.5


def train_safety(embeddings: Embeddings, *, dev: Path = DEV_DIR, bank: Path | None = None,
                 out: Path = SAFETY_MODEL) -> dict[str, Any]:
    """Fit, cross-validate, choose thresholds, refit on everything and save. Returns the model card."""
    from sklearn.model_selection import StratifiedKFold

    from chatbot.guard.safety import message_scores, segments
    from chatbot.guard.textnorm import clean

    examples = safety_examples(dev_cases(dev), bank)
    texts = [clean(e.text) for e in examples]
    labels = [e.label for e in examples]
    # Every text and clause is embedded once, in one batch.
    pieces = list(dict.fromkeys(p for t in texts for p in [t, *segments(t)]))
    table = dict(zip(pieces, np.array(embeddings.embed_documents(pieces), dtype=np.float32), strict=True))

    def lookup(parts: Sequence[str]) -> np.ndarray:
        return np.array([table[p] for p in parts], dtype=np.float32)

    vectors = lookup(texts)
    folds = StratifiedKFold(n_splits=CONFIG["folds"], shuffle=True, random_state=0)
    held_out = np.zeros((len(texts), len(SAFETY_LABELS) + 1))
    classes: list[str] = []
    for train, test in folds.split(texts, labels):
        model = TextClassifier(labels=[], c=CONFIG["c"], embedding_weight=CONFIG["embedding_weight"])
        model.fit([texts[i] for i in train], [labels[i] for i in train], vectors[train])
        classes = model.labels
        held_out[test] = message_scores(model, [texts[i] for i in test], lookup)
    threshold = choose_threshold(held_out, labels, classes)
    none = classes.index("none")
    decided = []
    for row in held_out:
        if 1.0 - row[none] < threshold:
            decided.append("none")
        else:
            decided.append(max(SAFETY_LABELS, key=lambda k: (row[classes.index(k)], -SAFETY_LABELS.index(k))))
    positives = [i for i, y in enumerate(labels) if y != "none"]
    negatives = [i for i, y in enumerate(labels) if y == "none"]
    card = {
        "data_hash": data_hash([(e.text, e.label) for e in examples], CONFIG),
        "examples": len(examples),
        "by_label": {y: labels.count(y) for y in sorted(set(labels))},
        "threshold": threshold,
        "cross_validated": {
            "safety_recall": round(sum(decided[i] != "none" for i in positives) / max(1, len(positives)), 4),
            "exact_tier": round(sum(decided[i] == labels[i] for i in positives) / max(1, len(positives)), 4),
            "false_alarms": round(sum(decided[i] != "none" for i in negatives) / max(1, len(negatives)), 4),
            "missed": [examples[i].source for i in positives if decided[i] == "none"][:40],
        },
    }
    final = TextClassifier(labels=[], c=CONFIG["c"], embedding_weight=CONFIG["embedding_weight"])
    final.fit(texts, labels, vectors)
    final.save(out, card)
    return final.card


def expected_hash(*, dev: Path = DEV_DIR, bank: Path | None = None) -> str:
    examples = safety_examples(dev_cases(dev), bank)
    return data_hash([(e.text, e.label) for e in examples], CONFIG)
