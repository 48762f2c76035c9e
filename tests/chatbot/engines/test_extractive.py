"""The extractive engine's excerpts start on a sentence that stands alone and never repeat what the
conversation already showed (real MiniLM embeddings, passages from the sample articles)."""

from __future__ import annotations

import pytest

from chatbot.engines.extractive import ExtractiveEngine, stands_alone, usable
from knowledge_base.article import Passage
from knowledge_base.embeddings import MiniLMEmbeddings

STAIRS = ("Why do stairs make my knee hurt? Going up and down stairs puts more pressure on the joint behind your "
          "kneecap than walking on flat ground. Going down is often worse, because your thigh muscles have to "
          "control your body as you lower. Squatting, kneeling, and getting up from a low chair can hurt for the "
          "same reason. Many people also ache after sitting with bent knees for a long time, like at the movies or "
          "on a long drive.")
HEEL = ("Why does heel pain feel worse in the morning? While you sleep, your foot rests in a relaxed position and the "
        "plantar fascia tightens up. Your first steps stretch the tissue quickly, which is why the heel pain can be "
        "sharp. The pain often eases as you walk around and the tissue warms up.\n\nSeveral simple steps help many "
        "people with plantar fasciitis. Wear supportive shoes with some cushioning, and try not to walk barefoot on "
        "hard floors for now. Gentle calf and foot stretches before getting out of bed can make those first steps "
        "easier.")


def passage(article: str, text: str) -> Passage:
    return Passage(uid=article, article_id=article, title=article.title(), url=None, text=text, position=0,
                   score=0.6, flagged=False)


@pytest.mark.parametrize(("sentence", "alone"), [
    ("Squatting, kneeling, and getting up from a low chair can hurt for the same reason.", False),
    ("This is why stretching helps.", False),
    ("But rest alone rarely fixes it.", False),
    ("Going up and down stairs puts more pressure on the joint behind your kneecap.", True),
    ("Ice is often most helpful for a new injury with swelling.", True),
])
def test_a_sentence_pointing_back_does_not_stand_alone(sentence: str, alone: bool) -> None:
    assert stands_alone(sentence) is alone


def test_the_excerpt_starts_on_a_sentence_that_stands_alone(embeddings: MiniLMEmbeddings) -> None:
    engine = ExtractiveEngine(embeddings)
    answer = engine.answer("does squatting and kneeling hurt for the same reason as stairs?",
                           [passage("runners-knee", STAIRS)])
    assert answer.sentences and stands_alone(answer.sentences[0]), answer.sentences


def test_a_follow_up_gets_sentences_it_has_not_been_shown(embeddings: MiniLMEmbeddings) -> None:
    engine = ExtractiveEngine(embeddings)
    first = engine.answer("why does my heel hurt in the morning?", [passage("heel", HEEL)])
    shown = ["From our article:\n\n" + first.text]
    again = engine.answer("why does my heel hurt in the morning? and what else?", [passage("heel", HEEL)], shown=shown)
    assert again.sentences and not set(first.sentences) & set(again.sentences), (first.text, again.text)


@pytest.mark.parametrize(("sentence", "quoted"), [
    ('"I have a sharp pain that shoots down the back of my leg.', False),  # half of a two-sentence quotation
    ("\u201cMy knee aches every time I take the stairs at work.", False),
    ('Some people call it "runner\'s knee," and it is common.', True),
    ("Change positions often, since sitting for a long time can stir up symptoms.", True),
])
def test_half_a_quotation_is_never_quoted(sentence: str, quoted: bool) -> None:
    assert usable(sentence) is quoted
