"""One place builds the application from settings; every edge takes the parts it needs, tests pass their own.

``build_application(settings, llm=..., embeddings=..., store=..., kb=..., conversations=...)`` returns an
:class:`Application`: the embedding model, the knowledge base, the clinic profile, the conversation store, the
assistant, its metrics and the staff services (login check, patient insights). Each part is built on first use
and then kept, so ``uplifted kb list`` opens the knowledge base without loading the safety classifier, while the
web server, ``uplifted ask``, the eval runner and the benchmarks take the assistant and whatever else they show.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.vectorstores import VectorStore

from chatbot.answerability import Answerability
from chatbot.assistant import Assistant
from chatbot.clinic import ClinicInfo
from chatbot.engines.base import AnswerEngine
from chatbot.engines.extractive import ExtractiveEngine
from chatbot.guard.intent import IntentClassifier
from chatbot.guard.router import Guard
from chatbot.guard.safety import SafetyDetector
from chatbot.metrics import Metrics
from chatbot.privacy import Redactor
from chatbot.query_adapter import QueryAdapter
from chatbot.ratelimit import Limits
from chatbot.replies import Replies
from chatbot.retrieval import Retriever
from chatbot.settings import Settings
from chatbot.storage.conversations import ConversationStore
from chatbot.synonyms import Synonyms
from knowledge_base.factory import build_embeddings, build_knowledge_base
from knowledge_base.service import KnowledgeBase

if TYPE_CHECKING:
    from chatbot.staff.auth import StaffAuth
    from chatbot.staff.insights import PatientInsights


def build_engine(
    settings: Settings, embeddings: Embeddings, llm: BaseChatModel | None, replies: Replies
) -> AnswerEngine:
    extractive = ExtractiveEngine(embeddings, lead_ins=replies.lead_ins())
    if llm is None:
        from chatbot.engines.llm import build_chat_model

        llm = build_chat_model(settings, timeout_s=settings.llm_timeout_s)
    if llm is None:
        return extractive
    from chatbot.engines.llm import LLMEngine

    return LLMEngine(llm, fallback=extractive, embeddings=embeddings, timeout_s=settings.llm_timeout_s)


def build_retriever(settings: Settings, kb: KnowledgeBase) -> Retriever:
    """The chat's retrieval: the knowledge base searched with patients' words translated by the synonym list."""
    adapter = QueryAdapter.load() if settings.query_adapter else None
    return Retriever(kb, k=settings.retrieval_k, synonyms=Synonyms.load(), adapter=adapter)


class Overrides(TypedDict, total=False):
    """What a caller (an edge, a test) may hand to :class:`Application` instead of having it built."""

    llm: BaseChatModel | None
    embeddings: Embeddings | None
    store: VectorStore | None
    kb: KnowledgeBase | None
    conversations: ConversationStore | Path | None
    clinic: ClinicInfo | None
    metrics: Metrics | None
    auth: StaffAuth | None
    rate_limit: bool
    on_progress: Callable[[int, int], None] | None


class Application:
    """The application's parts, each built from ``settings`` on first use unless the caller handed one in.

    Overrides: ``llm`` (else ``UPLIFTED_LLM``, else the extractive engine), ``embeddings``, ``store`` (the vector
    store under a new knowledge base), ``kb``, ``conversations`` (a store, or the path of one to open, instead of
    ``conversations.sqlite`` in the data dir), ``clinic`` (e.g. a fixed profile instead of following
    ``clinic.yaml``), ``metrics``, ``auth`` (the staff login check) and ``on_progress`` (a new knowledge base's
    sync progress). ``rate_limit=False`` turns the per-session and per-client limits off (CLI, evals)."""

    def __init__(self, settings: Settings, **overrides: Unpack[Overrides]) -> None:
        self.settings = settings
        self.rate_limit = overrides.get("rate_limit", True)
        self._llm, self._store = overrides.get("llm"), overrides.get("store")
        self._on_progress = overrides.get("on_progress")
        self._embeddings, self._kb = overrides.get("embeddings"), overrides.get("kb")
        self._conversations, self._clinic = overrides.get("conversations"), overrides.get("clinic")
        self._metrics, self._auth = overrides.get("metrics"), overrides.get("auth")

    @cached_property
    def embeddings(self) -> Embeddings:
        return self._embeddings or build_embeddings(self.settings)

    @cached_property
    def kb(self) -> KnowledgeBase:
        if self._kb is not None:
            return self._kb
        # The model is only needed for a new vector store: a store handed in brings its own.
        embeddings = self.embeddings if self._store is None else self._embeddings
        return build_knowledge_base(self.settings, embeddings=embeddings, store=self._store,
                                    on_progress=self._on_progress)

    @cached_property
    def clinic(self) -> ClinicInfo:
        """The clinic profile follows clinic.yaml: a staff edit reaches the running chat (see ClinicInfo.current)."""
        return self._clinic or ClinicInfo.watching(self.settings.clinic, self.settings.data_dir)

    @cached_property
    def redactor(self) -> Redactor:
        profile = self.clinic.current()
        return Redactor(keep=[profile.phone, profile.name])  # the clinic's own name and number are not personal

    @cached_property
    def conversations(self) -> ConversationStore:
        given = self._conversations
        if isinstance(given, ConversationStore):
            return given
        return ConversationStore.open(given or self.settings.conversations_path, redactor=self.redactor)

    @cached_property
    def metrics(self) -> Metrics:
        metrics = self._metrics or Metrics()
        metrics.follow_revision(self.kb.revision)
        return metrics

    @cached_property
    def assistant(self) -> Assistant:
        settings, embeddings = self.settings, self.embeddings
        kb, clinic = self.kb, self.clinic
        replies = Replies(clinic.current())
        safety = SafetyDetector(embeddings)
        assistant = Assistant(
            guard=Guard(safety, max_chars=settings.max_message_chars, intents=IntentClassifier(safety.vectors)),
            clinic=clinic,
            answerability=Answerability.load(),
            retriever=build_retriever(settings, kb),
            engine=build_engine(settings, embeddings, self._llm, replies),
            replies=replies,
            conversations=self.conversations,
            redactor=self.redactor,
            limits=Limits.from_settings(settings) if self.rate_limit else None,
            metrics=self.metrics,
            no_match_threshold=settings.no_match_threshold,
        )
        assistant.conversations.purge(settings.retention_days)
        return assistant

    @cached_property
    def staff_auth(self) -> StaffAuth:
        """The console's login check; raises ``StaffAuthError`` (saying why) when no usable login is configured."""
        from chatbot.staff.auth import StaffAuth

        return self._auth or StaffAuth.from_settings(self.settings)

    @cached_property
    def insights(self) -> PatientInsights:
        """What patients ask, for the staff console (read-only over the conversation store)."""
        from chatbot.staff.insights import PatientInsights

        return PatientInsights(self.conversations, self.embeddings)


def build_application(settings: Settings, **overrides: Unpack[Overrides]) -> Application:
    """The application for ``settings``; see :class:`Application` for the overrides."""
    return Application(settings, **overrides)


def build_assistant(
    settings: Settings,
    *,
    llm: BaseChatModel | None = None,
    embeddings: Embeddings | None = None,
    store: VectorStore | None = None,
    kb: KnowledgeBase | None = None,
    rate_limit: bool = True,
    metrics: Metrics | None = None,
) -> Assistant:
    """The application's assistant alone (for edges and tests that need nothing else)."""
    return build_application(settings, llm=llm, embeddings=embeddings, store=store, kb=kb, rate_limit=rate_limit,
                             metrics=metrics).assistant
