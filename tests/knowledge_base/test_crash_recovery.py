"""A sync killed with SIGKILL leaves each article old or new; the next sync repairs the rest.

The sync runs in a real subprocess that kills itself (``kill -9``) at a chosen point:
while new chunks are being written, in the middle of the transaction that switches
articles over, and after the switch but before the old chunks are deleted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from knowledge_base.loaders import load_article
from tests.conftest import REPO, markdown

TOPICS = ["heel", "elbow", "knee", "shoulder", "ankle", "wrist", "neck", "calf"]

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from chatbot.settings import Settings
    from knowledge_base.factory import build_knowledge_base

    point, nth = sys.argv[1], int(sys.argv[2])
    kb = build_knowledge_base(Settings())
    kb.batch_articles = 3
    calls = {"n": 0}

    def killing(obj, name):
        original = getattr(obj, name)
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if point.endswith("-before") and calls["n"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            result = original(*args, **kwargs)
            if calls["n"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        setattr(obj, name, wrapper)

    if point == "add":
        killing(kb.store, "add_documents")       # new chunks written, not yet live
    elif point == "switch":
        killing(kb.catalog, "_audit")           # inside the switch-over transaction
    elif point == "cleanup-before":
        killing(kb.store, "delete")             # switched, old chunks not yet deleted
    kb.sync(Path(sys.argv[3]), by="crash-test")
    print("sync finished without being killed")
    """
)


def body(topic: str, version: int) -> str:
    return (f"Version {version} of the {topic} article. Gentle {topic} exercises help with stiffness "
            f"in version {version}.\n\nA second paragraph about {topic} care, version {version}.")


def write_folder(folder: Path, version: int) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    versions = {}
    for topic in TOPICS:
        path = folder / f"{topic}.md"
        path.write_text(markdown(topic, f"{topic.title()} Care", body(topic, version)))
        versions[topic] = load_article(path, base_url=Settings().articles_base_url).version
    return versions


@pytest.mark.slow
@pytest.mark.parametrize(("point", "nth"), [("add", 2), ("switch", 5), ("cleanup-before", 4)])
def test_killed_sync_leaves_each_article_old_or_new_and_next_sync_repairs(
    tmp_path: Path, embeddings: MiniLMEmbeddings, point: str, nth: int
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = tmp_path / "articles"
    old = write_folder(folder, 1)
    kb = build_knowledge_base(settings, embeddings=embeddings)
    assert sorted(kb.sync(folder, by="setup").added) == sorted(TOPICS)
    new = write_folder(folder, 2)

    env = {**os.environ, "UPLIFTED_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", KILLER, point, str(nth), str(folder)],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr

    kb = build_knowledge_base(settings, embeddings=embeddings)
    states = {}
    for topic in TOPICS:
        record = kb.catalog.get(topic)
        assert record is not None, f"{topic} vanished after the crash"
        assert record.version in (old[topic], new[topic])
        version = 1 if record.version == old[topic] else 2
        states[topic] = version
        served = [p.text for p in kb.search(f"{topic} exercises stiffness second paragraph care", k=10)
                  if p.article_id == topic]
        assert served and all(f"version {version}" in t.lower() for t in served), (topic, served)
    assert 1 in states.values() or point != "add", "the crash point was meant to leave some articles old"
    assert 2 in states.values() or point == "switch", "the crash point was meant to leave some articles new"

    report = kb.sync(folder, by="after-crash")
    assert report.ok
    for topic in TOPICS:
        assert kb.catalog.get(topic).version == new[topic]  # type: ignore[union-attr]
        served = [p.text for p in kb.search(f"{topic} exercises stiffness", k=10) if p.article_id == topic]
        assert served and all("version 2" in t.lower() for t in served)
    stored_ids = set(kb.store.get()["ids"])
    assert stored_ids == kb.catalog.live_uids(), "chunks left over from the crash are still stored"
    assert kb.catalog.pending() == []
