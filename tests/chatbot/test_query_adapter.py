"""The query adapter: a learned map that moves a patient's question toward the passages that answer it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from chatbot import answerability
from chatbot.guard.training import dev_cases
from chatbot.query_adapter import CONFIG, QUERY_ADAPTER, Pairs, QueryAdapter, fit, questions_with_sources, right_first
from chatbot.retrieval import Retriever
from knowledge_base.service import KnowledgeBase
from tests.conftest import ArticleWriter


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_training_moves_questions_to_the_passages_of_their_article() -> None:
    # Four passages on four axes; every question leans towards passage 1 but belongs to passage 0's article
    # (the way "TKR" questions lean towards the wrong article before the map learns the abbreviation).
    rng = np.random.default_rng(0)
    passages = np.eye(8, dtype=np.float32)[:4]
    questions = _unit(np.c_[np.full(20, 0.5), np.full(20, 0.6), rng.normal(0, 0.05, (20, 6))]).astype(np.float32)
    right = np.zeros((20, 4), dtype=bool)
    right[:, 0] = True
    pairs = Pairs(questions, passages, right, ["a", "b", "c", "d"])
    rows = np.arange(20)
    assert not any(right_first(questions, pairs, rows))
    matrix = fit(pairs, config={**CONFIG, "penalty": 0.001})
    assert all(right_first(questions, pairs, rows, matrix))
    # Pulled hard towards the identity, the same data moves it far less, not enough to change the ranking.
    stiff = fit(pairs, config={**CONFIG, "penalty": 100.0})
    assert not any(right_first(questions, pairs, rows, stiff))
    assert np.abs(stiff - np.eye(8)).max() < np.abs(matrix - np.eye(8)).max() / 2


def test_a_question_without_a_right_passage_is_refused() -> None:
    with pytest.raises(ValueError, match="right passage"):
        Pairs(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), np.array([[True, False], [False, False]]),
              ["a", "b"])


def test_a_vector_from_another_model_is_refused_with_what_to_do() -> None:
    adapter = QueryAdapter(np.eye(4, dtype=np.float32))
    assert adapter.adapt([0.0, 2.0, 0.0, 0.0]) == [0.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="make models"):
        adapter.adapt([1.0] * 384)


def test_a_missing_adapter_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make models"):
        QueryAdapter.load(tmp_path / "query_adapter.npy")


def test_saved_and_loaded_the_same(tmp_path: Path) -> None:
    matrix = np.arange(9, dtype=np.float32).reshape(3, 3)
    QueryAdapter(matrix, {"data_hash": "x"}).save(tmp_path / "a.npy")
    loaded = QueryAdapter.load(tmp_path / "a.npy")
    assert np.array_equal(loaded.matrix, matrix) and loaded.card == {"data_hash": "x"}


ARTICLES = {
    "heel": ("Heel Pain", "Plantar fasciitis makes the heel hurt with the first steps in the morning."),
    "elbow": ("Tennis Elbow", "Tennis elbow is pain on the outside of the elbow when you grip a cup."),
    "balance": ("Balance", "Standing on one foot near a counter is a simple way to practise balance."),
}


def test_the_adapter_chooses_what_is_quoted_not_whether_to_answer(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    for article_id, (title, text) in ARTICLES.items():
        write_article(article_id, title, text)
    kb.sync(articles_dir, by="t")
    question = "my heel hurts first thing in the morning"
    plain = Retriever(kb).run(question)
    same = Retriever(kb, adapter=QueryAdapter(np.eye(384, dtype=np.float32))).run(question)
    assert [p.uid for p in same.passages] == [p.uid for p in plain.passages]
    # An adapter that turns every question around quotes the farthest passage first...
    reversed_ = Retriever(kb, adapter=QueryAdapter(-np.eye(384, dtype=np.float32))).run(question)
    assert plain.passages[0].article_id == "heel" and reversed_.passages[0].article_id != "heel"
    # ...but the answer / no article decision reads exactly what it read without one.
    assert reversed_.unadapted == plain.passages and reversed_.best_dense == plain.best_dense
    assert reversed_.top_score == plain.top_score
    assert answerability.features(reversed_) == answerability.features(plain)


def test_the_shipped_adapter_was_trained_on_the_current_development_set_and_helps() -> None:
    from chatbot.query_adapter import expected_hash
    from chatbot.settings import Settings
    from knowledge_base.chunking import Chunker
    from knowledge_base.loaders import load_article

    settings = Settings()
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    docs = [d for p in KnowledgeBase.article_files(settings.articles_dir) for d in chunker.split(load_article(p))]
    passages = [(str(d.metadata["article_id"]), d.page_content) for d in docs]
    card = json.loads(QUERY_ADAPTER.with_suffix(".json").read_text(encoding="utf-8"))
    assert card["data_hash"] == expected_hash(questions_with_sources(dev_cases()), passages), "run `make models`"
    cv = card["cross_validated"]
    assert cv["right_first_with"] > cv["right_first_without"] + 0.03
    assert cv["unseen_articles_with"] >= cv["unseen_articles_without"] - 0.01  # a clinic's own articles lose nothing
