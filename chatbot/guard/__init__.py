"""Guardrails that run before any answer: safety routing first."""
