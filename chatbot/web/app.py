"""The patient page. Until the chat lands it shows the clinic, the disclaimer and the articles."""

from __future__ import annotations

import html

import gradio as gr

from chatbot.settings import Settings
from knowledge_base.service import KnowledgeBase


def _md_escape(text: str) -> str:
    return html.escape(text).replace("[", "&#91;").replace("]", "&#93;").replace("*", "&#42;")


def build_app(settings: Settings, kb: KnowledgeBase) -> gr.Blocks:
    clinic = settings.clinic

    def article_list() -> str:
        records = kb.articles()
        if not records:
            return "No articles yet."
        return "\n".join(
            f"- [{_md_escape(r.title)}]({html.escape(r.url, quote=True)})" if r.url else f"- {_md_escape(r.title)}"
            for r in records
        )

    with gr.Blocks(title=f"{clinic.name} Assistant") as app:
        gr.Markdown(f"# {_md_escape(clinic.name)} Assistant")
        gr.Markdown(
            "Our chat assistant is coming soon. It shares general education from our articles, "
            f"not medical advice. **In an emergency, call {_md_escape(clinic.emergency_number)}.**"
        )
        gr.Markdown(
            f"Book an evaluation: [{_md_escape(clinic.booking_url)}]({html.escape(clinic.booking_url, quote=True)})"
            f" or call {_md_escape(clinic.phone)}."
        )
        gr.Markdown("## Our articles")
        listing = gr.Markdown()
        app.load(article_list, outputs=listing, api_name="articles")
    return app
