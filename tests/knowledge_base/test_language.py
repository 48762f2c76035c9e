"""Articles in a language (issue 9): search, list and sync by language, with the real model and Chroma."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli.main import app
from knowledge_base.article import Article
from knowledge_base.catalog import Catalog, m001_articles, m002_article_text
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.loaders import parse_article
from knowledge_base.service import KnowledgeBase
from knowledge_base.sqlite import Migrations, connect
from tests.conftest import ArticleWriter
from tests.knowledge_base.test_store_contract import ChunkerBeforeLanguages

HIELO = ("Después de torcerse el tobillo, ponga hielo envuelto en una toalla de 15 a 20 minutos, varias veces "
         "al día, durante los primeros dos o tres días. El hielo baja la hinchazón. Evite el calor al principio, "
         "porque puede aumentar la inflamación.")
ICE = ("After you sprain your ankle, put ice wrapped in a towel on it for 15 to 20 minutes, a few times a day, "
       "for the first two or three days. Ice brings the swelling down. Avoid heat at first.")
HEEL = "Plantar fasciitis makes the heel hurt with the first steps in the morning. Calf stretches often help."

SPANISH_QUESTION = "¿Hielo o calor para un esguince de tobillo?"
ENGLISH_QUESTION = "should I put ice or heat on my sprained ankle"


def stored_langs(kb: KnowledgeBase, article_id: str) -> list[str | None]:
    """The ``lang`` of every chunk the vector store holds for an article, live or not."""
    got = kb.store.get(where={"article_id": article_id})
    return [meta.get("lang") for meta in got["metadatas"]]


@pytest.fixture
def bilingual(kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path) -> KnowledgeBase:
    write_article("hielo-o-calor", "Hielo o calor para un esguince", HIELO, lang="es")
    write_article("ice-or-heat", "Ice or Heat for a Sprain", ICE)
    write_article("heel", "Heel Pain", HEEL, lang="en")
    report = kb.sync(articles_dir, by="pat")
    assert report.ok and sorted(report.added) == ["heel", "hielo-o-calor", "ice-or-heat"]
    return kb


def test_a_spanish_question_finds_the_spanish_article_only_when_asked_in_spanish(bilingual: KnowledgeBase) -> None:
    kb = bilingual
    spanish = kb.search(SPANISH_QUESTION, k=4, lang="es")
    assert [p.article_id for p in spanish] == ["hielo-o-calor"] and spanish[0].lang == "es"
    english = kb.search(SPANISH_QUESTION, k=4, lang="en")
    assert english and {p.article_id for p in english} == {"ice-or-heat", "heel"}
    assert english[0].article_id == "ice-or-heat" and all(p.lang == "en" for p in english)
    assert {p.article_id for p in kb.search(SPANISH_QUESTION, k=4)} == {"hielo-o-calor", "ice-or-heat", "heel"}


def test_english_articles_are_found_in_english_and_not_in_spanish(bilingual: KnowledgeBase) -> None:
    kb = bilingual
    assert kb.search("my heel hurts when I get out of bed", k=1, lang="en")[0].article_id == "heel"
    assert kb.search(ENGLISH_QUESTION, k=1, lang="EN")[0].article_id == "ice-or-heat"
    assert [p.article_id for p in kb.search("my heel hurts when I get out of bed", k=4, lang="es")] == ["hielo-o-calor"]
    assert kb.search("my heel hurts", lang="fr") == [], "a supported language with no articles finds nothing"
    with pytest.raises(ValueError, match="language 'klingon' is not a language we support"):
        kb.search("my heel hurts", lang="klingon")


def test_every_chunk_and_the_catalog_carry_the_language(bilingual: KnowledgeBase) -> None:
    kb = bilingual
    assert {r.id: r.lang for r in kb.articles()} == {"heel": "en", "hielo-o-calor": "es", "ice-or-heat": "en"}
    assert stored_langs(kb, "hielo-o-calor") == ["es"] and stored_langs(kb, "ice-or-heat") == ["en"]
    assert {p.article_id for p in kb.live_passages(lang="es")} == {"hielo-o-calor"}
    assert {p.article_id for p in kb.live_passages(lang="en")} == {"heel", "ice-or-heat"}
    assert {(p.article_id, p.lang) for p in kb.live_passages()} == {
        ("heel", "en"), ("hielo-o-calor", "es"), ("ice-or-heat", "en")}


def test_changing_only_the_language_updates_the_stored_chunks(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("hielo-o-calor", "Hielo o calor para un esguince", HIELO)  # staff forgot `lang: es`
    kb.sync(articles_dir, by="pat")
    english_version = kb.catalog.get("hielo-o-calor").version  # type: ignore[union-attr]
    assert kb.search(SPANISH_QUESTION, lang="es") == []

    write_article("hielo-o-calor", "Hielo o calor para un esguince", HIELO, lang="es")
    report = kb.sync(articles_dir, by="pat")
    assert report.replaced == ["hielo-o-calor"], "a change of language alone must be a new version"
    assert stored_langs(kb, "hielo-o-calor") == ["es"], "the old chunk (or its old metadata) is still stored"
    assert [p.article_id for p in kb.search(SPANISH_QUESTION, lang="es")] == ["hielo-o-calor"]
    assert kb.search(SPANISH_QUESTION, lang="en") == []
    assert set(kb.store.get()["ids"]) == kb.catalog.live_uids()

    write_article("hielo-o-calor", "Hielo o calor para un esguince", HIELO, lang="en")
    assert kb.sync(articles_dir, by="pat").replaced == ["hielo-o-calor"]
    assert kb.catalog.get("hielo-o-calor").version == english_version  # type: ignore[union-attr]
    assert stored_langs(kb, "hielo-o-calor") == ["en"] and kb.languages() == {"en"}


def test_a_bad_language_names_the_file_and_loses_nothing_else(
    bilingual: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    kb = bilingual
    bad = write_article("hielo-o-calor", "Hielo o calor", HIELO + " Nuevo.", lang="klingon")
    write_article("knee", "Knee Care", "Keep your knee moving gently every day.", lang="English")
    report = kb.sync(articles_dir, by="pat")
    assert [str(e) for e in report.errors] == [
        f"{bad}: front matter lang 'klingon' is not a language we support (use one of the codes en, es, fr, pt, "
        "de, it, zh, vi, ko, ru, ar, tl)"]
    assert report.added == ["knee"] and report.removed == [] and sorted(report.unchanged) == ["heel", "ice-or-heat"]
    assert kb.catalog.get("knee").lang == "en"  # type: ignore[union-attr]
    assert [p.text for p in kb.search(SPANISH_QUESTION, lang="es")] == [HIELO], "the last good version stays live"


def test_languages_of_the_live_articles_read_again_only_after_a_change(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert kb.languages() == frozenset()
    write_article("heel", "Heel Pain", HEEL)
    kb.sync(articles_dir, by="pat")
    assert kb.languages() == {"en"}
    reads: list[int] = []
    real = kb.catalog.languages

    def counted() -> frozenset[str]:
        reads.append(1)
        return real()

    monkeypatch.setattr(kb.catalog, "languages", counted)
    assert kb.languages() == kb.languages() == {"en"} and reads == [], "read again without a change"
    hielo = write_article("hielo-o-calor", "Hielo o calor", HIELO, lang="es")
    kb.sync(articles_dir, by="pat")
    assert kb.languages() == kb.languages() == {"en", "es"} and reads == [1]
    hielo.unlink()
    kb.sync(articles_dir, by="pat")
    assert kb.languages() == {"en"}


def test_editing_the_language_and_other_edits_keep_it(bilingual: KnowledgeBase) -> None:
    kb = bilingual
    report = kb.update_metadata("hielo-o-calor", by="dr-lee", title="Hielo o calor: qué ayuda")
    assert report.edited == {"hielo-o-calor": ["title"]}
    assert kb.catalog.get("hielo-o-calor").lang == "es", "a title edit must not make the article English"  # type: ignore[union-attr]
    assert kb.search(SPANISH_QUESTION, k=1, lang="es")[0].title == "Hielo o calor: qué ayuda"

    assert kb.update_metadata("ice-or-heat", by="dr-lee", lang="Spanish").edited == {"ice-or-heat": ["lang"]}
    assert stored_langs(kb, "ice-or-heat") == ["es"]
    assert {p.article_id for p in kb.search(ENGLISH_QUESTION, lang="es")} == {"hielo-o-calor", "ice-or-heat"}
    assert kb.update_metadata("ice-or-heat", by="dr-lee", lang="es").unchanged == ["ice-or-heat"]
    with pytest.raises(ValueError, match="The language 'xx' is not a language we support"):
        kb.update_metadata("ice-or-heat", by="dr-lee", lang="xx")


def test_catalog_from_before_languages_is_migrated_to_english(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = connect(path)
    before = Migrations()
    before(m001_articles)
    before(m002_article_text)
    before.apply(conn)
    conn.execute(
        """INSERT INTO articles (id, title, url, tags, reviewed_on, review_due, version, source, source_hash,
           chunk_count, flagged, updated_at, updated_by) VALUES ('heel', 'Heel Pain', NULL, '[]', NULL, NULL,
           'v1', 'heel.md', 'h1', 1, '[]', '2026-01-01T00:00:00+00:00', 'pat')""")
    conn.close()
    catalog = Catalog.open(path)
    assert catalog.get("heel").lang == "en" and catalog.languages() == {"en"}  # type: ignore[union-attr]
    assert catalog.langs_unread() == {"heel"}, "the next sync must read the language its file states"


class BeforeLanguages(KnowledgeBase):
    """The knowledge base as it was before articles had a language: front matter ``lang`` ignored."""

    def load(self, path: Path) -> Article:
        data = path.read_bytes()
        article = parse_article(str(path), re.sub(rb"(?m)^lang:.*\n", b"", data), kind="markdown",
                                base_url=self.base_url)
        return dataclasses.replace(article, source_hash=hashlib.sha256(data).hexdigest())


def published_before_languages(kb: KnowledgeBase, folder: Path) -> None:
    """Sync ``folder`` as the old code did, then leave the catalog as migration m003 does."""
    old = BeforeLanguages(store=kb.store, record_manager=kb.record_manager, catalog=kb.catalog,
                          chunker=ChunkerBeforeLanguages(), base_url=kb.base_url)
    assert old.sync(folder, by="old").ok
    kb.catalog.conn.execute("UPDATE articles SET lang = NULL")


def test_files_marked_before_languages_existed_are_read_by_the_next_sync(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path, embeddings: MiniLMEmbeddings
) -> None:
    """Staff marked `lang: es` before the chat read it: the unchanged file must not stay English."""
    write_article("hielo-o-calor", "Hielo o calor", HIELO, lang="es")
    write_article("ice-or-heat", "Ice or Heat for a Sprain", ICE)
    write_article("heel", "Heel Pain", HEEL)
    published_before_languages(kb, articles_dir)
    assert kb.search(SPANISH_QUESTION, lang="es") == [] and kb.languages() == {"en"}
    assert kb.update_metadata("heel", by="dr-lee", title="Heel pain in the morning").edited == {"heel": ["title"]}
    assert kb.catalog.langs_unread() == {"heel", "hielo-o-calor", "ice-or-heat"}, "an edit reads no file"

    calls = embeddings.texts_embedded
    report = kb.sync(articles_dir, by="pat")
    assert report.ok and report.edited == {"hielo-o-calor": ["lang"]}
    assert sorted(report.unchanged) == ["heel", "ice-or-heat"] and report.replaced == report.added == []
    assert embeddings.texts_embedded == calls + 1, "only the Spanish article's one chunk is embedded again"
    assert [p.article_id for p in kb.search(SPANISH_QUESTION, lang="es")] == ["hielo-o-calor"]
    assert kb.catalog.get("heel").title == "Heel pain in the morning", "the staff edit survives"  # type: ignore[union-attr]
    assert kb.catalog.langs_unread() == set() and kb.languages() == {"en", "es"}
    assert [e.action for e in kb.catalog.audit_log("hielo-o-calor")] == ["add", "edit"]
    again = kb.sync(articles_dir, by="pat")
    assert sorted(again.unchanged) == ["heel", "hielo-o-calor", "ice-or-heat"] and again.edited == {}


def test_a_bad_language_in_a_file_from_before_languages_is_reported_and_the_article_kept(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    bad = write_article("heel", "Heel Pain", HEEL, lang="Klingon")
    published_before_languages(kb, articles_dir)
    report = kb.sync(articles_dir, by="pat")
    assert [str(e) for e in report.errors] == [f"{bad}: front matter lang 'Klingon' is not a language we support "
                                               "(use one of the codes en, es, fr, pt, de, it, zh, vi, ko, ru, ar, tl)"]
    assert report.removed == [] and kb.search("heel pain", k=1, lang="en")[0].article_id == "heel"


# --- the staff CLI ----------------------------------------------------------------------------

runner = CliRunner()


def uplifted(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_lists_searches_and_edits_by_language(write_article: ArticleWriter, articles_dir: Path) -> None:
    write_article("hielo-o-calor", "Hielo o calor", HIELO, lang="es")
    write_article("heel", "Heel Pain", HEEL)
    assert uplifted("kb", "sync", str(articles_dir))[0] == 0

    code, out, _ = uplifted("kb", "list")
    assert code == 0
    cells = [[cell.strip() for cell in line[1:-1].split(line[0])] for line in out.splitlines() if line[:1] in ("┃", "│")]
    assert cells[0] == ["id", "title", "url", "lang", "chunks", "version", "last change", "review due"]
    assert {row[0]: row[3] for row in cells[1:]} == {"heel": "en", "hielo-o-calor": "es"}
    listing = json.loads(uplifted("kb", "list", "--json")[1])
    assert {a["id"]: a["lang"] for a in listing} == {"hielo-o-calor": "es", "heel": "en"}

    hits = json.loads(uplifted("kb", "search", SPANISH_QUESTION, "--lang", "es", "--json")[1])
    assert [(h["article_id"], h["lang"]) for h in hits] == [("hielo-o-calor", "es")]
    code, _, err = uplifted("kb", "search", SPANISH_QUESTION, "--lang", "klingon")
    assert code == 1 and "language 'klingon' is not a language we support" in err

    code, out, _ = uplifted("kb", "edit", "heel", "--lang", "es")
    assert code == 0 and "edited heel: lang" in out
    assert "language     es" in uplifted("kb", "show", "heel")[1]
