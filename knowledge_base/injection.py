"""Spot text that reads like instructions to an AI, so it is flagged and never quoted."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rx, re.I))
    for name, rx in [
        ("ignore instructions",
         r"\b(ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}\b(previous|prior|above|earlier|all|any|your|the|these|those)\b[^.?!]{0,20}\b(instructions?|prompts?|rules|directions|guidelines|guardrails|context)\b"),
        ("system prompt", r"\b(system|developer|hidden|initial)\s+(prompt|message|instructions?)\b"),
        ("role-play order",
         r"\b(you are now|from now on,? you|act as (an?|the|my)|pretend (to be|you are|you're)|role-?play as|roleplay as|you must now|switch to .{0,20}mode)\b"),
        ("reveal order", r"\b(reveal|print|show|repeat|output|leak)\b[^.?!]{0,30}\b(your|the)\s+(instructions|prompt|rules|configuration)\b"),
        ("jailbreak", r"\b(jailbreak|developer mode|do anything now|DAN mode)\b"),
        ("chat markup", r"(<\|im_start\|>|<\|im_end\|>|\[/?INST\]|###\s*(instruction|system)\b|^\s*(system|assistant)\s*:)"),
        ("AI address", r"\b(AI|assistant|chatbot|language model|LLM)s?\b[^.?!]{0,30}\b(must|should|shall|will)\s+(always|never|now|only)\b"),
    ]
]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Flag:
    reason: str
    passage: str


def find_instruction_like(text: str) -> list[Flag]:
    """Every sentence of ``text`` that reads like an order to an AI, with the reason."""
    flags: list[Flag] = []
    for sentence in _SENTENCE_SPLIT.split(text):
        for reason, pattern in _PATTERNS:
            if pattern.search(sentence):
                flags.append(Flag(reason=reason, passage=sentence.strip()))
                break
    return flags
