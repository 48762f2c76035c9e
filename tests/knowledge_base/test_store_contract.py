"""One contract, two stores: embedded Chroma on disk and a real `chroma run` server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.documents import Document

from chatbot.settings import Settings
from knowledge_base.article import Article
from knowledge_base.chunking import Chunker
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import StoreUnavailable
from tests.conftest import ArticleWriter, chroma_process, free_port


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with chroma_process(tmp_path_factory.mktemp("chroma-server")) as (host, port, _):
        yield host, port


@pytest.fixture(params=["embedded", "server"])
def contract_kb(
    request: pytest.FixtureRequest, tmp_path: Path, embeddings: MiniLMEmbeddings
) -> KnowledgeBase:
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        # Each test gets its own collection on the shared server.
        settings = Settings(data_dir=tmp_path / "data", chroma_host=host, chroma_port=port,
                            collection=f"t{abs(hash(request.node.name)) % 10**8}")
    else:
        settings = Settings(data_dir=tmp_path / "data")
    return build_knowledge_base(settings, embeddings=embeddings)


ARTICLES = {
    "heel": ("Heel Pain", "Plantar fasciitis makes the heel hurt with the first steps in the morning."),
    "elbow": ("Tennis Elbow", "Tennis elbow is pain on the outside of the elbow when you grip a cup."),
    "balance": ("Balance", "Standing on one foot near a counter is a simple way to practise balance."),
}


def test_search_ranks_the_right_article_first(
    contract_kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    for article_id, (title, text) in ARTICLES.items():
        write_article(article_id, title, text)
    contract_kb.sync(articles_dir, by="t")
    hits = contract_kb.search("it hurts outside my elbow when I hold a mug", k=3)
    assert hits[0].article_id == "elbow"
    assert hits[0].title == "Tennis Elbow" and hits[0].url.endswith("/elbow")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert -1.0 <= hits[-1].score <= hits[0].score <= 1.0


def test_a_vector_already_computed_finds_what_its_text_finds(
    contract_kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    for article_id, (title, text) in ARTICLES.items():
        write_article(article_id, title, text)
    contract_kb.sync(articles_dir, by="t")
    question = "my heel hurts first thing in the morning"
    by_text = contract_kb.search(question, k=3)
    by_vector = contract_kb.search_by_vector(contract_kb.embed_query(question), k=3)
    assert [(h.uid, round(h.score, 5)) for h in by_vector] == [(h.uid, round(h.score, 5)) for h in by_text]
    assert by_vector[0].article_id == "heel"
    # The vector pointing the other way ranks the same passages the other way round.
    opposite = contract_kb.search_by_vector([-x for x in contract_kb.embed_query(question)], k=3)
    assert opposite[-1].article_id == "heel" and opposite[0].score < 0 < by_vector[0].score


def test_replace_and_remove(contract_kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path) -> None:
    for article_id, (title, text) in ARTICLES.items():
        write_article(article_id, title, text)
    contract_kb.sync(articles_dir, by="t")
    write_article("heel", "Heel Pain", "Supportive shoes make walking on hard floors easier for sore heels.")
    (articles_dir / "elbow.md").unlink()
    report = contract_kb.sync(articles_dir, by="t")
    assert (report.replaced, report.removed, sorted(report.unchanged)) == (["heel"], ["elbow"], ["balance"])
    texts = {h.text for h in contract_kb.search("heel pain shoes", k=10)}
    assert "Supportive shoes make walking on hard floors easier for sore heels." in texts
    assert not any("first steps" in t or "elbow" in t for t in texts)
    assert set(contract_kb.store.get()["ids"]) == contract_kb.catalog.live_uids()


class ChunkerBeforeLanguages(Chunker):
    """Chunks as they were stored before articles had a language: no ``lang`` key."""

    def split(self, article: Article) -> list[Document]:
        docs = super().split(article)
        for doc in docs:
            del doc.metadata["lang"]
        return docs


def test_search_by_language_counts_chunks_without_one_as_english(
    contract_kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    kb = contract_kb
    old = KnowledgeBase(store=kb.store, record_manager=kb.record_manager, catalog=kb.catalog,
                        chunker=ChunkerBeforeLanguages(), base_url=kb.base_url)
    for article_id, (title, text) in ARTICLES.items():
        write_article(article_id, title, text)
    old.sync(articles_dir, by="t")
    assert all("lang" not in meta for meta in kb.store.get()["metadatas"])
    write_article("codo", "Codo de tenista", "El codo de tenista duele por fuera del codo al agarrar una taza.",
                  lang="es")
    report = kb.sync(articles_dir, by="t")
    assert report.added == ["codo"] and sorted(report.unchanged) == sorted(ARTICLES), "old chunks were re-indexed"

    question = "it hurts outside my elbow when I hold a mug"
    english = kb.search(question, k=3, lang="en")
    assert english[0].article_id == "elbow" and {h.lang for h in english} == {"en"} and len(english) == 3
    assert [h.article_id for h in kb.search(question, k=3, lang="es")] == ["codo"]
    assert {p.article_id for p in kb.live_passages(lang="en")} == set(ARTICLES)
    assert [p.article_id for p in kb.live_passages(lang="es")] == ["codo"]
    assert kb.languages() == {"en", "es"}


def test_server_that_is_down_gives_a_clear_error(tmp_path: Path, embeddings: MiniLMEmbeddings) -> None:
    port = free_port()
    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(StoreUnavailable, match=f"cannot reach the Chroma server at 127.0.0.1:{port}"):
        build_knowledge_base(settings, embeddings=embeddings)
