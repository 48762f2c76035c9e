"""The default, offline answer engine: quotes the passages' own sentences, never anything else.

Following what was measured (``answer-composition.md``): score windows of 1 to 3 consecutive
sentences from one paragraph, skipping the articles' own questions, calls to action and
asides; mix dense similarity with a stemmed lexical overlap; prefer windows that don't open
on a word pointing back ("This", "But"); add a second window from another passage only when
it scores nearly as well and says something new.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from chatbot.engines.text import content_stems, paragraphs, sentences
from chatbot.reply import Answer, Source
from knowledge_base.article import Passage

NOT_AN_ANSWER = re.compile(
    r"(we['\u2019]d love to help|book an evaluation|reach out|let['\u2019]s work together|we['\u2019]re here"
    r"|schedule (a|an|your)|contact us|give us a call|call us|of course, not everyone|here['\u2019]s the gist"
    r"|a great question came up|we hear (this|that|it)|question we hear|patients? (often )?ask(ed)? us"
    r"|a patient (shared|asked|told|came)|questions? like this|versions of this question"
    r"|we see (this|it)( cycle)? (often|frequently|a lot)"
    r"|so we wanted to|let['\u2019]s (talk|clear|look|take|dig)|in this article)",
    re.I,
)
ANAPHOR = re.compile(
    r"^[\"'\u201c]?(this|that|it|these|those|they|but|so|also|then|here|there|such|and|the same|another|likewise"
    r"|similarly|for example|for instance|as a result|because of (this|that)|in that case|even so|still|yet|other)\b",
    re.I,
)
# A sentence pointing back in its middle ("Squatting can hurt for the same reason.") can't open an excerpt either.
BACK_REFERENCE = re.compile(
    r"\b(for (the same|that|this|these|those) reasons?|the same (reason|way|thing)|as (mentioned|noted|described"
    r"|explained|discussed)|(mentioned|listed|described|shown) (above|earlier|before)|the above|(that|this) is why"
    r"|that'?s why|like (this|that) one|the (former|latter)|por (la misma|esa|esta) raz[oó]n|por eso)\b",
    re.I,
)
QUESTION_END = re.compile(r"\?[\"'\u201d\u2019)]*$")
# A sentence that announces what follows ("Several simple steps help many people.") says nothing alone: a
# window may not end on one, since the steps themselves are what the patient needs.
TEASER = re.compile(r"\b(several|a few|some|these|the following|here are|there are|many)\b( \w+){0,3} (steps|changes|"
                    r"ways|tips|things|places|exercises|habits|ideas|options|strategies)\b( \w+){0,6}[.!:]?$", re.I)
# "How long should I ice?" is answered by the sentence with the minutes: a question asking how long, how
# often or how soon prefers a window that gives a time or a count.
ASKS_AMOUNT = re.compile(r"\b(how (long|often|many|soon|much time|far)|how many times|when (can|should|will|do)"
                         r"|what time|times a day|minutes?|hours?|cu[aá]nto tiempo|cu[aá]ntas veces|cada cu[aá]nto"
                         r"|cu[aá]ndo)\b", re.I)
GIVES_AMOUNT = re.compile(r"\b(\d+|one|two|three|four|five|six|ten|twenty|thirty|a few|several)\b[\s-]*(to[\s-]*"
                          r"(\d+|two|three|four|five|six|ten|twenty)\s*)?(seconds?|minutes?|hours?|days?|weeks?|months?"
                          r"|times|reps?|sets?|minutos|horas|d[ií]as|semanas|meses|veces)\b"
                          r"|\b(daily|every day|each day|a day|per day|once|twice|al d[ií]a|cada d[ií]a)\b", re.I)


@dataclass(frozen=True)
class Window:
    passage: int
    paragraph: int
    start: int
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def usable(sentence: str) -> bool:
    return (
        len(sentence.split()) >= 4
        and not QUESTION_END.search(sentence)
        and not NOT_AN_ANSWER.search(sentence)
        and bool(re.search(r"[.!][\"'\u201d\u2019)]*$", sentence))
        # Half of a quotation that runs over two sentences ('"I have a sharp pain ... of my leg.'): quoted alone,
        # it opens a quote that never closes.
        and sentence.count('"') % 2 == 0 and sentence.count("\u201c") == sentence.count("\u201d")
    )


def stands_alone(sentence: str) -> bool:
    """Whether an excerpt may start on ``sentence``: it doesn't point back to something the patient
    hasn't read ("This", "But", "for the same reason")."""
    return not ANAPHOR.match(sentence) and not BACK_REFERENCE.search(sentence)


