"""bench.embeddings' scoring, batching and doc update, on small made-up vectors (no model is loaded)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from bench import embeddings as bench


def test_score_ranks_articles_by_their_best_chunk() -> None:
    chunks = np.eye(4)  # chunks 0, 1 of "a"; 2 of "b"; 3 of "c"
    articles = ["a", "a", "b", "c"]
    q = np.array([[0.1, 0.9, 0.3, 0.0], [0.2, 0.0, 0.1, 0.8]])
    first, top3, best = bench.score(q, chunks, articles, [frozenset({"a"}), frozenset({"b"})])
    assert first.tolist() == [True, False]  # the second question's best chunk is c's
    assert top3.tolist() == [True, True]  # b is second among three articles
    assert best.tolist() == pytest.approx([0.9, 0.8])


def test_batches_hold_each_pair_once_and_one_pair_per_article() -> None:
    pairs = [(f"q{i}", f"c{i}", "abcde"[i % 5] if i < 40 else "a") for i in range(60)]
    batches = bench.distinct_article_batches(pairs, 4, random.Random(0))
    assert sorted(p for b in batches for p in b) == sorted(pairs)
    assert all(len({p[2] for p in b}) == len(b) <= 4 for b in batches)


def test_doc_block_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{bench.DOC_START}\nold\n{bench.DOC_END}\nconclusion\n", encoding="utf-8")
    assert bench.write_doc(doc, "new numbers\n")
    assert doc.read_text(encoding="utf-8") == f"intro\n{bench.DOC_START}\nnew numbers\n{bench.DOC_END}\nconclusion\n"
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n", encoding="utf-8")
    assert not bench.write_doc(plain, "x") and plain.read_text(encoding="utf-8") == "no markers\n"
