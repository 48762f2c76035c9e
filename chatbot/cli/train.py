"""``uplifted train``: rebuild the learned parts from the labelled data in the repository (eval/dev)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from chatbot.cli.common import console, fail, settings_from

app = typer.Typer(help="Rebuild the classifiers from eval/dev (the development set).", no_args_is_help=True)
CHECK = Annotated[bool, typer.Option("--check", help="Only say whether the saved model matches its data.")]
IF_STALE = Annotated[bool, typer.Option("--if-stale", help="Rebuild only when the data changed.")]


def _rebuild(ctx: typer.Context, model: Path, current: str, train: Callable[[Any], dict[str, Any]],
             *, check: bool, if_stale: bool, card: Path | None = None) -> dict[str, Any] | None:
    from chatbot.guard.classifier import card_path

    card = card or card_path(model)
    saved = json.loads(card.read_text(encoding="utf-8")).get("data_hash") if card.exists() and model.exists() \
        else None
    if check or (if_stale and saved == current):
        if saved != current:
            raise fail(f"{model.name} was trained on other data ({saved} != {current}): run `make models`")
        console.print(f"{model.name} matches its training data ({current})")
        return None
    from chatbot.build import build_application

    with console.status(f"Training {model.name} (embedding the development set)..."):
        return train(build_application(settings_from(ctx)).embeddings)


@app.command()
def safety(ctx: typer.Context, check: CHECK = False, if_stale: IF_STALE = False) -> None:
    """The red-flag and crisis classifier (chatbot/guard/models/safety.skops and its card)."""
    from chatbot.guard.safety import SAFETY_DIR
    from chatbot.guard.training import SAFETY_MODEL, expected_hash, train_safety

    bank = SAFETY_DIR / "phrase_bank.yaml"
    result = _rebuild(ctx, SAFETY_MODEL, expected_hash(bank=bank), lambda e: train_safety(e, bank=bank),
                      check=check, if_stale=if_stale)
    if result:
        cv = result["cross_validated"]
        console.print(f"Saved {SAFETY_MODEL} from {result['examples']} examples {result['by_label']}; "
                      f"cross-validated recall {cv['safety_recall']}, exact tier {cv['exact_tier']}, "
                      f"false alarms {cv['false_alarms']}; threshold {result['threshold']}")


@app.command()
def intent(ctx: typer.Context, check: CHECK = False, if_stale: IF_STALE = False) -> None:
    """What a message is for: a question, scope, small talk, clinic information, off-topic, misuse."""
    from chatbot.guard.intent import INTENT_MODEL, expected_hash, train_intent

    result = _rebuild(ctx, INTENT_MODEL, expected_hash(), train_intent, check=check, if_stale=if_stale)
    if result:
        cv = result["cross_validated"]
        console.print(f"Saved {INTENT_MODEL} from {result['examples']} examples {result['by_label']}; "
                      f"cross-validated accuracy {cv['accuracy']}, recall by intent {cv['recall_by_intent']}")


@app.command()
def answerability(ctx: typer.Context, check: CHECK = False, if_stale: IF_STALE = False) -> None:
    """Answer, ask back or say there is no article: learned on the development set's English questions,
    measured against the sample articles (UPLIFTED_ARTICLES_DIR) in a scratch knowledge base."""
    from chatbot import answerability as ans
    from chatbot.build import build_retriever
    from chatbot.guard.training import dev_cases

    rows = ans.examples(dev_cases())
    settings = settings_from(ctx)

    def fit(embeddings: Any) -> dict[str, Any]:
        with _sample_kb(settings, embeddings) as kb:
            retriever = build_retriever(settings.model_copy(update={"query_adapter": False}), kb)
            measured = []
            for question, history, _ in rows:
                measured.append(ans.features(retriever.in_conversation(question, history)))
            card = ans.train(rows, measured)
            return card

    result = _rebuild(ctx, ans.ANSWERABILITY_MODEL, ans.expected_hash(rows), fit, check=check, if_stale=if_stale,
                      card=ans.ANSWERABILITY_MODEL)
    if result:
        cv = result["cross_validated"]
        console.print(f"Saved {ans.ANSWERABILITY_MODEL} from {result['examples']} questions {result['by_label']}; "
                      f"cross-validated accuracy {cv['accuracy']}, recall {cv['recall_by_label']}")


@app.command()
def retrieval(ctx: typer.Context, check: CHECK = False, if_stale: IF_STALE = False) -> None:
    """The query adapter: moves a patient's question toward the sample articles' passages that answer it
    (chatbot/guard/models/query_adapter.npy and its card), learned on the development set's answerable
    questions and the sample articles (UPLIFTED_ARTICLES_DIR) chunked as `kb sync` chunks them."""
    import numpy as np

    from chatbot import query_adapter as qa
    from chatbot.guard.training import dev_cases
    from knowledge_base.chunking import Chunker
    from knowledge_base.loaders import load_article
    from knowledge_base.service import KnowledgeBase

    settings = settings_from(ctx)
    questions = qa.questions_with_sources(dev_cases())
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    docs = [d for p in KnowledgeBase.article_files(settings.articles_dir) for d in chunker.split(load_article(p))]
    passages = [(str(d.metadata["article_id"]), d.page_content) for d in docs]

    def fit(embeddings: Any) -> dict[str, Any]:
        vectors = np.array(embeddings.embed_documents([q for q, _ in questions] + [t for _, t in passages]),
                           dtype=np.float32)
        return qa.train(questions, passages, vectors[: len(questions)], vectors[len(questions):])

    result = _rebuild(ctx, qa.QUERY_ADAPTER, qa.expected_hash(questions, passages), fit, check=check,
                      if_stale=if_stale)
    if result:
        cv = result["cross_validated"]
        console.print(f"Saved {qa.QUERY_ADAPTER} from {result['questions']} questions and {result['passages']} "
                      f"passages; cross-validated right passage first {cv['right_first_without']} -> "
                      f"{cv['right_first_with']}, for articles it never saw {cv['unseen_articles_without']} -> "
                      f"{cv['unseen_articles_with']}")


@contextmanager
def _sample_kb(settings: Any, embeddings: Any) -> Iterator[Any]:
    """The sample articles (UPLIFTED_ARTICLES_DIR) in a scratch knowledge base, deleted afterwards."""
    import tempfile

    from chatbot.build import build_application

    with tempfile.TemporaryDirectory(prefix="uplifted-train-") as tmp:
        scratch = settings.model_copy(update={"data_dir": Path(tmp), "chroma_host": None})
        kb = build_application(scratch, embeddings=embeddings).kb
        kb.sync(settings.articles_dir, by="train")
        yield kb
