"""One place builds the assistant from settings; tests pass their own LLM, embeddings or store."""

from __future__ import annotations

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
from chatbot.ratelimit import Limits
from chatbot.replies import Replies
from chatbot.retrieval import Retriever
from chatbot.settings import Settings
from chatbot.storage.conversations import ConversationStore
from chatbot.synonyms import Synonyms
from knowledge_base.factory import build_embeddings, build_knowledge_base
from knowledge_base.service import KnowledgeBase


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
    return Retriever(kb, k=settings.retrieval_k, synonyms=Synonyms.load())


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
    embeddings = embeddings or build_embeddings(settings)
    kb = kb or build_knowledge_base(settings, embeddings=embeddings, store=store)
    # The clinic profile follows clinic.yaml: a staff edit reaches the running chat (see ClinicInfo.current).
    clinic_info = ClinicInfo.watching(settings.clinic, settings.data_dir)
    clinic = clinic_info.current()
    replies = Replies(clinic)
    # The clinic's own name and number in a reply are not personal details.
    redactor = Redactor(keep=[clinic.phone, clinic.name])
    safety = SafetyDetector(embeddings)
    assistant = Assistant(
        guard=Guard(safety, max_chars=settings.max_message_chars, intents=IntentClassifier(safety.vectors)),
        clinic=clinic_info,
        answerability=Answerability.load(),
        retriever=build_retriever(settings, kb),
        engine=build_engine(settings, embeddings, llm, replies),
        replies=replies,
        conversations=ConversationStore.open(settings.conversations_path, redactor=redactor),
        redactor=redactor,
        limits=Limits.from_settings(settings) if rate_limit else None,
        metrics=metrics,
        no_match_threshold=settings.no_match_threshold,
    )
    assistant.conversations.purge(settings.retention_days)
    return assistant
