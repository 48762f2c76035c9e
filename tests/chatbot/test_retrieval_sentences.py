"""Retrieval measures the best single sentence of the best article (an answerability feature) without
embedding the question again, and shares the article sentences' vectors with the answer engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from chatbot.engines.text import sentences
from chatbot.engines.vectors import VectorCache
from chatbot.retrieval import Retriever
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase
from tests.conftest import ArticleWriter

ICE = ("Ice helps most in the first two days after a sprain. Hold a cold pack on the ankle for 15 to 20 minutes. "
       "Wrap it in a thin towel so the skin is protected.")
BIKE = "A stationary bike is a gentle way to keep your knees moving. Start with ten easy minutes a day."


class Counting(Embeddings):
    def __init__(self, inner: Embeddings) -> None:
        self.inner, self.queries, self.documents = inner, 0, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return self.inner.embed_query(text)


@pytest.fixture
def synced(kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path) -> KnowledgeBase:
    write_article("ankle-ice", "Ice for a sprained ankle", ICE)
    write_article("knee-bike", "Cycling with sore knees", BIKE)
    assert kb.sync(articles_dir, by="test").ok
    return kb


def test_the_best_sentence_is_measured_with_the_search_s_own_question_vector(
        synced: KnowledgeBase, embeddings: MiniLMEmbeddings) -> None:
    counting = Counting(embeddings)
    retriever = Retriever(synced, k=2, vectors=VectorCache(counting))
    found = retriever.run("how long do I hold ice on my sprained ankle")
    assert found.passages[0].article_id == "ankle-ice"
    assert counting.queries == 1, "the question is embedded once, for the search and the sentences"
    question = np.asarray(embeddings.embed_query(found.query))
    expected = max(float(np.asarray(embeddings.embed_query(s)) @ question) for s in sentences(ICE))
    assert found.best_sentence == pytest.approx(expected, abs=1e-4)
    again = retriever.run("how long do I hold ice on my sprained ankle")
    assert counting.documents == len(sentences(ICE)), "each sentence is embedded once"
    assert again.best_sentence == pytest.approx(found.best_sentence)


def test_without_shared_vectors_retrieval_uses_the_store_s_embeddings(synced: KnowledgeBase) -> None:
    found = Retriever(synced, k=2).run("is the exercise bike ok for my knees")
    assert found.passages[0].article_id == "knee-bike" and 0.3 < found.best_sentence <= 1.0


def test_the_search_by_vector_finds_what_the_search_by_text_finds(synced: KnowledgeBase,
                                                                  embeddings: MiniLMEmbeddings) -> None:
    query = "ice on a sprained ankle"
    by_text = synced.search(query, k=2)
    by_vector = synced.search(query, k=2, vector=embeddings.embed_query(query))
    assert [p.uid for p in by_text] == [p.uid for p in by_vector]
    assert [p.score for p in by_text] == pytest.approx([p.score for p in by_vector], abs=1e-5)


def test_the_vector_cache_embeds_each_text_once(embeddings: MiniLMEmbeddings) -> None:
    counting = Counting(embeddings)
    cache = VectorCache(counting, size=2)
    first = cache.get(["a sore knee", "an icy ankle"])
    assert counting.documents == 2 and first.shape[0] == 2
    assert np.allclose(cache.get(["an icy ankle"])[0], first[1]) and counting.documents == 2
    cache.get(["a third text"])  # over the size: the least recently used ("a sore knee") goes
    cache.get(["an icy ankle", "a sore knee"])
    assert counting.documents == 4
    with pytest.raises(ValueError):
        VectorCache(counting, size=0)
