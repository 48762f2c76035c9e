"""Chat benchmarks: extractive reply latency, and 20 concurrent sessions through the Gradio API."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import Row
from bench.search import QUESTIONS
from chatbot.assistant import Assistant
from chatbot.build import build_application
from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase

REPLY_P95_MAX_MS = 300.0  # the target, once models are loaded


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@dataclass
class ReplyLatency:
    reply_ms: list[float] = field(default_factory=list)
    search_ms: list[float] = field(default_factory=list)
    routes: dict[str, int] = field(default_factory=dict)

    def p(self, which: str, pct: int) -> float:
        return _pct(self.reply_ms if which == "reply" else self.search_ms, pct)


def reply_latency(assistant: Assistant, kb: KnowledgeBase, repeats: int) -> ReplyLatency:
    """Each question's full reply (guard, retrieval, extractive answer, storage) against kb.search alone."""
    result = ReplyLatency()
    assistant.warm_up()
    for question in QUESTIONS:  # warm caches the way a running server would be
        assistant.reply(question)
    for _ in range(repeats):
        for question in QUESTIONS:
            start = time.perf_counter()
            kb.search(question, k=4)
            result.search_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            reply = assistant.reply(question)
            result.reply_ms.append((time.perf_counter() - start) * 1000)
            result.routes[reply.route.value] = result.routes.get(reply.route.value, 0) + 1
    return result


@dataclass
class Concurrency:
    sessions: int
    per_session: int
    errors: list[str]
    concurrent_seconds: float
    sequential_seconds: float

    @property
    def replies(self) -> int:
        return self.sessions * self.per_session

    @property
    def ratio(self) -> float:
        """Throughput with concurrent sessions over one client asking the same questions in turn."""
        return self.sequential_seconds / self.concurrent_seconds


def concurrent_sessions(
    settings: Settings, emb: MiniLMEmbeddings, sessions: int = 20, per_session: int = 3
) -> Concurrency:
    from gradio_client import Client

    from chatbot.web.app import build_app

    assistant = build_application(settings, embeddings=emb, rate_limit=True).assistant
    assistant.warm_up()
    app = build_app(settings, assistant)
    app.queue(default_concurrency_limit=4, max_size=64)
    _, url, _ = app.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    errors: list[str] = []
    lock = threading.Lock()
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(sessions * per_session)]

    def one_session(index: int) -> None:
        client = Client(url, verbose=False)
        session = ""
        for turn in range(per_session):
            try:
                reply = client.predict(questions[index * per_session + turn], session, api_name="/ask")
                session = reply["session"]
                if reply["route"] not in {"answer", "no_match", "scope_redirect", "off_topic"}:
                    raise RuntimeError(f"unexpected route {reply['route']}")
            except Exception as exc:  # every failure is counted, none stops the run
                with lock:
                    errors.append(f"session {index}: {type(exc).__name__}: {exc}")
    try:
        start = time.perf_counter()
        client = Client(url, verbose=False)
        for question in questions:
            client.predict(question, "", api_name="/ask")
        sequential = time.perf_counter() - start
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=sessions) as pool:
            list(pool.map(one_session, range(sessions)))
        concurrent = time.perf_counter() - start
    finally:
        app.close()
    return Concurrency(sessions, per_session, errors, concurrent, sequential)


def chat_rows(lat: ReplyLatency, conc: Concurrency) -> list[Row]:
    rows = []
    for pct in (50, 95):
        reply, search = lat.p("reply", pct), lat.p("search", pct)
        target = f"p95 < {REPLY_P95_MAX_MS:.0f} ms" if pct == 95 else "—"
        rows.append(Row(f"Reply latency p{pct} · extractive", f"{len(lat.reply_ms)} replies · sample KB",
                        f"reply {reply:.0f} ms", f"kb.search {search:.0f} ms", reply / search, target,
                        reply < REPLY_P95_MAX_MS if pct == 95 else None))
    rows.append(Row("API · 20 concurrent sessions", f"{conc.sessions} sessions x {conc.per_session} via /ask",
                    f"{conc.replies / conc.concurrent_seconds:.1f} replies/s, {len(conc.errors)} errors",
                    f"1 client {conc.replies / conc.sequential_seconds:.1f} replies/s", conc.ratio,
                    "0 errors", not conc.errors))
    return rows


def chat_settings(data_dir: Path) -> Settings:
    # Enough headroom that the rate limits don't trip on the bench's own sessions, all from one address.
    return Settings(data_dir=data_dir, rate_limit_per_minute=60, client_rate_limit_per_minute=10_000)


def main() -> int:
    """``python -m bench.chat``: reply latency and 20 concurrent API sessions on the sample articles."""
    import json
    import sys
    import tempfile
    from dataclasses import asdict

    import torch
    from rich.console import Console

    import knowledge_base
    from bench.report import render

    torch.set_num_threads(settings_threads := chat_settings(Path("unused")).serve_torch_threads)
    console = Console(width=140)
    console.log(f"torch threads: {settings_threads} (as `uplifted serve` runs)")
    folder = Path(knowledge_base.__file__).resolve().parent / "articles"
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="uplifted-chat-bench-") as tmp:
        settings = chat_settings(Path(tmp) / "data")
        emb = MiniLMEmbeddings()
        emb.progress_threshold = 1 << 30
        application = build_application(settings, embeddings=emb, rate_limit=False)
        kb = application.kb
        kb.sync(folder, by="bench")
        console.log("measuring reply latency (after warm-up) …")
        assistant = application.assistant
        latency = reply_latency(assistant, kb, repeats)
        console.log("20 concurrent sessions through /ask …")
        concurrency = concurrent_sessions(settings, emb)
    rows = chat_rows(latency, concurrency)
    render(console, rows, "Uplifted chat benchmarks")
    for error in concurrency.errors[:10]:
        console.print(f"[bold red]{error}[/]")
    out = Path(__file__).resolve().parent / "results" / "chat.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": [asdict(r) for r in rows], "routes": latency.routes,
                               "errors": concurrency.errors}, indent=2, default=str) + "\n")
    console.print(f"results written to {out}", style="dim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
