"""Console benchmark: the "What patients ask" page on 2,000 distinct patient questions.

The baseline, measured in the same run, is MiniLM encoding those questions and nothing else: the
page's first load has to embed them, so its cost is that plus the queries, grouping and labels. A
refresh reuses the cached embeddings and should cost a small share of it.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Row
from chatbot.reply import Reply, Route
from chatbot.staff.grouping import normalise
from chatbot.staff.insights import PatientInsights
from chatbot.storage.conversations import ConversationStore
from knowledge_base.embeddings import MiniLMEmbeddings

QUESTIONS = 2000
FIRST_LOAD_MAX_RATIO = 1.5  # the bench's own target (marked †)
REFRESH_MAX_RATIO = 0.25
TOPICS = ["shin splints", "frozen shoulder", "tennis elbow", "plantar fasciitis", "a rolled ankle", "knee pain",
          "hip pain", "neck pain", "low back pain", "sciatica", "a stiff back", "runner's knee", "a pulled hamstring",
          "a sore calf", "wrist pain", "carpal tunnel", "golfer's elbow", "a rotator cuff strain", "whiplash",
          "a bad posture", "jaw pain", "a sprained wrist", "Achilles pain", "a torn meniscus", "hip bursitis"]
FORMS = ["I have {t}, what helps?", "what exercises help {t}?", "how long does {t} take to get better?",
         "is {t} serious?", "can I keep running with {t}?", "should I rest {t} or move?", "does {t} need a scan?",
         "why does {t} hurt more at night?", "what makes {t} worse?", "can physio help {t}?"]
SUFFIXES = ["", " please", " thanks", " I am 40", " after work", " since last week", " in the morning",
            " when I walk", " at the gym"]


@dataclass
class ConsoleResult:
    questions: int
    encode_s: float
    first_load_s: float
    refresh_s: float
    groups: int


def patient_questions(count: int) -> list[str]:
    pool = (f.format(t=t) + s for s, f, t in itertools.product(SUFFIXES, FORMS, TOPICS))
    return list(itertools.islice(pool, count))


def fill(store: ConversationStore, questions: list[str]) -> None:
    for i, question in enumerate(questions):
        route = Route.NO_MATCH if i % 2 else Route.ANSWER
        store.record_turn(f"bench{i}", question, Reply("A reply.", route, f"bench{i}"))


def measure(count: int = QUESTIONS) -> ConsoleResult:
    emb = MiniLMEmbeddings()
    emb.progress_threshold = 1 << 30
    questions = patient_questions(count)
    emb.embed_documents(["warm up the model"])
    with tempfile.TemporaryDirectory(prefix="uplifted-console-bench-") as tmp:
        now = datetime.now(UTC)
        store = ConversationStore.open(Path(tmp) / "conversations.sqlite", clock=lambda: now - timedelta(days=1))
        fill(store, questions)
        start = time.perf_counter()
        emb.embed_documents(sorted({normalise(q) for q in questions}))
        encode = time.perf_counter() - start
        insights = PatientInsights(store, emb, clock=lambda: now)
        start = time.perf_counter()
        insights.activity(30)
        groups = insights.common_questions(days=30)
        insights.backlog(days=30)
        first = time.perf_counter() - start
        start = time.perf_counter()
        insights.activity(30)
        insights.common_questions(days=30)
        insights.backlog(days=30)
        refresh = time.perf_counter() - start
        store.close()
    return ConsoleResult(count, encode, first, refresh, len(groups))


def console_rows(r: ConsoleResult) -> list[Row]:
    data = f"{r.questions:,} distinct questions"
    first, refresh = r.first_load_s / r.encode_s, r.refresh_s / r.encode_s
    return [
        Row("What patients ask · first load", data, f"{r.first_load_s:.1f} s", f"encode {r.encode_s:.1f} s", first,
            f"≤ {FIRST_LOAD_MAX_RATIO:.2f}", first <= FIRST_LOAD_MAX_RATIO, own_target=True),
        Row("What patients ask · refresh", data, f"{r.refresh_s:.2f} s", f"encode {r.encode_s:.1f} s", refresh,
            f"≤ {REFRESH_MAX_RATIO:.2f}", refresh <= REFRESH_MAX_RATIO, own_target=True),
    ]


def main() -> int:
    """``python -m bench.console``: the staff console's analytics page on 2,000 questions."""
    import json
    from dataclasses import asdict

    from rich.console import Console

    from bench.report import render

    console = Console(width=140)
    console.log(f"recording {QUESTIONS:,} patient questions and grouping them …")
    result = measure()
    rows = console_rows(result)
    render(console, rows, "Uplifted console benchmark")
    out = Path(__file__).resolve().parent / "results" / "console.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": [asdict(r) for r in rows], "result": asdict(result)}, indent=2) + "\n")
    console.print(f"results written to {out}", style="dim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
