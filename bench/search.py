"""Search latency: ``kb.search`` against the bare query embedding + raw Chroma query."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_chroma import Chroma

from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase

QUESTIONS = [
    "why does hip mobility matter for my back",
    "my heel hurts in the morning",
    "heat or ice for a sore knee",
    "is it normal to be sore two days after exercise",
    "how long does it take to recover from a knee replacement",
    "what exercises help knee arthritis",
    "my neck hurts after working at my desk all day",
    "should I stay in bed with low back pain",
    "pain going down my leg when I sit",
    "how can I stop falling at home",
    "my elbow hurts when I grip things",
    "knee pain going down stairs after running",
    "is bad posture the cause of my back pain",
    "can I keep running with a sore achilles",
    "what shoes are best for plantar fasciitis",
    "how many times a day should I do my exercises",
    "my shoulder aches when I reach overhead",
    "tingling in my hand at night",
    "when should I see a doctor instead of a physical therapist",
    "how do I know if pain during exercise is ok",
    "stiff lower back after gardening",
    "exercises to improve my balance",
    "can I use a heating pad on a new injury",
    "my calf feels tight after walking",
    "what is a safe way to start lifting weights again",
    "does stretching help sciatica",
    "my wrist hurts from typing",
    "how do I get out of a chair after hip surgery",
    "swollen ankle after a sprain what should I do",
    "is cracking my knee a bad sign",
]

K = 4
RAW_N_RESULTS = 12  # what kb.search fetches for k=4: max(k * 3, 12)


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default method) of a non-empty list."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class SearchResult:
    label: str
    chunks_in_store: int
    queries: int
    samples: int
    kb_ms: list[float]
    raw_ms: list[float]
    top1_agree: int

    def p(self, which: str, pct: float) -> float:
        return percentile(self.kb_ms if which == "kb" else self.raw_ms, pct)

    def ratio(self, pct: float) -> float:
        return self.p("kb", pct) / self.p("raw", pct)


def search_latency(
    emb: MiniLMEmbeddings, kb: KnowledgeBase, label: str, repeats: int = 5, questions: list[str] | None = None
) -> SearchResult:
    """Time every question ``repeats`` times each way after one warm-up round.

    The two ways alternate which goes first, so neither always runs on a warmer cache.
    """
    if not isinstance(kb.store, Chroma):
        raise TypeError("the search benchmark needs the embedded Chroma store")
    collection = kb.store._collection
    questions = questions or QUESTIONS

    def via_kb(q: str) -> str | None:
        hits = kb.search(q, k=K)
        return hits[0].uid if hits else None

    def via_raw(q: str) -> str | None:
        vectors: list[Sequence[float] | Sequence[int]] = [emb.embed_query(q)]
        got = collection.query(query_embeddings=vectors, n_results=RAW_N_RESULTS)
        ids = got["ids"][0]
        return ids[0] if ids else None

    for q in questions:
        via_kb(q)
        via_raw(q)
    kb_ms: list[float] = []
    raw_ms: list[float] = []
    agree = 0
    for round_no in range(repeats):
        for q in questions:
            ways: list[tuple[Callable[[str], str | None], list[float]]] = [(via_kb, kb_ms), (via_raw, raw_ms)]
            if round_no % 2:
                ways.reverse()
            tops = []
            for fn, sink in ways:
                start = time.perf_counter()
                tops.append(fn(q))
                sink.append((time.perf_counter() - start) * 1000.0)
            agree += tops[0] == tops[1]
    return SearchResult(label, collection.count(), len(questions), len(kb_ms), kb_ms, raw_ms, agree)
