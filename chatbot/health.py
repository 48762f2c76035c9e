"""Is the server ready to answer patients? ``/readyz`` asks :class:`Readiness`, which runs a few named checks.

The server's checks (:func:`server_checks`): the conversation store and the knowledge base's catalog (their SQLite
files read afresh, read-only), the vector store (one read from the collection: embedded Chroma, or the Chroma
server at ``UPLIFTED_CHROMA_HOST``) and the embedding model (loaded). Each check runs in a thread of its own and
gets ``timeout_s``: one that hasn't answered by then is reported as failing, and the next call waits on the same
thread rather than starting another, so a hung dependency costs one thread, never a pile of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.embeddings import Embeddings

from chatbot.storage.conversations import ConversationStore
from knowledge_base.service import KnowledgeBase
from knowledge_base.sqlite import check_readable

Check = Callable[[], None]  # returns when the dependency is fine; raises, saying why, when it is not
MAX_REASON = 300


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    reason: str | None = None  # why it failed

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok} | ({"reason": self.reason} if self.reason else {})


@dataclass(frozen=True)
class ReadyReport:
    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failing(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]

    def to_json(self) -> dict[str, Any]:
        return {"status": "ready" if self.ok else "not ready", "checks": {c.name: c.to_json() for c in self.checks}}


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


class _Probe:
    """One run of one check, in a daemon thread."""

    def __init__(self, name: str, check: Check) -> None:
        self.done = threading.Event()
        self.error: str | None = None
        threading.Thread(target=self._run, args=(check,), name=f"readyz-{name}", daemon=True).start()

    def _run(self, check: Check) -> None:
        try:
            check()
        except Exception as exc:
            self.error = describe(exc)
        finally:
            self.done.set()


class Readiness:
    """Named checks run together, each given ``timeout_s``; ``check()`` returns a :class:`ReadyReport`."""

    def __init__(self, checks: Mapping[str, Check], *, timeout_s: float = 2.0) -> None:
        if not checks:
            raise ValueError("readiness needs at least one check")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.checks = dict(checks)
        self.timeout_s = timeout_s
        self._running: dict[str, _Probe] = {}
        self._lock = threading.Lock()

    def check(self) -> ReadyReport:
        with self._lock:  # a probe still running from an earlier call is waited on again, not started twice
            probes = {name: self._running.get(name) or _Probe(name, check) for name, check in self.checks.items()}
            self._running.update(probes)
        deadline = time.monotonic() + self.timeout_s
        results = []
        for name, probe in probes.items():
            if probe.done.wait(max(0.0, deadline - time.monotonic())):
                with self._lock:
                    if self._running.get(name) is probe:
                        del self._running[name]
                results.append(CheckResult(name, probe.error is None, probe.error))
            else:
                results.append(CheckResult(name, False, f"no answer within {self.timeout_s:g} s"))
        return ReadyReport(tuple(results))


def embeddings_check(embeddings: Embeddings) -> Check:
    """The model is loaded (``MiniLMEmbeddings.loaded``); an embeddings object that can't say so embeds a word."""

    def check() -> None:
        loaded = getattr(embeddings, "loaded", None)
        if loaded is None:
            embeddings.embed_query("ready")
        elif not loaded:
            raise RuntimeError("the embedding model is not loaded")

    return check


def server_checks(conversations: ConversationStore, kb: KnowledgeBase, embeddings: Embeddings, *,
                  timeout_s: float = 2.0) -> dict[str, Check]:
    """The checks ``/readyz`` runs for a server: both databases, the vector store and the embedding model."""

    return {
        "conversations": lambda: check_readable(conversations.conn, timeout_s=timeout_s),
        "catalog": lambda: kb.check_readable(timeout_s),
        "vector_store": kb.check_store,  # Chroma's own read, over HTTP for a server
        "embeddings": embeddings_check(embeddings),
    }
