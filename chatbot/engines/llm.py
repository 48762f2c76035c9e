"""Answers written by a chat model from the passages, each sentence checked before it is shown.

Every complete sentence the model streams must cite only passages it was given, name no medicine,
dose or diagnosis, and be supported by the passages it cites (embedding similarity and shared
words). Failing sentences are dropped. An error, a timeout, an invented citation, NO_ANSWER or no
surviving sentence hands the question to the fallback engine (the extractive one).
"""

from __future__ import annotations

import contextvars
import html
import itertools
import logging
import math
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from chatbot.engines.base import AnswerEngine
from chatbot.reply import Answer, Source
from chatbot.settings import Settings
from knowledge_base.article import Passage
from prompts import load, render

log = logging.getLogger(__name__)

PROMPT = "llm_answer"
_NO_ANSWER = re.compile(r"\bNO[_ ]ANSWER\b")
_MARKER = re.compile(r"\[\s*(?:passages?\s*)?(\d+(?:\s*(?:,|and|&)\s*(?:passages?\s*)?\d+)*)\s*\]", re.I)
# A sentence ends at . ! ? (plus closing quotes and trailing [n] markers) before the next word, or at a newline.
_END = re.compile(r"[.!?]+[\"'”’)]*(?:\s*\[[^\[\]\n]{1,30}\])*(?=\s+[^\s\[])|\n+")
_ABBREVIATIONS = {"e.g", "i.e", "etc", "dr", "mr", "mrs", "ms", "vs", "approx", "st", "no", "min", "sec"}
_PASSAGE_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CONDITIONAL = re.compile(r"\b(?:if|when|whether|unless|once|after|who|those|people|anyone|someone)\b", re.I)
_HEDGE = "probably|likely|most likely|definitely|almost certainly|clearly|certainly"
_local = threading.local()


@dataclass(frozen=True)
class Rules:
    """Dose, medicine and diagnosis patterns and filler words, from ``checks`` in the prompt file."""

    dose: re.Pattern[str]
    diagnosis: re.Pattern[str]
    stop_words: frozenset[str]

    @classmethod
    def from_prompt(cls, checks: Mapping[str, str]) -> Rules:
        lists = {name: "|".join(x.strip() for x in value.split(",")) for name, value in checks.items()}
        condition = rf"(?:(?:{lists['condition_modifiers']})\s+){{0,3}}(?:{lists['conditions']})\b"
        dose = (
            rf"\b\d+(?:[.,]\d+)?\s*(?:{lists['dose_units']})\b|\b(?:{lists['medicines']})\b"
            r"|\b(?:(?:\d+|one|two|three|four|five|six)\s+times|once|twice)\s+(?:(?:a|per|each|every)\s+day|daily)\b"
            r"|\bevery\s+\d+(?:\s*(?:to|-|–)\s*\d+)?\s*hours?\b"
        )
        diagnosis = (
            rf"\byou(?:\s+(?:{_HEDGE}|may|might|could|must))?\s*(?:have|'ve|’ve)(?:\s+got)?\s+{condition}"
            rf"|\byou(?:'re|’re|\s+are)\s+(?:\w+\s+)?(?:suffering|dealing)\s+(?:from|with)\s+{condition}"
            r"|\b(?:this|that|it|your (?:pain|symptoms?|problem))(?:'s|’s|\s+is|\s+are|\s+(?:could|may|might|must) be"
            r"|\s+(?:sounds|looks|seems) like|\s+points to|\s+suggests?|\s+means)\s+"
            rf"(?:(?:{_HEDGE}|caused by|due to)\s+)?{condition}"
        )
        filler = {x.strip() for x in checks["filler_words"].split(",")}
        return cls(re.compile(dose, re.I), re.compile(diagnosis, re.I), frozenset(STOPWORDS_EN_PLUS) | filler)

    def is_diagnosis(self, text: str) -> bool:
        for match in self.diagnosis.finditer(text):
            clause = re.split(r"[,;:]", text[: match.start()])[-1]
            if not _CONDITIONAL.search(clause):  # "If you have arthritis, ..." is education, not a diagnosis
                return True
        return False

    def content_words(self, text: str) -> list[tuple[str, str]]:
        """(word, stem) for each word of ``text`` that carries meaning (no stop or filler words)."""
        if not hasattr(_local, "stemmer"):  # PyStemmer objects are not shared between threads
            _local.stemmer = Stemmer.Stemmer("english")
        words = [w for w in re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower()) if w not in self.stop_words and len(w) > 2]
        return list(zip(words, _local.stemmer.stemWords(words), strict=True))


