"""Retrieval for the chat: dense search in the knowledge base, re-ranked with stemmed word overlap."""

from __future__ import annotations

import difflib
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from chatbot.engines.text import STOPWORDS, content_stems, word_rarity
from chatbot.followup import asks_question, is_follow_up, topic_of
from chatbot.query_adapter import QueryAdapter
from chatbot.synonyms import Synonyms
from knowledge_base.service import KnowledgeBase, Passage

# A redaction placeholder and up to three words before it in the same clause.
_IDENTIFIER = re.compile(r"(?:[\w'’]+[ \t]+){0,3}\[[A-Z_]+\]")


def without_identifiers(text: str) -> str:
    """``text`` without its redaction placeholders and the few words that introduce each in its clause ("I'm
    [NAME], my SSN is [SSN], my knee hurts" -> "my knee hurts"): they say nothing of the question, and an article
    search would count "SSN" as a word no article uses."""
    if "[" not in text:
        return text
    clauses = re.split(r"\s*[,;]\s*", _IDENTIFIER.sub(" ", text))
    return ", ".join(c.strip() for c in clauses if c.strip(" .-")).strip()


@dataclass(frozen=True)
class Retrieval:
    query: str
    passages: tuple[Passage, ...]  # best first; ``score`` is the hybrid score
    best_dense: float  # the closest passage's cosine similarity, for the "no match" decision
    unknown_words: tuple[str, ...] = ()  # the question's content words no live article uses
    corrected: str | None = None  # the query with typos fixed against the articles' words, if any were
    content_words: int = 0  # how many content words the question has
    # How common each unknown word is in English (Zipf scale, 0 rare to 8 "the"): "bunion" 2.4 names a topic
    # no article covers, "yesterday" 4.9 is just a word the articles happen not to use.
    unknown_zipf: tuple[float, ...] = ()
    synonyms: tuple[str, ...] = ()  # the patient's terms the synonym list translated
    follow_up: bool = False  # the query is the conversation's topic plus this message
    asks: bool = False  # the message is phrased as a question or request, not a bare complaint ("my knee hurts")
    top_article_text: str = ""  # the whole text of the best unadapted passage's article, lower case
    # The passages as the bundled model alone ranks them, when a query adapter ranked ``passages``: the
    # answer / ask back / no article decision was learned on these, so it reads them (None: the same).
    base_passages: tuple[Passage, ...] | None = None

    @property
    def unadapted(self) -> tuple[Passage, ...]:
        return self.passages if self.base_passages is None else self.base_passages

    @property
    def top_score(self) -> float:
        """The best unadapted passage's hybrid score."""
        return self.unadapted[0].score if self.unadapted else 0.0

    @property
    def unknown_share(self) -> float:
        return len(self.unknown_words) / self.content_words if self.content_words else 0.0


