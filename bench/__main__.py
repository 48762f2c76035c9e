"""``python -m bench``: knowledge-base benchmarks as ratios against baselines from the same run.

On the 13 sample articles and on 1,000 generated ones, all in a fresh temporary data dir:

1. ingest throughput of ``kb.sync`` vs raw ``SentenceTransformer.encode`` on the same chunks;
2. search latency p50/p95 of ``kb.search`` vs query embedding + a raw Chroma query;
3. a no-op re-sync of the unchanged 1,000 articles vs reading and hashing every file.

Nothing fails on time: each ratio is printed next to its target. Results also go to
``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

import knowledge_base
from bench import kb as kbench
from bench import report
from bench.corpus import generate_articles
from bench.search import QUESTIONS, search_latency
from knowledge_base.embeddings import MiniLMEmbeddings  # sets HF_HUB_OFFLINE=1 before any model code

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"
SAMPLE_FOLDER = Path(knowledge_base.__file__).resolve().parent / "articles"
SEED = 42


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=1000, help="generated articles (default 1000)")
    parser.add_argument("--sample-runs", type=int, default=3, help="ingest runs on the sample articles (default 3)")
    parser.add_argument("--search-repeats", type=int, default=5, help="timed rounds per question (default 5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.sample_runs < 1 or args.search_repeats < 1:
        parser.error("--articles, --sample-runs and --search-repeats must be at least 1")
    return args


@contextmanager
def phase(console: Console, name: str, timings: dict[str, float]) -> Iterator[None]:
    console.log(f"{name} …")
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    console.log(f"{name}: {timings[name]:.1f} s")


def environment(emb: MiniLMEmbeddings) -> dict[str, Any]:
    import chromadb
    import sentence_transformers
    import torch

    settings = kbench.settings_for(Path("unused"))
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "sentence_transformers": sentence_transformers.__version__,
        "chromadb": chromadb.__version__,
        "model_path": str(emb.model_path),
        "embedding_batch_size": emb.batch_size,
        "raw_batch_size": kbench.RAW_BATCH_SIZE,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="uplifted-bench-", ignore_cleanup_errors=True) as tmp_name:
        tmp = Path(tmp_name)
        with phase(console, "load + warm up the model", timings):
            emb = kbench.load_embeddings(tmp / "unused")
            kbench.warm_up(emb, tmp / "warm-up", SAMPLE_FOLDER)
        generated = tmp / "generated-articles"
        with phase(console, f"generate {args.articles:,} articles (seed {SEED})", timings):
            generate_articles(generated, args.articles, seed=SEED)

        with phase(console, "ingest the sample articles", timings):
            dirs = [tmp / f"sample-data-{i}" for i in range(args.sample_runs)]
            sample_ingest, sample_kb = kbench.ingest(emb, SAMPLE_FOLDER, dirs, "sample")
        with phase(console, "search the sample knowledge base", timings):
            sample_search = search_latency(emb, sample_kb, "sample KB", repeats=args.search_repeats)

        with phase(console, f"ingest {args.articles:,} generated articles", timings):
            gen_ingest, gen_kb = kbench.ingest(emb, generated, [tmp / "generated-data"], "generated")
        with phase(console, "no-op re-sync of the unchanged articles", timings):
            noop = kbench.noop_resync(emb, gen_kb, generated)
        with phase(console, "search the generated knowledge base", timings):
            gen_search = search_latency(emb, gen_kb, "generated KB", repeats=args.search_repeats)

        ingests, searches = [sample_ingest, gen_ingest], [sample_search, gen_search]
        rows = [report.ingest_row(r) for r in ingests]
        for s in searches:
            rows.extend(report.search_rows(s))
        rows.extend(report.noop_rows(noop))
        total = time.perf_counter() - started

        console.print()
        report.render(console, rows, f"Uplifted knowledge-base benchmarks · {started_at} · {total:.0f} s total")
        for r in ingests:
            for err in r.errors:
                console.print(f"[bold red]ingest {r.label}:[/] {err}")
        if noop.changed or noop.chunks_embedded:
            console.print(f"[bold red]no-op re-sync changed {noop.changed} articles, "
                          f"embedded {noop.chunks_embedded} chunks[/]")
        meta = {
            "started_at": started_at,
            "total_seconds": total,
            "phase_seconds": timings,
            "articles_generated": args.articles,
            "seed": SEED,
            "sample_runs": args.sample_runs,
            "search_repeats": args.search_repeats,
            "questions": len(QUESTIONS),
            "environment": environment(emb),
        }
        report.write_json(args.out, meta, rows, ingests, searches, noop)
        console.print(f"results written to {args.out}", style="dim")
    return 0


if __name__ == "__main__":
    sys.exit(main())