class Support:
    """The passages' sentences (and adjacent pairs) embedded once per question, and their word stems."""

    def __init__(self, embeddings: Embeddings, passages: Sequence[Passage], rules: Rules) -> None:
        self.embeddings, self.rules = embeddings, rules
        units: list[tuple[int, str]] = []
        for n, passage in enumerate(passages, start=1):
            parts = [s.strip() for s in _PASSAGE_SENTENCE.split(passage.text) if s.strip()]
            units += [(n, s) for s in parts] + [(n, f"{a} {b}") for a, b in itertools.pairwise(parts)]
        self.ids = [n for n, _ in units]
        self.vectors = embeddings.embed_documents([text for _, text in units])
        self.stems = {n: {stem for _, stem in rules.content_words(p.text)} for n, p in enumerate(passages, start=1)}

    def similarity(self, sentence: str, among: Sequence[int]) -> tuple[float, int]:
        """The best cosine similarity to a unit of the passages ``among`` (all if empty), and its passage."""
        query = self.embeddings.embed_query(sentence)
        pairs = zip(self.ids, self.vectors, strict=True)
        return max(((_cosine(query, v), n) for n, v in pairs if not among or n in among), default=(0.0, 0))

    def overlap(self, sentence: str, among: Sequence[int]) -> tuple[float, list[str]]:
        """The share of the sentence's content words found in the passages ``among``, and the missing ones."""
        words = self.rules.content_words(sentence)
        known = set().union(*(self.stems[n] for n in among))
        missing = [word for word, stem in words if stem not in known]
        return (1 - len(missing) / len(words) if words else 1.0), missing


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else 0.0


def split_sentences(buffer: str, *, final: bool) -> tuple[list[str], str]:
    """The complete sentences at the start of ``buffer`` and the unfinished rest (none when ``final``)."""
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(buffer):
        words = buffer[start:match.start()].split()
        if match.group(0)[0] in ".!?" and words and (words[-1].lower() in _ABBREVIATIONS or len(words[-1]) == 1):
            continue  # "e.g." or an initial, not the end of a sentence
        pieces.append(buffer[start:match.end()])
        start = match.end()
    rest = buffer[start:]
    if final:
        pieces, rest = [*pieces, rest], ""
    return [p.strip() for p in pieces if p.strip()], rest


def clean(sentence: str) -> str:
    """The sentence as a patient sees it: no [n] markers, list bullets or markdown emphasis."""
    text = _MARKER.sub("", sentence)
    text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", text).replace("**", "").replace("__", "")
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return f"{text}." if text[-1:].isalnum() else text  # a list item gets its full stop


@dataclass(frozen=True)
class Verdict:
    """One model sentence after the checks: ``problem`` is None when it may be shown."""

    text: str
    cited: tuple[int, ...]
    problem: str | None = None


