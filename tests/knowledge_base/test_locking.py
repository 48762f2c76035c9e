"""Changes to the knowledge base take turns, across threads and processes sharing a data dir.

Without the lock, a console change made while a sync in another process has written its new chunks but not yet
made them live could have its repair take the sync's pending articles for a crash and delete their new chunks for
good, and the sync, reading the catalog as it finishes, could remove an article the console had just published.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.locking import FileWriterLock, ThreadWriterLock, WriterBusy
from knowledge_base.service import KnowledgeBase
from tests.conftest import REPO, ArticleWriter, markdown

# A sync that stops after writing its chunks, just before making them live, until told to go on.
PAUSED_SYNC = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from chatbot.settings import Settings
    from knowledge_base.factory import build_knowledge_base

    folder, paused, go = map(Path, sys.argv[1:4])
    kb = build_knowledge_base(Settings())
    publish = kb.catalog.publish

    def waiting_publish(*args, **kwargs):
        paused.touch()
        while not go.exists():
            time.sleep(0.05)
        return publish(*args, **kwargs)

    kb.catalog.publish = waiting_publish
    report = kb.sync(folder, by="cron")
    print("synced", sorted(report.added))
    """
)


def wait_for(path: Path, proc: subprocess.Popen[str], timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the sync ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("the sync never reached its pause")
        time.sleep(0.05)


def stored_ids(kb: KnowledgeBase) -> set[str]:
    return set(kb.store.get(include=[])["ids"])  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_console_change_during_a_sync_in_another_process_waits_and_loses_nothing(
    settings: Settings, embeddings: MiniLMEmbeddings, write_article: ArticleWriter, articles_dir: Path,
    tmp_path: Path,
) -> None:
    kb = build_knowledge_base(settings.model_copy(update={"kb_write_wait_s": 0.3}), embeddings=embeddings)
    (tmp_path / "console").mkdir()
    elbow = write_article("elbow", "Tennis Elbow", "Tennis elbow hurts on the outside of the elbow when you grip.",
                          folder=tmp_path / "console")
    kb.add([elbow], by="ana")
    for topic in ("heel", "neck"):
        write_article(topic, f"{topic.title()} Care", f"Gentle {topic} stretches ease morning stiffness in the {topic}.")
    (articles_dir / "elbow.md").write_text(markdown("elbow", "Tennis Elbow", "Rest the elbow and ease back in."))
    paused, go = tmp_path / "paused", tmp_path / "go"
    sync = subprocess.Popen(
        [sys.executable, "-c", PAUSED_SYNC, str(articles_dir), str(paused), str(go)],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for(paused, sync)
        with pytest.raises(WriterBusy, match="nothing was changed, try again"):
            kb.remove(["elbow"], by="ana")
        assert [a.id for a in kb.articles()] == ["elbow"]

        patient = kb.search("grip pain outside of the elbow", k=1)  # readers never wait for the writer
        assert patient and patient[0].article_id == "elbow"

        console_kb = build_knowledge_base(settings.model_copy(update={"kb_write_wait_s": 120}), embeddings=embeddings)
        knee = write_article("knee", "Knee Care", "Knee pain on stairs eases with strong thigh muscles.",
                             folder=tmp_path / "console")
        console = threading.Thread(target=lambda: console_kb.add([knee], by="ana"))
        console.start()
        time.sleep(1.0)
        assert console.is_alive(), "the console's change ran beside the sync instead of waiting for it"
        go.touch()
        out, err = sync.communicate(timeout=180)
        console.join(timeout=180)
    finally:
        go.touch()
        if sync.poll() is None:
            sync.kill()
    assert sync.returncode == 0, err
    assert "synced ['heel', 'neck']" in out

    after = build_knowledge_base(settings, embeddings=embeddings)
    assert sorted(a.id for a in after.articles()) == ["elbow", "heel", "knee", "neck"]
    assert after.catalog.live_uids() <= stored_ids(after), "a live chunk was deleted by the other change"
    assert after.catalog.pending() == []
    for question, article in [("morning heel stiffness", "heel"), ("knee pain on stairs", "knee"),
                              ("rest the elbow", "elbow"), ("stiff neck stretches", "neck")]:
        assert after.search(question, k=1)[0].article_id == article


def test_a_change_is_refused_with_a_clear_message_while_another_process_holds_the_lock(
    settings: Settings, embeddings: MiniLMEmbeddings, write_article: ArticleWriter, articles_dir: Path,
) -> None:
    write_article("heel", "Heel Pain", "Morning heel pain eases once you start moving.")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); "
         "lock.acquire(); print('held', flush=True); time.sleep(600)", str(settings.data_dir / "kb-writer.lock")],
        text=True, stdout=subprocess.PIPE,
    )
    try:
        settings.ensure_data_dir()
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        kb = build_knowledge_base(settings.model_copy(update={"kb_write_wait_s": 0.2}), embeddings=embeddings)
        with pytest.raises(WriterBusy):
            kb.sync(articles_dir, by="cron")
        assert kb.articles() == []
    finally:
        holder.kill()
        holder.wait()
    assert kb.sync(articles_dir, by="cron").added == ["heel"], "the lock died with its holder"


def test_the_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tmp_path: Path) -> None:
    for lock in (FileWriterLock(tmp_path / "kb.lock", wait_s=0.2), ThreadWriterLock(wait_s=0.2)):
        with lock.hold(), lock.hold():  # a change calling another change
            failed: list[BaseException] = []

            def other(lock: FileWriterLock | ThreadWriterLock = lock, failed: list[BaseException] = failed) -> None:
                try:
                    with lock.hold():
                        pass
                except WriterBusy as exc:
                    failed.append(exc)

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
            assert len(failed) == 1 and "0.2 seconds" in str(failed[0])
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert len(failed) == 1, "the lock stayed held after its holder left"


def test_a_negative_wait_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="wait_s"):
        FileWriterLock(tmp_path / "kb.lock", wait_s=-1)
