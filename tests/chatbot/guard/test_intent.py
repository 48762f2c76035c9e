"""The intent classifier ``make models`` builds from the development set, on messages written here."""

from __future__ import annotations

import json

import pytest

from chatbot.guard.classifier import card_path
from chatbot.guard.intent import INTENT_MODEL, IntentClassifier, expected_hash, scope_kind
from chatbot.guard.safety import SafetyDetector
from knowledge_base.embeddings import MiniLMEmbeddings


@pytest.fixture(scope="module")
def intents(embeddings: MiniLMEmbeddings) -> IntentClassifier:
    return IntentClassifier(SafetyDetector(embeddings).vectors)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("hello there", "small_talk"), ("thank you so much!", "small_talk"), ("bye for now", "small_talk"),
        ("what time do you open on saturdays", "clinic_info"), ("does the clinic take blue cross?", "clinic_info"),
        ("can i mix tylenol and advil for my knee", "scope_redirect"),
        ("what does 'mild degenerative changes' on my xray mean", "scope_redirect"),
        ("write me a poem about cats", "off_topic"),
        ("should I use heat or ice on my sore knee?", "question"),
        ("why does my heel hurt in the morning", "question"),
    ],
)
def test_intents_of_new_messages(intents: IntentClassifier, message: str, intent: str) -> None:
    assert intents.classify(message).label == intent


@pytest.mark.parametrize(
    ("message", "kind"),
    [("can I take advil before PT", "dose"), ("my mri report says bulging disc", "scan"),
     ("my surgeon said 6 weeks in the brace, can I stop at 4?", "change_plan"), ("is it a tear or a sprain?", "diagnosis")],
)
def test_scope_kind(message: str, kind: str) -> None:
    assert scope_kind(message) == kind


def test_the_intent_model_was_trained_on_the_current_development_set() -> None:
    saved = json.loads(card_path(INTENT_MODEL).read_text(encoding="utf-8"))
    assert saved["data_hash"] == expected_hash(), "run `make models`"
    assert saved["cross_validated"]["accuracy"] >= 0.8


def test_the_answerability_model_was_trained_on_the_current_development_set() -> None:
    from chatbot.answerability import ANSWERABILITY_MODEL, Answerability, examples
    from chatbot.answerability import expected_hash as answerability_hash
    from chatbot.guard.training import dev_cases

    model = Answerability.load(ANSWERABILITY_MODEL)
    assert model.card["data_hash"] == answerability_hash(examples(dev_cases())), "run `make models`"
    assert set(model.labels) == {"answer", "clarify", "no_match"}