class LLMEngine:
    """Streams a chat model's answer, showing only sentences that passed every check."""

    name = "llm"

    def __init__(
        self,
        model: BaseChatModel,
        *,
        fallback: AnswerEngine,
        embeddings: Embeddings,
        timeout_s: float = 20.0,
        min_support: float = 0.55,
        min_overlap: float = 0.5,
        max_running: int = 4,
    ) -> None:
        """``max_running`` caps the model calls running at once, counting ones that timed out but are still
        blocked in the provider's client: past it, a reply falls back at once instead of starting another
        thread, so a hung provider can't pile up threads."""
        if timeout_s <= 0 or max_running <= 0:
            raise ValueError("timeout_s and max_running must be positive")
        if not (-1.0 <= min_support <= 1.0 and 0.0 <= min_overlap <= 1.0):
            raise ValueError("min_support must be in [-1, 1] and min_overlap in [0, 1]")
        self.model, self.fallback, self.embeddings = model, fallback, embeddings
        self.timeout_s, self.min_support, self.min_overlap = timeout_s, min_support, min_overlap
        self.prompt = load(PROMPT)
        self.rules = Rules.from_prompt(self.prompt["checks"])
        self._running = threading.BoundedSemaphore(max_running)

    def messages(self, question: str, passages: Sequence[Passage]) -> list[BaseMessage]:
        """The prompt: passages as numbered, escaped <passage> data; flagged passages never go in."""
        blocks = [
            render(self.prompt["passage"], {"id": n, "title": html.escape(p.title), "text": html.escape(p.text)})
            for n, p in enumerate((p for p in passages if not p.flagged), start=1)
        ]
        user = render(self.prompt["user"], {"passages": "\n".join(blocks), "question": html.escape(question)})
        return [SystemMessage(self.prompt["system"]), HumanMessage(user)]

    def check(self, sentence: str, support: Support, given: int) -> Verdict | None:
        """The verdict on one model sentence, or None for a fragment with no words ("1.")."""
        text = clean(sentence)
        cited = tuple(dict.fromkeys(int(n) for group in _MARKER.findall(sentence) for n in re.findall(r"\d+", group)))
        if _NO_ANSWER.search(sentence):
            return Verdict(text, cited, "no answer")
        if not re.search(r"[A-Za-z]", text):
            return None
        if invented := [n for n in cited if not 1 <= n <= given]:
            return Verdict(text, cited, f"invented citation {invented}")
        if self.rules.dose.search(text):
            return Verdict(text, cited, "medicine or dose")
        if self.rules.is_diagnosis(text):
            return Verdict(text, cited, "diagnosis")
        score, best = support.similarity(text, cited)
        if score < self.min_support:
            return Verdict(text, cited, f"unsupported (similarity {score:.2f})")
        share, missing = support.overlap(text, cited or (best,))
        if share < self.min_overlap:
            return Verdict(text, cited, f"unsupported (new words: {', '.join(missing)})")
        return Verdict(text, cited or (best,))  # an uncited sentence is credited to the passage that supports it

    def stream(self, question: str, passages: Sequence[Passage], *, shown: Sequence[str] = ()) -> Iterator[Answer]:
        given = [p for p in passages if not p.flagged and p.text.strip()]
        if not given:
            yield from self._fall_back(question, passages, "no passages", shown)
            return
        if not self._running.acquire(blocking=False):
            yield from self._fall_back(question, passages, "busy: earlier model calls are still running", shown)
            return
        deadline = time.monotonic() + self.timeout_s
        worker = _ModelStream(self.model, self.messages(question, given), done=self._running.release)
        kept: list[Verdict] = []
        dropped: list[str] = []
        reason: str | None = None
        try:
            support = Support(self.embeddings, given, self.rules)  # embeds while the model starts writing
            buffer = ""
            for piece, done in worker.pieces(deadline):
                sentences, buffer = split_sentences(buffer + piece, final=done)
                for verdict in filter(None, (self.check(s, support, len(given)) for s in sentences)):
                    if verdict.problem is None:
                        kept.append(verdict)
                        yield _answer(kept, given)
                    elif verdict.problem == "no answer" or verdict.problem.startswith("invented"):
                        reason = verdict.problem
                        break
                    else:
                        dropped.append(verdict.problem)
                if reason:
                    break
        except TimeoutError:
            reason = "timeout"
        except Exception as exc:  # any model or check failure shows the extractive answer instead
            reason = ": ".join(filter(None, ("error", type(exc).__name__, str(exc)[:200])))
        finally:
            worker.stop()
        if dropped:
            log.info("llm answer: dropped %d sentence(s): %s", len(dropped), "; ".join(dropped))
        reason = reason or (None if kept else "no supported sentences")
        if reason:
            log.warning("llm answer fell back to %s: %s", self.fallback.name, reason)
            yield from self._fall_back(question, passages, reason, shown)

    def _fall_back(self, question: str, passages: Sequence[Passage], reason: str,
                   shown: Sequence[str] = ()) -> Iterator[Answer]:
        for answer in self.fallback.stream(question, passages, shown=shown):
            yield replace(answer, fallback_reason=reason)


