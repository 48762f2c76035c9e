"""English, Spanish or another language, including the one- and two-word messages chat is full of."""

from __future__ import annotations

import pytest

from chatbot.guard.language import detect


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("hi", "en"), ("thx", "en"), ("ok", "en"), ("my knee hurts", "en"), ("help", "en"), ("👍", "en"),
        ("bak pain agian", "en"), ("is heat or ice better for a sore back after gardening?", "en"),
        ("Hola", "es"), ("gracias!", "es"), ("me duele la espalda", "es"),
        ("¿Aceptan seguro médico?", "es"), ("no puedo orinar y tengo la espalda adormecida", "es"),
        ("J'ai mal au dos depuis trois semaines, que dois-je faire ?", "other"),
        ("Tôi bị đau lưng, tôi nên làm gì?", "other"),
        ("我的膝盖很痛，怎么办？", "other"),
        ("У меня болит спина, что делать?", "other"),
        ("Estou com dor no joelho há duas semanas, o que posso fazer?", "other"),
    ],
)
def test_detect(message: str, language: str) -> None:
    assert detect(message) == language
