"""The app answers several patients at once: stored turns must not trip over each other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chatbot.reply import Reply, Route
from chatbot.storage.conversations import ConversationStore


def test_concurrent_turns_are_all_stored(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path / "c.sqlite")

    def turns(worker: int) -> None:
        for i in range(150):
            session = f"s{worker}"
            store.record_turn(session, f"question {i}", Reply(f"answer {i}", Route.ANSWER, session))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(turns, range(8)))
    count = store.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    assert count == 8 * 150 * 2
