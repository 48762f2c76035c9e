"""Knowledge bases in fresh temporary data dirs, and the ingest and no-op re-sync benchmarks.

Timing notes:

* The model is loaded and warmed up before anything is timed (see :func:`warm_up`).
* This machine's CPU speed drifts by tens of percent from minute to minute (the two cores
  are shared), so the raw ``SentenceTransformer.encode`` baseline is cut into interleaved
  slices of the sync's own chunk texts, run one before the ``sync`` and one between each of
  its batches (from its ``on_progress`` hook); the time spent in the hook is taken off the
  sync's time. Both sides then see the same stretches of a drifting CPU.
* ``raw_stride`` > 1 encodes only every n-th chunk for the baseline (same length mix, a
  fraction of the time): per-chunk throughput is what is compared, not total time.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_embeddings, build_knowledge_base
from knowledge_base.service import KnowledgeBase

RAW_BATCH_SIZE = 64


def settings_for(data_dir: Path) -> Settings:
    """Settings for a throwaway data dir; always the embedded store, never a Chroma server."""
    return Settings(data_dir=data_dir, chroma_host=None)


def load_embeddings(data_dir: Path) -> MiniLMEmbeddings:
    emb = build_embeddings(settings_for(data_dir))
    # tqdm bars on stderr would garble the console; they cost nothing measurable.
    emb.progress_threshold = 1 << 30
    return emb


def open_kb(data_dir: Path, emb: MiniLMEmbeddings) -> KnowledgeBase:
    """A knowledge base in ``data_dir``, which must be new or empty."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise FileExistsError(f"{data_dir} is not empty; benchmarks need a fresh data dir")
    return build_knowledge_base(settings_for(data_dir), embeddings=emb)


def chunk_texts(kb: KnowledgeBase, folder: Path) -> list[str]:
    """The texts ``kb.sync(folder)`` embeds: every file loaded and split, in sync's order."""
    return [doc.page_content for path in kb.article_files(folder) for doc in kb.chunker.split(kb.load(path))]


def raw_encode(emb: MiniLMEmbeddings, texts: list[str]) -> float:
    """Seconds for the bare model to embed ``texts`` (the baseline)."""
    if not texts:
        return 0.0
    start = time.perf_counter()
    emb.model.encode(texts, batch_size=RAW_BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True)
    return time.perf_counter() - start


def warm_up(emb: MiniLMEmbeddings, scratch: Path, sample_folder: Path) -> float:
    """Load the model and run every code path once (encode, a tiny sync, a search); untimed."""
    start = time.perf_counter()
    emb.model.encode(["warm-up sentence about a sore knee"] * RAW_BATCH_SIZE, batch_size=RAW_BATCH_SIZE)
    emb.embed_query("warm-up question")
    tiny = scratch / "warm-up-articles"
    tiny.mkdir(parents=True)
    for path in sorted(sample_folder.iterdir())[:2]:
        (tiny / path.name).write_bytes(path.read_bytes())
    kb = open_kb(scratch / "warm-up-data", emb)
    kb.sync(tiny, by="bench")
    kb.search("heat or ice", k=4)
    return time.perf_counter() - start


@dataclass
class IngestResult:
    label: str
    articles: int
    chunks: int
    sync_seconds: float
    raw_chunks: int
    raw_seconds: float
    repeats: int
    embed_calls: int
    errors: list[str] = field(default_factory=list)
    raw_stride: int = 1

    @property
    def sync_rate(self) -> float:
        return self.chunks / self.sync_seconds

    @property
    def raw_rate(self) -> float:
        return self.raw_chunks / self.raw_seconds

    @property
    def ratio(self) -> float:
        return self.sync_rate / self.raw_rate


class _BetweenBatches:
    """``on_progress`` hook: encode the next baseline slice, and clock the time it takes."""

    def __init__(self, emb: MiniLMEmbeddings, slices: list[list[str]]) -> None:
        self.emb = emb
        self.slices = slices
        self.raw_seconds = 0.0
        self.paused = 0.0

    def run_next(self) -> None:
        if self.slices:
            self.raw_seconds += raw_encode(self.emb, self.slices.pop(0))

    def __call__(self, done: int, total: int) -> None:
        start = time.perf_counter()
        self.run_next()
        self.paused += time.perf_counter() - start


def ingest(
    emb: MiniLMEmbeddings, folder: Path, data_dirs: list[Path], label: str, raw_stride: int = 1
) -> tuple[IngestResult, KnowledgeBase]:
    """Full ``sync`` of ``folder`` into each fresh data dir (one repeat each) vs raw encode.

    Returns the totals over all repeats and the last knowledge base, left synced.
    """
    if not data_dirs or raw_stride < 1:
        raise ValueError("need at least one data dir and a raw_stride of at least 1")
    result = IngestResult(label, 0, 0, 0.0, 0, 0.0, len(data_dirs), 0, raw_stride=raw_stride)
    kb: KnowledgeBase | None = None
    for data_dir in data_dirs:
        kb = open_kb(data_dir, emb)
        texts = chunk_texts(kb, folder)
        raw = texts[::raw_stride]
        batches = -(-len(kb.article_files(folder)) // kb.batch_articles)
        hook = _BetweenBatches(emb, [raw[i::batches + 1] for i in range(batches + 1)])
        hook.run_next()
        kb.on_progress = hook
        calls = emb.calls
        start = time.perf_counter()
        report = kb.sync(folder, by="bench")
        result.sync_seconds += time.perf_counter() - start - hook.paused
        result.embed_calls += emb.calls - calls
        kb.on_progress = None
        while hook.slices:  # only if sync wrote fewer batches than expected
            hook.run_next()
        result.raw_seconds += hook.raw_seconds
        result.articles = len(report.added)
        result.chunks += len(texts)
        result.raw_chunks += len(raw)
        result.errors = [str(e) for e in report.errors]
        if report.chunks_embedded != len(texts):
            result.errors.append(f"sync embedded {report.chunks_embedded} chunks, load+split gives {len(texts)}")
    assert kb is not None
    return result, kb


@dataclass
class NoopResult:
    articles: int
    seconds: list[float]
    floor_seconds: list[float]
    embed_calls: int
    chunks_embedded: int
    changed: int

    @property
    def first(self) -> float:
        return self.seconds[0]

    @property
    def ratio(self) -> float:
        """Median no-op sync time over the median read+sha256 floor."""
        return statistics.median(self.seconds) / statistics.median(self.floor_seconds)


def read_and_hash(folder: Path) -> float:
    """Seconds to list the folder and read + sha256 every file: the floor for a no-op sync."""
    start = time.perf_counter()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - start


def noop_resync(emb: MiniLMEmbeddings, kb: KnowledgeBase, folder: Path, repeats: int = 3) -> NoopResult:
    """Re-sync the unchanged folder ``repeats`` times, right after the first full sync."""
    result = NoopResult(0, [], [], 0, 0, 0)
    for _ in range(repeats):
        calls = emb.calls
        start = time.perf_counter()
        report = kb.sync(folder, by="bench")
        result.seconds.append(time.perf_counter() - start)
        result.embed_calls += emb.calls - calls
        result.chunks_embedded += report.chunks_embedded
        result.changed += len(report.added) + len(report.replaced) + len(report.removed) + len(report.errors)
        result.articles = len(report.unchanged)
    result.floor_seconds = [read_and_hash(folder) for _ in range(repeats)]
    return result