def _answer(kept: Sequence[Verdict], given: Sequence[Passage]) -> Answer:
    sources = dict.fromkeys(Source.of(given[n - 1]) for verdict in kept for n in verdict.cited)
    return Answer(sentences=tuple(v.text for v in kept), citations=tuple(sources), engine="llm")


class _ModelStream:
    """Runs ``model.stream`` in a daemon thread so a hanging model can't block past the deadline."""

    def __init__(self, model: BaseChatModel, messages: list[BaseMessage], *, done: Callable[[], None]) -> None:
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._done = done  # called when the thread ends, however it ends
        context = contextvars.copy_context()  # keeps the caller's callbacks and tracing
        threading.Thread(target=context.run, args=(self._run, model, messages), daemon=True).start()

    def _run(self, model: BaseChatModel, messages: list[BaseMessage]) -> None:
        try:
            for chunk in model.stream(messages):
                if self._stop.is_set():
                    return
                self._queue.put(("text", chunk.text))
            self._queue.put(("end", ""))
        except BaseException as exc:  # handed to the reader, which falls back
            self._queue.put(("error", exc))
        finally:
            self._done()

    def pieces(self, deadline: float) -> Iterator[tuple[str, bool]]:
        """Text as it arrives, then ``("", True)`` at the end; TimeoutError past ``deadline``."""
        while True:
            try:
                kind, value = self._queue.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise TimeoutError from None
            if kind == "error":
                raise value
            if time.monotonic() > deadline:
                raise TimeoutError
            yield str(value), kind == "end"
            if kind == "end":
                return

    def stop(self) -> None:
        self._stop.set()


def build_chat_model(settings: Settings, *, timeout_s: float = 20.0) -> BaseChatModel | None:
    """The chat model ``UPLIFTED_LLM`` names, or None when it is unset. Makes no network call."""
    if not settings.llm:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    try:
        if settings.llm_base_url:
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                model=settings.llm, base_url=settings.llm_base_url, api_key=SecretStr(key or "not-needed"),
                timeout=timeout_s, max_retries=0,
            )
        from langchain.chat_models import init_chat_model

        # timeout and max_retries are init_chat_model's common parameters: a hung provider frees its thread.
        limits: dict[str, Any] = {"timeout": timeout_s, "max_retries": 0}
        return init_chat_model(settings.llm, api_key=key, **limits) if key else init_chat_model(settings.llm, **limits)
    except Exception as exc:  # never chained: the original might show the key
        raise ValueError(_explain(settings.llm, exc, key)) from None


def _explain(llm: str, exc: Exception, key: str | None) -> str:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    if isinstance(exc, ImportError):
        fix = "install that package, or set UPLIFTED_LLM_BASE_URL to an OpenAI-compatible endpoint"
    elif re.search(r"api[_ ]?key|credential", detail, re.I):
        fix = "set UPLIFTED_LLM_API_KEY (or the provider's own variable, e.g. OPENAI_API_KEY)"
    else:
        fix = (
            "set UPLIFTED_LLM to 'provider:model' (e.g. 'openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', "
            "'ollama:llama3.1') or UPLIFTED_LLM_BASE_URL to an OpenAI-compatible endpoint"
        )
    message = f"UPLIFTED_LLM={llm!r} can't be used ({detail}): {fix}, or unset UPLIFTED_LLM for extractive answers."
    return message.replace(key, "***") if key else message
