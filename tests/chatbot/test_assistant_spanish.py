"""Spanish questions answered from the articles staff marked ``lang: es``, through the real assistant."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from chatbot.assistant import Assistant
from chatbot.build import build_assistant
from chatbot.reply import Route
from chatbot.settings import Settings
from knowledge_base.embeddings import MiniLMEmbeddings
from knowledge_base.factory import build_knowledge_base
from tests.conftest import SAMPLE_ARTICLES, markdown

HIELO = """¿Hielo o calor? Es una de las preguntas que más escuchamos.

El hielo suele ayudar más con una lesión nueva o una molestia con hinchazón, por ejemplo si se torció el tobillo.
Envuelva la bolsa de hielo en una toalla fina y nunca ponga el hielo directamente sobre la piel.
Aplique el hielo durante unos 15 a 20 minutos cada vez y deje que la piel se caliente antes de repetir.

El calor suele ayudar más con la rigidez y los músculos tensos y doloridos.
Use una almohadilla térmica tibia, no caliente, durante unos 15 a 20 minutos.
"""


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory, embeddings: MiniLMEmbeddings) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("bilingual")
    shutil.copytree(SAMPLE_ARTICLES, root / "articles")
    (root / "articles" / "hielo-o-calor.md").write_text(
        markdown("hielo-o-calor", "¿Hielo o calor? Cuál usar", HIELO, lang="es"), encoding="utf-8")
    settings = Settings(data_dir=root / "data")
    assert build_knowledge_base(settings, embeddings=embeddings).sync(root / "articles", by="test").ok
    yield build_assistant(settings, embeddings=embeddings, rate_limit=False)


def test_a_spanish_question_is_answered_from_the_spanish_article_in_spanish(bilingual: Assistant) -> None:
    reply = bilingual.reply("¿cuánto tiempo dejo el hielo en el tobillo torcido?")
    assert reply.route is Route.ANSWER, reply.detail
    assert [s.id for s in reply.sources] == ["hielo-o-calor"]
    assert reply.answer.startswith("Sobre el tiempo, nuestro artículo «") and "20 minutos" in reply.body
    assert "reserve una evaluación" in reply.answer


def test_an_english_question_still_gets_the_english_article(bilingual: Assistant) -> None:
    reply = bilingual.reply("should I use heat or ice on a sprained ankle?")
    assert reply.route is Route.ANSWER and reply.sources[0].id == "heat-or-ice"


def test_a_spanish_question_no_spanish_article_covers_gets_the_spanish_no_article_reply(
        bilingual: Assistant) -> None:
    reply = bilingual.reply("¿qué ejercicios sirven para el túnel carpiano en la muñeca?")
    assert reply.route is Route.NO_MATCH and "artículo en español" in reply.answer and "inglés" not in reply.answer


def test_without_spanish_articles_a_spanish_question_says_the_articles_are_in_english(
        sample_assistant: Assistant) -> None:
    reply = sample_assistant.reply("¿cuánto tiempo dejo el hielo en el tobillo torcido?")
    assert reply.route is Route.NO_MATCH and "inglés" in reply.answer


def test_each_reply_says_the_language_it_is_written_in(sample_assistant: Assistant) -> None:
    """The chat page words its own buttons (call, book, sources) in the reply's language."""
    spanish = ["¿cuánto tiempo dejo el hielo en el tobillo torcido?", "hola, buenos días",
               "de repente no siento las piernas y no puedo controlar la vejiga"]
    assert [sample_assistant.reply(m).lang for m in spanish] == ["es", "es", "es"]
    english = ["how long should I ice a sprained ankle?", "hi there", "bonjour, j'ai mal au dos"]
    assert [sample_assistant.reply(m).lang for m in english] == ["en", "en", "en"]
