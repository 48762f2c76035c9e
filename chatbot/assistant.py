"""The patient chat: one message in, one reply with exactly one route out.

Order: limits, then crisis and red flags, then injection and abuse, then scope, then
off-topic, then retrieval (follow-ups read with their conversation), then the answer engine. Personal
details are redacted before anything is stored or handed to the answer engine (which may send it to a
model): the stored turn, the history later turns read and the engine's question never hold a phone number
or a name. The guard and retrieval read the patient's own words, in memory only, so that a word the redactor
mistakes for a name ("bent", "tore") or an address ("100 push ups") can neither hide a red flag nor change
the article.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace

from chatbot.answerability import Answerability
from chatbot.clinic import ClinicInfo
from chatbot.contact import ContactRequestError, contact_problems
from chatbot.engines.base import AnswerEngine
from chatbot.guard.language import detect
from chatbot.guard.router import Guard, GuardVerdict
from chatbot.metrics import Metrics
from chatbot.privacy import Redactor
from chatbot.question_kind import question_kind
from chatbot.ratelimit import Limits, RateLimited
from chatbot.replies import Replies
from chatbot.reply import Answer, Reply, Route
from chatbot.retrieval import Retrieval, Retriever
from chatbot.storage.conversations import ConversationStore

log = logging.getLogger(__name__)
SESSION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SAFETY_ROUTES = {Route.CRISIS, Route.EMERGENCY, Route.URGENT}


_SMALL_TALK = [  # which friendly line fits; the classifier has already decided it is small talk
    ("human", re.compile(r"\b(real person|human|a bot|robot|are you (real|ai|a computer)|persona real|eres real)\b",
                         re.I)),
    ("thanks", re.compile(r"\b(thanks?|thank you|thx|ty|appreciate|gracias|cheers)\b", re.I)),
    ("goodbye", re.compile(r"\b(bye|goodbye|see you|good night|take care|adios|hasta luego|chao)\b", re.I)),
    ("capabilities", re.compile(r"\b(what can you|what do you do|how does this work|help me with|que puedes)\b", re.I)),
]


def small_talk_kind(text: str) -> str:
    return next((kind for kind, pattern in _SMALL_TALK if pattern.search(text)), "greeting")


def new_session() -> str:
    return uuid.uuid4().hex[:16]


EXACT_KINDS = frozenset({"timing", "amount", "why"})


class Assistant:
    def __init__(
        self,
        *,
        guard: Guard,
        retriever: Retriever,
        engine: AnswerEngine,
        replies: Replies,
        conversations: ConversationStore,
        redactor: Redactor | None = None,
        limits: Limits | None = None,
        clinic: ClinicInfo | None = None,
        answerability: Answerability | None = None,
        metrics: Metrics | None = None,
        no_match_threshold: float = 0.45,
        strong_match: float = 0.62,
    ) -> None:
        self.guard = guard
        self.retriever = retriever
        self.engine = engine
        self.replies = replies
        self.conversations = conversations
        self.redactor = redactor or Redactor()
        self.limits = limits
        self.clinic = clinic or ClinicInfo(replies.clinic)
        self.answerability = answerability
        self.metrics = metrics or Metrics()  # replies, latency, errors and refusals (chatbot/metrics.py)
        self.no_match_threshold = no_match_threshold
        self.strong_match = strong_match

    # --- public --------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load the models and embed the articles' sentences before the first patient arrives."""
        warm = getattr(self.engine, "warm_up", None) or getattr(getattr(self.engine, "fallback", None), "warm_up", None)
        if warm is not None:
            warm(self.retriever.kb.live_passages())
        self.retriever.vocabulary()
        self.guard.check("warming up")

    def reply(self, message: str, session: str | None = None, *, client: str | None = None) -> Reply:
        last: Reply | None = None
        for last in self.stream(message, session, client=client):  # noqa: B007 - the last one is final
            pass
        assert last is not None
        return last

    def preview(self, message: str) -> Reply:
        """The reply a new patient would get for ``message``, for staff: no rate limit, nothing stored."""
        last: Reply | None = None
        for last in self.stream(message, None, preview=True):  # noqa: B007 - the last one is final
            pass
        assert last is not None
        return last

    def stream(self, message: str, session: str | None = None, *, preview: bool = False,
               client: str | None = None) -> Iterator[Reply]:
        """Progressively longer replies (the LLM engine streams); the last one is final and stored
        (unless ``preview``: staff trying a question are neither rate-limited nor recorded).

        ``client`` is who sent it (the web edge's client address): with limits set, it may send so many messages a
        minute whatever session ids it uses. A rate-limited message and one over the length limit are counted,
        never stored (a red flag in either still gets its safety reply). Every final reply (not a preview) is
        counted in ``metrics`` by route, with the time it took."""
        started = time.perf_counter()
        final: Reply | None = None
        try:
            for final in self._stream(message, session, preview=preview, client=client):
                yield final
        finally:
            if final is not None and not preview:
                seconds = time.perf_counter() - started
                self.metrics.replied(final.route, seconds)
                log.info("reply %s in %.0f ms", final.route, seconds * 1000,
                         extra={"route": str(final.route), "duration_ms": round(seconds * 1000, 1)})

    def _stream(self, message: str, session: str | None, *, preview: bool, client: str | None) -> Iterator[Reply]:
        session = session if session and SESSION.match(session) else new_session()
        self._follow_clinic_profile()
        reply_id = uuid.uuid4().hex
        message = message or ""
        if not preview:
            wait = self._wait(session, client)
            if wait:
                yield self._rate_limited(message, session, reply_id, wait)
                self._count_refused("rate_limited")
                return
        over_long = len(message) > self.guard.max_chars
        # An over-long message is read for red flags, then refused and never stored: nothing needs its redacted
        # text, and redacting a million characters is the costliest thing a message could ask of us.
        redacted = None if over_long else self.redactor.redact(message).text
        final: Reply | None = None
        try:
            for final in self._route(message, session, reply_id, redacted=redacted):
                yield final
        except Exception:  # a reply must never crash the chat; the cause goes to the log only
            log.exception("reply failed (session %s)", session)
            self.metrics.failed("reply")
            final = Reply(self.replies.say("error"), Route.NO_MATCH, session, reply_id=reply_id, detail="error")
            yield final
        if final is None or preview:
            return
        if over_long:
            self._count_refused("too_long")
            return
        try:
            self.conversations.record_turn(session, redacted or "", final)
        except Exception:  # the patient still gets the reply; staff see the failure in the log
            log.exception("could not store the reply (session %s)", session)
            self.metrics.failed("store")

    def _wait(self, session: str, client: str | None) -> int:
        """Seconds to wait before this session (and this client) may send again; 0 counts the message."""
        if self.limits is None:
            return 0
        wait = self.limits.session.wait_seconds(session)
        if not wait and client:
            wait = self.limits.client.wait_seconds(client)
        return wait

    def _rate_limited(self, message: str, session: str, reply_id: str, wait: int) -> Reply:
        """"Please wait", unless a reviewed red-flag rule matches (cheap, and a crisis never waits)."""
        found = self.guard.safety.by_rule(message)
        lang = "es" if detect(self.guard.safety.clean(message[:4000])) == "es" else "en"
        if found is not None and found.route:
            return self._canned(self.replies.say(found.route, lang=lang), Route(found.route), session, reply_id,
                                f"rate_limited; {found.group}: {found.evidence}", lang=lang)
        return replace(self._canned(self.replies.say("rate_limited", lang=lang, seconds=wait), Route.BLOCKED,
                                    session, reply_id, "rate_limited", lang=lang), retry_after_s=wait)

    def _count_refused(self, reason: str) -> None:
        self.metrics.refusal(reason)
        try:
            self.conversations.count_refused(reason)
        except Exception:  # counting must never cost the patient the reply
            log.exception("could not count a refused message (%s)", reason)

    def _follow_clinic_profile(self) -> None:
        """A saved clinic profile (console, `uplifted clinic edit`) reaches every fixed reply from the next message."""
        profile = self.clinic.current()
        if profile != self.replies.clinic:
            self.replies = Replies(profile)
            self.redactor = self.conversations.redactor = Redactor(keep=[profile.phone, profile.name])

    def feedback(self, reply_id: str, up: bool) -> None:
        self.conversations.add_feedback(reply_id, up)

    def request_booking(self, session: str, name: str, phone: str, consent: bool, note: str = "", *,
                        client: str | None = None) -> int:
        """Store a request to be called back; every wrong field first raises :class:`ContactRequestError`
        (a ValueError) naming each problem, so nothing is stored. With limits set, a ``client`` may send
        ``UPLIFTED_BOOKING_LIMIT_PER_HOUR`` requests an hour (:class:`RateLimited` after that); the same number
        again while its request is open stores nothing new (``ConversationStore.request_booking``)."""
        problems = contact_problems(name, phone, consent, note)
        if problems:
            raise ContactRequestError(problems)
        if self.limits is not None and client:
            wait = self.limits.booking.wait_seconds(client)
            if wait:
                self.metrics.refusal("booking_rate_limited")
                raise RateLimited(wait, "booking requests")
        return self.conversations.request_booking(session, name, phone, note, consent)

    # --- routing -------------------------------------------------------------------------
    def _canned(self, text: str, route: Route, session: str, reply_id: str, detail: str | None, *,
                lang: str = "en") -> Reply:
        return Reply(text, route, session, reply_id=reply_id, detail=detail, lang=lang)

    def _route(self, text: str, session: str, reply_id: str, *, redacted: str | None = None) -> Iterator[Reply]:
        history = self.conversations.history(session, limit=8)
        earlier = [t for role, t in history if role == "patient"]
        shown = [t for role, t in history if role == "assistant"]
        verdict = self.guard.check(text, earlier, redacted=redacted)
        if verdict.route is not None and verdict.route is not Route.SCOPE_REDIRECT:
            written = "es" if verdict.lang == "es" and verdict.route is not Route.OTHER_LANGUAGE else "en"
            yield self._canned(self._fixed(verdict, text), verdict.route, session, reply_id,
                               f"{verdict.kind}: {verdict.detail}" if verdict.detail else verdict.kind, lang=written)
            return
        if verdict.lang == "es":
            yield from self._spanish(verdict, earlier, shown, session, reply_id)
            return
        # With articles in other languages too, an English question is answered from the English ones.
        english = "en" if len(self.retriever.kb.languages()) > 1 else None
        retrieval = self.retriever.in_conversation(verdict.text, earlier, lang=english)
        decision = self._decide(retrieval)
        if verdict.route is Route.SCOPE_REDIRECT:
            yield from self._scope(verdict, retrieval, decision == "answer", session, reply_id, shown)
            return
        if decision == "clarify" and (verdict.intent == "question" or self.guard.on_topic_words(retrieval.query)):
            asked = self._clarify(retrieval, session, reply_id)
            if asked is not None:
                yield asked
                return
            decision = "answer"  # a vague message only one article fits ("sciatica", "heel pain"): that article
        if decision != "answer":
            # Without the intent classifier, a message with no word about the body is off-topic; with it,
            # the classifier has already read the message as a question, so the honest reply is "no article".
            if verdict.intent is None and not self.guard.on_topic_words(retrieval.query):
                yield self._canned(self.replies.say("off_topic"), Route.OFF_TOPIC, session, reply_id,
                                   f"no topic words, best match {retrieval.best_dense:.2f}")
                return
            # Retrieval read the redacted message, so the unknown words hold no personal detail to store.
            unknown = ", ".join(retrieval.unknown_words)
            yield self._no_match(session, reply_id, f"best match {retrieval.best_dense:.2f}; unknown words: {unknown}")
            return
        answered = False
        for answer in self.engine.stream(self._private(retrieval.query), retrieval.passages, shown=shown):
            if not answer.sentences:
                continue
            answered = True
            yield self._answer(answer, retrieval, session, reply_id, question=verdict.text, shown=shown)
        if not answered:
            yield self._no_match(session, reply_id, "no answerable sentence in the passages")

    def _spanish(self, verdict: GuardVerdict, earlier: Sequence[str], shown: Sequence[str], session: str,
                 reply_id: str) -> Iterator[Reply]:
        """A Spanish message: scope in Spanish; a question answered from the articles staff marked
        ``lang: es``, when there are any and one matches well; otherwise a Spanish reply that says the
        articles are in English and how to reach the clinic. (The answerability model learned English
        questions only, so Spanish ones use the score rule.)"""
        if verdict.route is Route.SCOPE_REDIRECT:
            head = self.replies.scope(verdict.kind or "diagnosis", lang="es")
            tail = self.replies.say("redirect_call_to_action", lang="es")
            yield self._canned(f"{head}\n\n{tail}", Route.SCOPE_REDIRECT, session, reply_id, verdict.kind, lang="es")
            return
        if "es" not in self.retriever.kb.languages():
            yield self._no_match(session, reply_id, "spanish question; no Spanish articles", lang="es")
            return
        retrieval = self.retriever.in_conversation(verdict.text, earlier, lang="es")
        if not retrieval.passages or retrieval.best_dense < self.no_match_threshold:
            yield self._no_match(session, reply_id, f"spanish question; best match {retrieval.best_dense:.2f}",
                                 lang="es", key="no_spanish_article")
            return
        answered = False
        for answer in self.engine.stream(self._private(retrieval.query), retrieval.passages, shown=shown):
            if answer.sentences:
                answered = True
                yield self._answer(answer, retrieval, session, reply_id, question=verdict.text, shown=shown, lang="es")
        if not answered:
            yield self._no_match(session, reply_id, "no answerable sentence in the Spanish articles", lang="es",
                                 key="no_spanish_article")

    def _decide(self, retrieval: Retrieval) -> str:
        """answer, clarify or no_match: learned on the development set (chatbot/answerability.py) from what
        retrieval measured. Without the model (a test's bare assistant), the old rule: a strong enough match
        and few words no article uses."""
        if self.answerability is not None:
            label = self.answerability.decide(retrieval).label
            # Asking back is for vague messages; "how long should I ice my ankle?" asks something exact.
            if label == "clarify" and retrieval.asks and question_kind(retrieval.query) in EXACT_KINDS:
                return "answer"
            return label
        relevant = bool(retrieval.passages) and (
            retrieval.best_dense >= self.strong_match
            or (retrieval.best_dense >= self.no_match_threshold and retrieval.unknown_share < 0.34))
        return "answer" if relevant else "no_match"

    def _clarify(self, retrieval: Retrieval, session: str, reply_id: str) -> Reply | None:
        """Two to four articles to choose from; None when a vague message fits one article well enough to
        answer from it; an open question when none fits."""
        # Choices come from a wider search than the answer's passages: a vague "back problems" matches
        # several passages of one article first.
        wider = self.retriever.kb.search(retrieval.query, k=12, include_flagged=False)
        titles = list(dict.fromkeys(p.title for p in [*retrieval.passages, *wider]
                                    if p.score >= retrieval.best_dense - 0.15))[:4]
        if len(titles) == 1 and retrieval.best_dense >= self.no_match_threshold:
            return None
        if len(titles) < 2:
            return Reply(self.replies.say("clarify_open"), Route.CLARIFY, session, reply_id=reply_id,
                         detail="vague; no articles to offer")
        return Reply(self.replies.say("clarify"), Route.CLARIFY, session, reply_id=reply_id,
                     passages=retrieval.passages, detail="vague question", choices=tuple(titles))

    def _private(self, query: str) -> str:
        """What the answer engine may see of the question: redacted, since the LLM engine sends it out."""
        return self.redactor.redact(query).text

    def _fixed(self, verdict: GuardVerdict, text: str) -> str:
        route, kind, lang = verdict.route, verdict.kind, verdict.lang
        if route in SAFETY_ROUTES:
            return self.replies.say(str(route), lang=lang)
        if route is Route.OFF_TOPIC:
            return self.replies.say("off_topic", lang=lang)
        if route is Route.OTHER_LANGUAGE:
            return self.replies.say("other_language")
        if route is Route.SMALL_TALK:
            return self.replies.small_talk(small_talk_kind(text), lang=lang)
        if route is Route.CLINIC_INFO:
            found = self.clinic.answer(text)
            if found.topic == "booking":
                return self.replies.say("redirect_call_to_action", lang=lang)
            if found.text:
                return self.replies.say("clinic_info_answer", lang=lang, answer=found.text)
            return self.replies.say("clinic_info_unknown", lang=lang)
        if kind == "empty":
            return self.replies.say("empty", lang=lang)
        if kind == "too_long":
            return self.replies.say("too_long", lang=lang, length=len(text), limit=self.guard.max_chars)
        return self.replies.say("blocked", lang=lang)

    def _no_match(self, session: str, reply_id: str, detail: str, *, lang: str = "en", key: str = "no_match") -> Reply:
        text = f"{self.replies.say(key, lang=lang)} {self.replies.say('redirect_call_to_action', lang=lang)}"
        return Reply(text, Route.NO_MATCH, session, reply_id=reply_id, detail=detail, lang=lang)

    def _answer(self, answer: Answer, retrieval: Retrieval, session: str, reply_id: str, *, question: str,
                shown: Sequence[str] = (), lang: str = "en") -> Reply:
        if answer.lead_in and answer.citations:
            # A quote gets a lead-in that speaks to the question asked (or "more from" an article this
            # conversation already quoted), in the reply's language; an LLM answer, in its own words, has none.
            title = answer.citations[0].title
            more = any(title in earlier for earlier in shown)
            answer = replace(answer, lead_in=self.replies.lead_in(question, title, quote=answer.text, lang=lang,
                                                                  more=more))
        parts = [answer.lead_in, answer.text, self.replies.say("call_to_action", lang=lang)]
        return Reply("\n\n".join(p for p in parts if p), Route.ANSWER, session, sources=answer.citations,
                     reply_id=reply_id, engine=answer.engine, passages=retrieval.passages,
                     detail=answer.fallback_reason, body=answer.text, lang=lang)

    def _scope(self, verdict: GuardVerdict, retrieval: Retrieval, relevant: bool,
               session: str, reply_id: str, shown: Sequence[str] = ()) -> Iterator[Reply]:
        head = self.replies.scope(verdict.kind or "diagnosis")
        tail = self.replies.say("redirect_call_to_action")
        base = Reply(f"{head}\n\n{tail}", Route.SCOPE_REDIRECT, session, reply_id=reply_id, detail=verdict.kind)
        yield base
        if not relevant:
            return
        for answer in self.engine.stream(self._private(retrieval.query), retrieval.passages, shown=shown):
            if answer.sentences:
                education = f"{self.replies.scope('general_education')} {answer.text}"
                yield replace(base, answer=f"{head}\n\n{education}\n\n{tail}", sources=answer.citations,
                              engine=answer.engine, passages=retrieval.passages, body=answer.text)
