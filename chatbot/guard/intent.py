"""What a message is for, once safety and the reviewed rules have had their say: a question for the
articles, a scope request (medicines, results, diagnosis, changing a plan), small talk, clinic
information, off-topic, or an attempt to misuse the assistant.

A ``TextClassifier`` trained on the development set (``eval/dev``) by ``make models``; a prediction
counts only above ``min_confidence``, otherwise the message goes on to retrieval as a question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from chatbot.guard.classifier import TextClassifier, data_hash
from chatbot.guard.training import DEV_DIR, Example, dev_cases

INTENT_MODEL = Path(__file__).resolve().parent / "models" / "intent.skops"
CONFIG = {"version": 1, "folds": 5, "c": 8.0, "embedding_weight": 1.0, "min_confidence": 0.5}
# Development-set routes -> intents. Safety routes are left to the safety detector, other languages to the
# language detector, empty and over-long messages to the limits.
_INTENT = {"answer": "question", "no_match": "question", "clarify": "question", "scope_redirect": "scope_redirect",
           "small_talk": "small_talk", "clinic_info": "clinic_info", "off_topic": "off_topic", "blocked": "blocked"}
_SCOPE_KIND = [  # which redirect a scope request gets, when the reviewed patterns in prompts/scope.yaml don't say
    ("dose", re.compile(r"\b(pills?|meds?|medicines?|medications?|drugs?|doses?|dosage|mg|tablets?|prescri\w*|"
                        r"ibuprofen|advil|motrin|aleve|naproxen|tylenol|acetaminophen|aspirin|gabapentin|lyrica|"
                        r"tramadol|oxy\w*|hydrocodone|norco|percocet|flexeril|cyclobenzaprine|meloxicam|"
                        r"prednisone|steroids?|cortisone|shots?|injections?|cbd|creams?|gel|patch|supplements?|"
                        r"pastillas|medicina|medicamentos?|pomada)\b")),
    ("scan", re.compile(r"\b(x-?rays?|mri|ct|scan|ultrasound|results?|report|radiolog\w*|blood (work|test)|"
                        r"labs?|dexa|t-?score|says|radiografia|resonancia|estudios?)\b")),
    ("change_plan", re.compile(r"\b(surgeon|therapist|pt|physio|doctor|dr|plan|allowed|cleared|told me|said|"
                               r"protocol|brace|walker|crutches|cirujano|terapeuta)\b")),
]


@dataclass(frozen=True)
class Intent:
    label: str  # question, scope_redirect, small_talk, clinic_info, off_topic or blocked
    confidence: float


def intent_examples(cases: Sequence[dict[str, Any]]) -> list[Example]:
    examples = []
    for case in cases:
        routes = [case["route"]] if isinstance(case.get("route"), str) else list(case.get("route") or [])
        tags = set(case.get("tags") or [])
        label = _INTENT.get(routes[0]) if routes else None
        if label is None or (label == "blocked" and tags & {"empty", "over_long"}) or not str(case["question"]).strip():
            continue
        examples.append(Example(str(case["question"]), label, f"{case['_file']}:{case.get('id')}"))
    return examples


def scope_kind(text: str) -> str:
    for kind, pattern in _SCOPE_KIND:
        if pattern.search(text.lower()):
            return kind
    return "diagnosis"


def expected_hash(*, dev: Path = DEV_DIR) -> str:
    return data_hash([(e.text, e.label) for e in intent_examples(dev_cases(dev))], CONFIG)


def train_intent(embeddings: Embeddings, *, dev: Path = DEV_DIR, out: Path = INTENT_MODEL) -> dict[str, Any]:
    """Fit, report five-fold cross-validated accuracy per intent, refit on everything and save."""
    from sklearn.model_selection import StratifiedKFold

    from chatbot.guard.textnorm import clean

    examples = intent_examples(dev_cases(dev))
    texts = [clean(e.text) for e in examples]
    labels = [e.label for e in examples]
    vectors = np.array(embeddings.embed_documents(texts), dtype=np.float32)
    predicted = [""] * len(texts)
    for train, test in StratifiedKFold(n_splits=CONFIG["folds"], shuffle=True, random_state=0).split(texts, labels):
        model = TextClassifier(labels=[], c=CONFIG["c"], embedding_weight=CONFIG["embedding_weight"])
        model.fit([texts[i] for i in train], [labels[i] for i in train], vectors[train])
        probs = model.probabilities([texts[i] for i in test], vectors[test])
        for i, row in zip(test, probs, strict=True):
            best = int(row.argmax())
            predicted[i] = model.labels[best] if row[best] >= CONFIG["min_confidence"] else "question"
    per_label = {y: round(sum(p == y for p, t in zip(predicted, labels, strict=True) if t == y) / labels.count(y), 3)
                 for y in sorted(set(labels))}
    card = {
        "data_hash": data_hash([(e.text, e.label) for e in examples], CONFIG),
        "examples": len(examples),
        "by_label": dict(sorted(Counter(labels).items())),
        "min_confidence": CONFIG["min_confidence"],
        "cross_validated": {
            "accuracy": round(sum(p == t for p, t in zip(predicted, labels, strict=True)) / len(labels), 4),
            "recall_by_intent": per_label,
        },
    }
    final = TextClassifier(labels=[], c=CONFIG["c"], embedding_weight=CONFIG["embedding_weight"])
    final.fit(texts, labels, vectors)
    final.save(out, card)
    return final.card


class IntentClassifier:
    """``IntentClassifier(vectors).classify(text) -> Intent``; ``vectors`` embeds texts (the safety
    detector's cached embedder, so a message is embedded once)."""

    def __init__(self, vectors: Callable[[Sequence[str]], np.ndarray], *, model_path: Path = INTENT_MODEL,
                 classifier: TextClassifier | None = None) -> None:
        self.vectors = vectors
        self.classifier = classifier or TextClassifier.load(model_path)
        self.min_confidence = float(self.classifier.card.get("min_confidence", CONFIG["min_confidence"]))

    def classify(self, text: str) -> Intent:
        if not text.strip():
            return Intent("question", 0.0)
        row = self.classifier.probabilities([text], self.vectors([text]))[0]
        best = int(row.argmax())
        if row[best] < self.min_confidence:
            return Intent("question", float(row[best]))
        return Intent(self.classifier.labels[best], float(row[best]))