class Retriever:
    """``Retriever(kb, k=4).run(query) -> Retrieval``. Flagged passages are never returned."""

    def __init__(self, kb: KnowledgeBase, *, k: int = 4, fetch_k: int = 12, lexical_weight: float = 0.3,
                 synonyms: Synonyms | None = None, adapter: QueryAdapter | None = None) -> None:
        if k <= 0 or fetch_k < k:
            raise ValueError("need 0 < k <= fetch_k")
        if not 0 <= lexical_weight <= 1:
            raise ValueError("lexical_weight must be between 0 and 1")
        self.kb = kb
        self.k = k
        self.fetch_k = fetch_k
        self.lexical_weight = lexical_weight
        self.synonyms = synonyms
        self.adapter = adapter
        self._vocabulary: tuple[int, frozenset[str], frozenset[str], dict[str, str]] = (
            -1, frozenset(), frozenset(), {})
        self._lock = threading.Lock()

    def vocabulary(self) -> frozenset[str]:
        """Every stemmed content word of the live articles, rebuilt when the articles change."""
        return self._words()[0]

    def _words(self) -> tuple[frozenset[str], frozenset[str]]:
        vocabulary = self._current()
        return vocabulary[1], vocabulary[2]

    def article_text(self, article_id: str) -> str:
        """The whole text of a live article (title and passages in order), lower case; "" if unknown."""
        return self._current()[3].get(article_id, "")

    def _current(self) -> tuple[int, frozenset[str], frozenset[str], dict[str, str]]:
        revision = self.kb.revision()
        with self._lock:
            if self._vocabulary[0] != revision:
                passages = sorted(self.kb.live_passages(), key=lambda p: (p.article_id, p.position))
                texts = [f"{p.title} {p.text}" for p in passages]
                stems = {s for t in texts for s in content_stems(t)}
                words = {w for t in texts for w in re.findall(r"[a-z]+", t.lower())} | STOPWORDS
                articles: dict[str, list[str]] = {}
                for p in passages:
                    articles.setdefault(p.article_id, [p.title.lower()]).append(p.text.lower())
                self._vocabulary = (revision, frozenset(stems), frozenset(words),
                                    {a: "\n".join(parts) for a, parts in articles.items()})
            return self._vocabulary

    def correct(self, query: str) -> str:
        """Fix likely typos ("pian", "shoud") against the articles' own words."""
        words = self._words()[1]

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            lower = word.lower()
            if len(word) < 4 or lower in words:
                return word
            # One slip of the finger first (swapped, missing, extra or wrong letter), then near spellings.
            # Short words have too many neighbours ("shin" is one letter from "skin"): only a swap counts.
            edits = _edits(lower) if len(lower) >= 5 else _edits(lower)[:1]
            for candidates in edits:
                near = sorted(candidates & words)
                if near:
                    return near[0]
            close = difflib.get_close_matches(lower, words, n=1, cutoff=0.85) if len(lower) >= 6 else []
            return close[0] if close else word

        return re.sub(r"[A-Za-z]+", fix, query)

    def in_conversation(self, message: str, earlier: Sequence[str] = (), *, lang: str | None = None) -> Retrieval:
        """Retrieval for ``message`` read as part of its conversation. Patients' follow-ups rarely say what
        they follow ("frozen peas ok?", "which stretches tho"), so the earlier topic is joined in front when
        the message reads as a follow-up, is short, or matches the articles better joined; a message that
        changes the subject matches better alone and is taken alone."""
        # Read with its typos fixed: "shoud i stay in bed" asks as plainly as "should i stay in bed".
        alone = replace(self.run(message, lang=lang), asks=asks_question(self.correct(message)))
        if not earlier:
            return alone
        joined = replace(self.run(f"{topic_of(earlier)} {message.strip()}", lang=lang), follow_up=True,
                         asks=alone.asks)
        if is_follow_up(message) or alone.content_words <= 5 or joined.top_score >= alone.top_score:
            return joined
        return alone

    def run(self, query: str, *, lang: str | None = None) -> Retrieval:
        """``lang``: only articles in that language (staff mark them, e.g. ``lang: es``); None searches all."""
        query = without_identifiers(query)
        expansion = self.synonyms.expand(query) if self.synonyms else None
        corrected = self.correct(expansion.search if expansion else query)
        original, query = (expansion.search if expansion else query), corrected
        # Unknown words are counted with each synonym term replaced by its meaning ("TKR" is known).
        checked = self.correct(expansion.replaced) if expansion else query
        q_stems = set(content_stems(checked))
        vocabulary = self.vocabulary()
        unknown = tuple(sorted(q_stems - vocabulary))
        rarity = {stem: word_rarity(word) for word, stem in _word_stems(checked) if stem not in vocabulary}
        zipf = tuple(sorted(rarity.values()))
        fixed = corrected if corrected != original else None
        matched = expansion.matched if expansion else ()
        adapted: list[Passage] | None = None
        if self.adapter is None or not query.strip():
            hits = self.kb.search(query, k=self.fetch_k, include_flagged=False, lang=lang)
        else:
            vector = self.kb.embed_query(query)
            hits = self.kb.search_by_vector(vector, k=self.fetch_k, include_flagged=False, lang=lang)
            adapted = self.kb.search_by_vector(self.adapter.adapt(vector), k=self.fetch_k, include_flagged=False,
                                               lang=lang)
        if not hits:
            return Retrieval(query, (), 0.0, unknown, fixed, len(q_stems), zipf, matched)
        rescored = self._rescore(hits, q_stems)
        ranked = self._rescore(adapted, q_stems) if adapted else None
        return Retrieval(query, tuple((ranked or rescored)[: self.k]), max(h.score for h in hits), unknown, fixed,
                         len(q_stems), zipf, matched, top_article_text=self.article_text(rescored[0].article_id),
                         base_passages=tuple(rescored[: self.k]) if ranked else None)

    def _rescore(self, hits: list[Passage], q_stems: set[str]) -> list[Passage]:
        """Best first by the hybrid score: the cosine similarity, plus the share of the question's content
        words (weighted by how rare they are among these passages) that each passage uses."""
        stems = [Counter(content_stems(f"{h.title} {h.text}")) for h in hits]
        df = Counter(s for st in stems for s in set(st))
        idf = {s: math.log(1 + len(hits) / (1 + df[s])) for s in q_stems}
        total = sum(idf.values()) or 1.0
        rescored = []
        for hit, st in zip(hits, stems, strict=True):
            lexical = sum(idf[s] for s in q_stems if s in st) / total
            score = (1 - self.lexical_weight) * hit.score + self.lexical_weight * lexical
            rescored.append(replace(hit, score=score))
        rescored.sort(key=lambda p: p.score, reverse=True)
        return rescored


def _word_stems(text: str) -> list[tuple[str, str]]:
    """(word, stem) for each content word of ``text``."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower().replace("'", "")) if w not in STOPWORDS and len(w) > 1]
    return list(zip(words, content_stems(" ".join(words)), strict=True))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> list[set[str]]:
    """Words one edit away, most likely slips first: swapped, missing, extra, wrong letter."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    deletes = {a + b[1:] for a, b in splits if b}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    return [swaps, inserts, deletes, replaces]
