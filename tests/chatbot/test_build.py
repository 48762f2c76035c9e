"""The one builder: each part is built from settings on first use, and a part handed in is the one used."""

from __future__ import annotations

from pathlib import Path

from chatbot.build import build_application
from chatbot.clinic import ClinicInfo, update_profile
from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.service import KnowledgeBase


def test_taking_the_knowledge_base_builds_nothing_else(settings: Settings, embeddings: MiniLMEmbeddings) -> None:
    application = build_application(settings, embeddings=embeddings)
    assert application.kb.articles() == []
    assert application.kb.revision() == 0
    # `uplifted kb list` opens no conversation store (nor purges one) and loads no classifier.
    assert not settings.conversations_path.exists()
    assert "assistant" not in vars(application) and "conversations" not in vars(application)


def test_parts_handed_in_are_the_parts_used(settings: Settings, embeddings: MiniLMEmbeddings, kb: KnowledgeBase,
                                            tmp_path: Path) -> None:
    update_profile(settings.clinic, settings.data_dir, {"phone": "(555) 010-9999"})
    elsewhere = tmp_path / "scratch" / "conversations.sqlite"
    fixed = ClinicInfo(settings.clinic)
    application = build_application(settings, embeddings=embeddings, kb=kb, conversations=elsewhere, clinic=fixed,
                                     rate_limit=False)
    assistant = application.assistant
    assert assistant.retriever.kb is kb and application.kb is kb
    assert assistant.conversations is application.conversations
    assert assistant.clinic is fixed and assistant.clinic.current().phone == settings.clinic.phone
    assert assistant.metrics is application.metrics
    assistant.reply("hello")
    assert elsewhere.exists() and not settings.conversations_path.exists()
    assistant.conversations.close()


def test_by_default_the_clinic_profile_follows_clinic_yaml(settings: Settings, embeddings: MiniLMEmbeddings,
                                                           kb: KnowledgeBase) -> None:
    update_profile(settings.clinic, settings.data_dir, {"phone": "(555) 010-9999"})
    application = build_application(settings, embeddings=embeddings, kb=kb)
    assert application.assistant.clinic.current().phone == "(555) 010-9999"
    application.conversations.close()


def test_the_metrics_follow_the_knowledge_base_revision(settings: Settings, embeddings: MiniLMEmbeddings,
                                                        kb: KnowledgeBase) -> None:
    metrics = build_application(settings, embeddings=embeddings, kb=kb).metrics
    assert "uplifted_knowledge_base_revision 0.0" in metrics.render()[0].decode()
    kb.audit("edit", "clinic:profile", by="staff", detail="phone")
    assert "uplifted_knowledge_base_revision 1.0" in metrics.render()[0].decode()
