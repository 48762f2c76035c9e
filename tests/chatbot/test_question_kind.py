"""The kind of question decides the answer's lead-in: checked on ordinary patient phrasings, English and Spanish."""

from __future__ import annotations

import pytest

from chatbot.question_kind import question_kind
from chatbot.replies import Replies
from chatbot.settings import ClinicProfile


@pytest.mark.parametrize(("message", "kind"), [
    ("how long should i ice my ankle", "timing"),
    ("When can I drive after a knee replacement?", "timing"),
    ("how often should I do the calf stretch", "amount"),
    ("How many reps of the clamshell?", "amount"),
    ("why does my heel hurt most in the morning", "why"),
    ("What causes tennis elbow?", "why"),
    ("how do i fix my desk setup for neck pain", "how_to"),
    ("what exercises help sciatica", "how_to"),
    ("should i stay in bed with back pain", "should_i"),
    ("Can I run with runner's knee?", "should_i"),
    ("is it ok to walk with plantar fasciitis", "should_i"),
    ("When should I see a doctor about my back?", "when_to_get_checked"),
    ("what is plantar fasciitis", "what_is"),
    ("when should heel pain be checked by a doctor", "when_to_get_checked"),
    ("my knee clicks on stairs", "other"),
    ("¿Cuánto tiempo debo poner hielo?", "timing"),
    ("¿Por qué me duele el talón por la mañana?", "why"),
    ("¿Qué ejercicios ayudan con la ciática?", "how_to"),
    ("¿Es normal tener dolor después de ejercicio?", "should_i"),
])
def test_the_kind_of_question_is_recognised(message: str, kind: str) -> None:
    assert question_kind(message) == kind


def test_the_lead_in_speaks_to_the_question_and_says_more_on_a_follow_up() -> None:
    replies = Replies(ClinicProfile(name="Test Clinic"))
    assert replies.lead_in("how long should I ice?", "Heat or Ice") == 'About timing, our article "Heat or Ice" says:'
    assert replies.lead_in("why does it hurt?", "Heat or Ice", more=True) == 'More from our article "Heat or Ice":'
    assert "«Heat or Ice»" in replies.lead_in("¿por qué duele?", "Heat or Ice", lang="es")
    # A lead-in never promises what the quote doesn't give.
    assert replies.lead_in("how long should I ice?", "Heat or Ice", quote="Ice for 15 to 20 minutes at a time.") \
        == 'About timing, our article "Heat or Ice" says:'
    assert "timing" not in replies.lead_in("how long should I ice?", "Heat or Ice", quote="Ice numbs the area.")
    assert question_kind("when can I drive?", "Most people get back to daily life with less pain.") == "other"
    assert question_kind("when should I see a doctor?", "Heel pain often eases as you walk.") == "other"
    assert question_kind("when should I see a doctor?", "See a doctor soon if your heel is very swollen.") \
        == "when_to_get_checked"
    # The same question always gets the same wording.
    assert replies.lead_in("my knee clicks", "A") == replies.lead_in("my knee clicks", "A")
