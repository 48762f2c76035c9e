"""Staff edit one article at a time: metadata without a file, replace with a file, read the text back.

Real model, real Chroma under tmp_path; every check is something staff or patients would notice."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from chatbot.settings import Settings
from knowledge_base.catalog import MIGRATIONS, Catalog, m001_articles
from knowledge_base.editing import UNSET, MetadataEdit, parse_date
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase, UnknownArticle
from knowledge_base.sqlite import Migrations, connect
from tests.conftest import SAMPLE_ARTICLES, ArticleWriter, markdown

HEEL = "Plantar fasciitis makes the heel hurt with the first steps in the morning. Calf stretches often help."
HEEL_NEW = "Morning heel pain often eases once you start moving. Supportive shoes can make walking easier."
ELBOW = "Tennis elbow is pain on the outside of the elbow. Gripping a cup or a bag can make it worse."
BASE = Settings().articles_base_url


def stored(kb: KnowledgeBase, article_id: str) -> list[tuple[str, str, str]]:
    """Every chunk the vector store holds for an article, live or not: (text, title, url)."""
    got = kb.store.get(where={"article_id": article_id})
    return sorted((text, meta["title"], meta["url"]) for text, meta in zip(got["documents"], got["metadatas"], strict=True))


def heel_hit(kb: KnowledgeBase) -> tuple[str, str, str]:
    hit = kb.search("my heel hurts with the first steps in the morning", k=1)[0]
    return hit.article_id, hit.title, hit.url


@pytest.fixture
def heel_kb(kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path) -> KnowledgeBase:
    write_article("heel", "Heel Pain", HEEL, tags="[foot, heel]", reviewed_on="2026-01-10", review_due="2026-07-01")
    write_article("elbow", "Tennis Elbow", ELBOW)
    assert kb.sync(articles_dir, by="setup").ok
    return kb


# --- metadata edits ------------------------------------------------------------------------


def test_edit_shows_in_search_and_catalog_and_is_audited_as_an_edit(heel_kb: KnowledgeBase) -> None:
    kb = heel_kb
    before = kb.catalog.get("heel")
    assert before is not None and heel_hit(kb) == ("heel", "Heel Pain", BASE + "heel")
    report = kb.update_metadata(
        "heel", by="dr-lee", title="  Heel pain   in the morning ", url="https://clinic.example/heel",
        tags=[" Plantar ", "FOOT", "foot", ""], reviewed_on=date(2026, 3, 1), review_due=date(2027, 3, 1),
    )
    assert report.ok and report.edited == {"heel": ["title", "url", "tags", "reviewed_on", "review_due"]}
    assert report.added == report.replaced == report.unchanged == []

    assert heel_hit(kb) == ("heel", "Heel pain in the morning", "https://clinic.example/heel")
    after = kb.catalog.get("heel")
    assert after is not None
    assert (after.title, after.url, after.tags, after.reviewed_on, after.review_due) == (
        "Heel pain in the morning", "https://clinic.example/heel", ("plantar", "foot"), date(2026, 3, 1),
        date(2027, 3, 1))
    assert (after.source, after.source_hash) == (before.source, before.source_hash)
    assert after.version != before.version and after.updated_by == "dr-lee"
    assert kb.article_text("heel") == HEEL, "the text must not change with the metadata"
    assert stored(kb, "heel") == [(HEEL, "Heel pain in the morning", "https://clinic.example/heel")], \
        "chunks carrying the old title are still stored"
    assert kb.store.get()["ids"] and set(kb.store.get()["ids"]) == kb.catalog.live_uids()
    last = kb.catalog.audit_log("heel")[-1]
    assert (last.action, last.by, last.detail, last.version) == (
        "edit", "dr-lee", "title, url, tags, reviewed_on, review_due", after.version)
    assert kb.catalog.get("elbow").title == "Tennis Elbow"  # type: ignore[union-attr]


def test_edit_names_only_the_fields_that_changed(heel_kb: KnowledgeBase) -> None:
    report = heel_kb.update_metadata("heel", by="pat", title="Heel Pain", review_due=date(2026, 9, 1))
    assert report.edited == {"heel": ["review_due"]}
    assert heel_hit(heel_kb)[1] == "Heel Pain"
    assert heel_log(heel_kb)[-1] == ("edit", "review_due")


def heel_log(kb: KnowledgeBase) -> list[tuple[str, str | None]]:
    return [(e.action, e.detail) for e in kb.catalog.audit_log("heel")]


def test_no_change_writes_nothing(heel_kb: KnowledgeBase, embeddings: MiniLMEmbeddings) -> None:
    revision, embedded, ids = heel_kb.revision(), embeddings.texts_embedded, set(heel_kb.store.get()["ids"])
    for edit in [{"title": " Heel  Pain "}, {"tags": ["Foot", " heel ", "foot"]}, {"review_due": date(2026, 7, 1)}, {},
                 {"title": "Heel Pain", "url": BASE + "heel", "tags": ["foot", "heel"], "reviewed_on": date(2026, 1, 10),
                  "review_due": date(2026, 7, 1)}]:
        report = heel_kb.update_metadata("heel", by="pat", **edit)  # type: ignore[arg-type]
        assert report.unchanged == ["heel"] and report.edited == {}, edit
    assert heel_kb.revision() == revision and embeddings.texts_embedded == embedded
    assert set(heel_kb.store.get()["ids"]) == ids


def test_dates_can_be_cleared_and_unset_leaves_them(heel_kb: KnowledgeBase) -> None:
    report = heel_kb.update_metadata("heel", by="pat", review_due=None, reviewed_on=UNSET)
    assert report.edited == {"heel": ["review_due"]}
    record = heel_kb.catalog.get("heel")
    assert record is not None and record.review_due is None and record.reviewed_on == date(2026, 1, 10)
    assert not record.review_overdue(date(2099, 1, 1))


def test_empty_url_means_the_default_link(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("heel", "Heel Pain", HEEL, url="https://old.example/heel")
    kb.sync(articles_dir, by="pat")
    assert heel_hit(kb)[2] == "https://old.example/heel"
    assert kb.update_metadata("heel", by="pat", url=" ").edited == {"heel": ["url"]}
    assert heel_hit(kb)[2] == BASE + "heel"
    assert kb.update_metadata("heel", by="pat", url="").unchanged == ["heel"]


def test_tags_can_be_cleared(heel_kb: KnowledgeBase) -> None:
    assert heel_kb.update_metadata("heel", by="pat", tags=[]).edited == {"heel": ["tags"]}
    assert heel_kb.catalog.get("heel").tags == ()  # type: ignore[union-attr]


def test_a_form_sent_back_unchanged_keeps_a_files_own_spelling(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("heel", "Heel  Pain", HEEL, tags="[Foot, Heel]")
    kb.sync(articles_dir, by="pat")
    record = kb.catalog.get("heel")
    assert record is not None and record.tags == ("Foot", "Heel")
    report = kb.update_metadata("heel", by="pat", title=record.title, tags=list(record.tags), review_due=None)
    assert report.unchanged == ["heel"]
    report = kb.update_metadata("heel", by="pat", title=record.title, tags=["Foot", "Heel", "plantar"])
    assert report.edited == {"heel": ["tags"]}
    assert kb.catalog.get("heel").tags == ("foot", "heel", "plantar")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"title": "   "}, "title can't be empty"),
        ({"title": "x" * 201}, "201 characters long; keep it to 200"),
        ({"url": "ftp://clinic.example/heel"}, "must start with http:// or https://"),
        ({"url": "clinic.example/heel"}, "must start with http:// or https://"),
        ({"url": "https://"}, "name a website"),
        ({"url": "https://clinic.example/heel pain"}, "can't contain spaces"),
        ({"review_due": date(2026, 1, 1)}, r"review due date \(2026-01-01\) can't be before the reviewed-on date \(2026-01-10\)"),
        ({"reviewed_on": date(2026, 8, 1)}, "can't be before the reviewed-on date"),
        ({"reviewed_on": date(2026, 8, 1), "review_due": date(2026, 7, 31), "title": "OK"}, "can't be before"),
    ],
)
def test_invalid_values_are_refused_with_a_message_and_change_nothing(
    heel_kb: KnowledgeBase, edit: dict[str, object], message: str
) -> None:
    revision, record = heel_kb.revision(), heel_kb.catalog.get("heel")
    with pytest.raises(ValueError, match=message):
        heel_kb.update_metadata("heel", by="pat", **edit)  # type: ignore[arg-type]
    assert heel_kb.revision() == revision and heel_kb.catalog.get("heel") == record


def test_wrong_types_are_programming_errors() -> None:
    with pytest.raises(TypeError, match="list of tags, not one string"):
        MetadataEdit(tags="knee")
    with pytest.raises(TypeError, match="see parse_date"):
        MetadataEdit(review_due="2026-01-01").changes(None)  # type: ignore[arg-type]


def test_parse_date_for_typed_input() -> None:
    assert parse_date(" 2026-05-01 ") == date(2026, 5, 1)
    assert parse_date("none") is None and parse_date("") is None and parse_date("None") is None
    with pytest.raises(ValueError, match="use YYYY-MM-DD"):
        parse_date("01/05/2026")


def test_edit_survives_a_sync_of_the_unchanged_file_but_a_changed_file_wins(
    heel_kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    heel_kb.update_metadata("heel", by="dr-lee", title="Heel pain in the morning")
    report = heel_kb.sync(articles_dir, by="nightly")
    assert sorted(report.unchanged) == ["elbow", "heel"] and report.replaced == []
    assert heel_hit(heel_kb)[1] == "Heel pain in the morning"
    assert heel_log(heel_kb)[-1] == ("edit", "title")

    write_article("heel", "Heel Pain", HEEL_NEW)
    assert heel_kb.sync(articles_dir, by="nightly").replaced == ["heel"]
    assert heel_kb.catalog.get("heel").title == "Heel Pain"  # type: ignore[union-attr]


def test_unknown_id(heel_kb: KnowledgeBase, tmp_path: Path) -> None:
    with pytest.raises(UnknownArticle, match="unknown article id 'nope'"):
        heel_kb.update_metadata("nope", by="pat", title="x")
    with pytest.raises(UnknownArticle):
        heel_kb.article_text("nope")
    with pytest.raises(UnknownArticle):
        heel_kb.replace("nope", tmp_path / "whatever.md", by="pat")


# --- replace with a file -------------------------------------------------------------------


def test_replace_forces_the_id_and_the_old_text_is_never_retrieved(heel_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "heel-2027-draft.md"
    path.write_text(markdown("heel-new", "Heel Pain (2027)", HEEL_NEW))
    report = heel_kb.replace("heel", path, by="dr-lee")
    assert report.ok and report.replaced == ["heel"] and report.added == []
    assert [r.id for r in heel_kb.articles()] == ["heel", "elbow"]
    record = heel_kb.catalog.get("heel")
    assert record is not None
    assert (record.title, record.url, record.source) == ("Heel Pain (2027)", BASE + "heel", "heel-2027-draft.md")
    assert heel_kb.article_text("heel") == HEEL_NEW
    hits = heel_kb.search("heel hurt first steps in the morning calf stretches", k=10)
    assert HEEL not in [p.text for p in hits] and HEEL_NEW in [p.text for p in hits]
    assert stored(heel_kb, "heel") == [(HEEL_NEW, "Heel Pain (2027)", BASE + "heel")]
    assert stored(heel_kb, "heel-new") == []
    last = heel_kb.catalog.audit_log("heel")[-1]
    assert (last.action, last.by, last.detail) == ("replace", "dr-lee", "heel-2027-draft.md")


def test_replace_keeps_a_url_the_file_states_and_titles_an_untitled_file_by_the_id(
    heel_kb: KnowledgeBase, tmp_path: Path
) -> None:
    stated = tmp_path / "other.md"
    stated.write_text(f"---\nurl: https://clinic.example/heel-guide\n---\n\n{HEEL_NEW}\n")
    heel_kb.replace("heel", stated, by="pat")
    assert heel_hit(heel_kb) == ("heel", "heel", "https://clinic.example/heel-guide")


def test_replace_with_a_bad_file_keeps_the_old_version_live(heel_kb: KnowledgeBase, tmp_path: Path) -> None:
    revision = heel_kb.revision()
    bad = tmp_path / "heel.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated\x00")
    report = heel_kb.replace("heel", bad, by="pat")
    assert not report.ok and "is a corrupt or unreadable PDF" in str(report.errors[0])
    assert report.replaced == [] and heel_kb.revision() == revision
    assert [p.text for p in heel_kb.search("heel hurts with the first steps in the morning", k=1)] == [HEEL]


def test_replace_with_the_same_content_is_unchanged(heel_kb: KnowledgeBase, articles_dir: Path) -> None:
    report = heel_kb.replace("heel", articles_dir / "heel.md", by="pat")
    assert report.unchanged == ["heel"] and report.replaced == []


# --- the text, and catalogs from before it was stored ---------------------------------------


def legacy_copy(kb: KnowledgeBase, path: Path) -> KnowledgeBase:
    """The same knowledge base with a catalog created before m002: only m001 applied, no text."""
    conn = connect(path)
    before = Migrations()
    before(m001_articles)
    assert before.apply(conn) == ["m001_articles"]
    cols = ("id, title, url, tags, reviewed_on, review_due, version, source, source_hash, chunk_count, flagged, "
            "updated_at, updated_by")
    conn.execute("ATTACH DATABASE ? AS cur", (str(kb.catalog.conn.execute("PRAGMA database_list").fetchone()[2]),))
    conn.execute(f"INSERT INTO articles ({cols}) SELECT {cols} FROM cur.articles")
    conn.execute("INSERT INTO chunks SELECT * FROM cur.chunks")
    conn.execute("INSERT INTO audit SELECT * FROM cur.audit")
    conn.execute("DETACH DATABASE cur")
    assert "text" not in {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    conn.close()
    return KnowledgeBase(store=kb.store, record_manager=kb.record_manager, catalog=Catalog.open(path),
                         chunker=kb.chunker, base_url=kb.base_url)


def test_catalog_from_before_the_text_column_is_migrated_and_text_rebuilt_from_chunks(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_ARTICLES, folder)
    kb.sync(folder, by="setup")
    originals = {r.id: kb.article_text(r.id) for r in kb.articles()}
    assert originals["sciatica"].count("\n\n") >= 3 and kb.catalog.get("sciatica").chunk_count > 3  # type: ignore[union-attr]

    old = legacy_copy(kb, tmp_path / "legacy.sqlite")
    assert [r[0] for r in old.catalog.conn.execute("SELECT name FROM _migrations ORDER BY name")] == MIGRATIONS.names
    assert old.catalog.article_text("sciatica") is None, "rows published before m002 have no text"
    for article_id, text in originals.items():
        assert old.article_text(article_id) == text, f"{article_id}: rebuilt text differs"

    passages = {p.text for p in kb.live_passages() if p.article_id == "sciatica"}
    report = old.update_metadata("sciatica", by="dr-lee", title="Sciatica: what helps")
    assert report.edited == {"sciatica": ["title"]}
    assert old.catalog.article_text("sciatica") == originals["sciatica"], "the edit should store the text"
    hit = old.search("pain that travels down the back of my leg", k=1)[0]
    assert (hit.article_id, hit.title) == ("sciatica", "Sciatica: what helps")
    assert {p.text for p in old.live_passages() if p.article_id == "sciatica"} == passages


def test_a_fresh_catalog_stores_each_article_text(
    kb: KnowledgeBase, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("heel", "Heel Pain", f"{HEEL}\n\n{HEEL_NEW}")
    kb.sync(articles_dir, by="pat")
    assert kb.catalog.article_text("heel") == f"{HEEL}\n\n{HEEL_NEW}" == kb.article_text("heel")


def test_an_edit_that_fails_midway_leaves_the_old_version_live_and_the_next_change_tidies_up(
    heel_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def store_down(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store went away")

    with monkeypatch.context() as patch:
        patch.setattr(heel_kb.store, "add_documents", store_down)
        with pytest.raises(RuntimeError, match="store went away"):
            heel_kb.update_metadata("heel", by="pat", title="Heel pain in the morning")
    assert heel_hit(heel_kb)[1] == "Heel Pain" and heel_kb.catalog.pending() == ["heel"]
    report = heel_kb.update_metadata("heel", by="pat", title="Heel pain in the morning")
    assert report.repaired == ["heel"] and report.edited == {"heel": ["title"]}
    assert heel_hit(heel_kb)[1] == "Heel pain in the morning"
    assert set(heel_kb.store.get()["ids"]) == heel_kb.catalog.live_uids() and heel_kb.catalog.pending() == []


def test_sync_after_replacing_with_another_articles_file_keeps_both_articles(
    heel_kb: KnowledgeBase, articles_dir: Path
) -> None:
    """Staff replace "heel" with a copy of elbow.md; a later folder sync must neither drop "elbow"
    (its file name is now shared) nor keep the copy: the folder's heel.md is the heel article again."""
    copy = articles_dir.parent / "upload" / "elbow.md"
    copy.parent.mkdir()
    shutil.copy(articles_dir / "elbow.md", copy)
    assert heel_kb.replace("heel", copy, by="pat").replaced == ["heel"]
    assert heel_kb.article_text("heel") == ELBOW
    report = heel_kb.sync(articles_dir, by="setup")
    assert report.ok and report.removed == []
    assert sorted(r.id for r in heel_kb.articles()) == ["elbow", "heel"]
    assert heel_kb.article_text("heel") == HEEL and heel_kb.article_text("elbow") == ELBOW
