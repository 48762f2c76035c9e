"""Fakes for the one outside model we don't run in tests: the chat LLM."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field


class QuotingModel(BaseChatModel):
    """Answers with the first sentence of each passage it was given, cited: a well-behaved model."""

    prompts: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "quoting-fake"

    def _reply(self, messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        self.prompts.append("\n".join(str(m.content) for m in messages))
        found = re.findall(r'<passage id="(\d+)"[^>]*>(.*?)</passage>', prompt, re.S)
        return " ".join(f"{html.unescape(text).split('. ')[0].rstrip('.')} [{n}]." for n, text in found[:2])

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for word in re.split(r"(\s+)", self._reply(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))