def windows_of(passages: Sequence[Passage], max_len: int = 3) -> list[Window]:
    found: list[Window] = []
    for p_idx, passage in enumerate(passages):
        for para_idx, para in enumerate(paragraphs(passage.text)):
            sents = sentences(para)
            for start in range(len(sents)):
                for size in range(1, max_len + 1):
                    chunk = sents[start:start + size]
                    if len(chunk) < size or not all(usable(s) for s in chunk):
                        break
                    found.append(Window(p_idx, para_idx, start, tuple(chunk)))
    return found


class _VectorCache:
    """Embeddings of window texts, reused across questions (the articles change rarely)."""

    def __init__(self, embeddings: Embeddings, size: int) -> None:
        self.embeddings = embeddings
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        with self._lock:
            missing = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in self._data]
        if missing:
            vectors = self.embeddings.embed_documents([t for _, t in dict(missing).items()])
            with self._lock:
                for (key, _), vec in zip(dict(missing).items(), vectors, strict=True):
                    self._data[key] = np.asarray(vec, dtype=np.float32)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        with self._lock:
            return np.stack([self._data[k] for k in keys])


class ExtractiveEngine:
    name = "extractive"

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        lead_ins: Sequence[str] = ('From our article "{title}":',),
        max_sentences: int = 4,
        dense_weight: float = 0.65,
        second_window_ratio: float = 0.92,
        duplicate_similarity: float = 0.85,
        retrieval_weight: float = 0.3,
        other_article_ratio: float = 0.98,
        amount_ratio: float = 0.85,
        cache_size: int = 20_000,
    ) -> None:
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        if not 0 <= dense_weight <= 1:
            raise ValueError("dense_weight must be between 0 and 1")
        if not lead_ins:
            raise ValueError("at least one lead-in template is needed")
        self.embeddings = embeddings
        self.lead_ins = list(lead_ins)
        self.max_sentences = max_sentences
        self.dense_weight = dense_weight
        self.second_window_ratio = second_window_ratio
        self.duplicate_similarity = duplicate_similarity
        self.retrieval_weight = retrieval_weight
        self.other_article_ratio = other_article_ratio
        self.amount_ratio = amount_ratio
        self._cache = _VectorCache(embeddings, cache_size)

    def warm_up(self, passages: Sequence[Passage]) -> int:
        """Embed every window of ``passages`` ahead of the first question; returns how many."""
        texts = [w.text for w in windows_of([p for p in passages if not p.flagged])]
        for start in range(0, len(texts), 256):
            self._cache.get(texts[start:start + 256])
        return len(texts)

    def stream(self, question: str, passages: Sequence[Passage], *, shown: Sequence[str] = ()) -> Iterator[Answer]:
        yield self.answer(question, passages, shown=shown)

    def score(self, question: str, windows: Sequence[Window], passages: Sequence[Passage],
              shown: Sequence[str] = ()) -> np.ndarray:
        vectors = self._cache.get([w.text for w in windows])
        dense = vectors @ np.asarray(self.embeddings.embed_query(question), dtype=np.float32)
        stems = [Counter(content_stems(w.text)) for w in windows]
        q_stems = set(content_stems(question))
        df = Counter(s for st in stems for s in set(st))
        idf = {s: math.log(1 + len(windows) / (1 + df[s])) for s in q_stems}
        total = sum(idf.values()) or 1.0
        lexical = np.array([sum(idf[s] for s in q_stems if s in st) / total for st in stems], dtype=np.float32)
        score = self.dense_weight * dense + (1 - self.dense_weight) * lexical
        asks_amount = bool(ASKS_AMOUNT.search(question))
        earlier = " ".join(shown)
        for i, w in enumerate(windows):
            if asks_amount and GIVES_AMOUNT.search(w.text):
                score[i] += 0.15  # a window without a time or count does not answer "how long"
            if TEASER.search(w.sentences[-1]):
                score[i] -= 0.1
            if earlier and any(s in earlier for s in w.sentences):
                score[i] -= 0.2  # already shown in this conversation: a follow-up gets something new
            if not stands_alone(w.sentences[0]):
                score[i] -= 0.08
            words = sum(len(s.split()) for s in w.sentences) / len(w.sentences)
            score[i] -= 0.002 * max(0.0, words - 25)
            score[i] += self.retrieval_weight * passages[w.passage].score
            if len(w.sentences) == 1:
                score[i] -= 0.04  # one sentence alone rarely answers a question
        return score

    def answer(self, question: str, passages: Sequence[Passage], *, shown: Sequence[str] = ()) -> Answer:
        passages = [p for p in passages if not p.flagged]
        windows = windows_of(passages)
        if not windows:
            return Answer(sentences=(), citations=(), engine=self.name)
        scores = self.score(question, windows, passages, shown)
        order = [int(i) for i in np.argsort(-scores)]
        # The excerpt starts on a sentence that stands alone, and a follow-up gets something it hasn't been
        # shown, whenever such a window exists (the window that also holds the sentence pointed back to is
        # among the candidates, so context is kept, not lost); failing both, the best that meets one.
        earlier = " ".join(shown)
        new = [i for i in order if not any(s in earlier for s in windows[i].sentences)] if earlier else order
        # "How long should I ice my ankle?" is answered by the minutes, even where a window about ankles scores
        # a little higher: a window giving a time or a count comes first when it scores near the best.
        giving = [i for i in new if GIVES_AMOUNT.search(windows[i].text)
                  and scores[i] >= self.amount_ratio * scores[order[0]]] if ASKS_AMOUNT.search(question) else []
        for pool in ([i for i in giving if stands_alone(windows[i].sentences[0])],
                     [i for i in new if stands_alone(windows[i].sentences[0])], new,
                     [i for i in order if stands_alone(windows[i].sentences[0])]):
            if pool:
                order = [pool[0], *(i for i in order if i != pool[0])]
                break
        chosen = [windows[order[0]]]
        vectors = self._cache.get([w.text for w in windows])
        for i in order[1:]:
            w = windows[i]
            if scores[i] < self.second_window_ratio * scores[order[0]]:
                break
            first = chosen[0]
            other_article = passages[w.passage].article_id != passages[first.passage].article_id
            if other_article and scores[i] < self.other_article_ratio * scores[order[0]]:
                continue
            if not stands_alone(w.sentences[0]) or (earlier and any(s in earlier for s in w.sentences)):
                continue  # a second excerpt must stand on its own and be new to the patient
            overlapping = w.passage == first.passage and w.paragraph == first.paragraph
            too_long = len(w.sentences) + len(first.sentences) > self.max_sentences
            if overlapping or too_long or float(vectors[i] @ vectors[order[0]]) >= self.duplicate_similarity:
                continue
            chosen.append(w)
            break
        if len(chosen[0].sentences) == 1 and len(chosen) == 1:
            # Too short to help: add the best other excerpt that stands on its own.
            extra = next((windows[i] for i in order[1:] if stands_alone(windows[i].sentences[0])
                          and not (earlier and any(s in earlier for s in windows[i].sentences))
                          and (windows[i].passage, windows[i].paragraph) != (chosen[0].passage, chosen[0].paragraph)
                          and float(vectors[i] @ vectors[order[0]]) < self.duplicate_similarity), None)
            if extra is not None:
                chosen.append(extra)
        # Same article: keep the article's order; different articles: best first.
        if len(chosen) == 2 and passages[chosen[0].passage].article_id == passages[chosen[1].passage].article_id:
            chosen.sort(key=lambda w: (passages[w.passage].position, w.paragraph, w.start))
        citations = tuple(dict.fromkeys(Source.of(passages[w.passage]) for w in chosen))
        template = self.lead_ins[int(hashlib.sha1(question.encode()).hexdigest(), 16) % len(self.lead_ins)]
        lead_in = template.format(title=citations[0].title)
        body = tuple(s for w in chosen for s in w.sentences)
        return Answer(sentences=body, citations=citations, engine=self.name, lead_in=lead_in)
