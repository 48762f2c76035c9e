"""A conversation through the real assistant: safety on the whole conversation, at any length, in any
disguise and in Spanish; small talk; clinic facts only from the clinic profile; other languages."""

from __future__ import annotations

import pytest

from chatbot.assistant import Assistant
from chatbot.reply import Route


def test_a_red_flag_earlier_in_the_conversation_keeps_the_safety_reply(sample_assistant: Assistant) -> None:
    first = sample_assistant.reply("my lower back is killing me and since last night I can't control my bladder")
    assert first.route is Route.EMERGENCY
    later = sample_assistant.reply("ok, but which stretches should I do for it?", first.session)
    assert later.route is Route.EMERGENCY and "911" in later.answer and "book" not in later.answer.lower()


def test_an_ordinary_conversation_is_not_escalated_by_its_history(sample_assistant: Assistant) -> None:
    first = sample_assistant.reply("Is heat or ice better for a sore back after gardening?")
    assert first.route is Route.ANSWER
    assert sample_assistant.reply("and how long should I keep it on?", first.session).route is Route.ANSWER


def test_a_red_flag_in_a_message_over_the_length_limit_is_not_lost(sample_assistant: Assistant) -> None:
    story = "Sorry this is long, I want to explain everything about my week and my garden and my dog. " * 30
    reply = sample_assistant.reply(story + "Also since Tuesday I have chest pressure going into my left arm. " + story)
    assert len(story) * 2 > 2000 and reply.route is Route.EMERGENCY
    long_but_harmless = sample_assistant.reply(" ".join([LONG_KNEE_STORY] * 3))
    assert long_but_harmless.route is Route.BLOCKED and "2000" in long_but_harmless.answer


LONG_KNEE_STORY = (
    "My knees have been creaky for years, like my mother's were. I'm 61 and I still work three days a week at the "
    "library, shelving books, which means a lot of squatting and standing up again. Last spring I started walking "
    "with my neighbour every morning, about two miles around the park, and I really enjoy it. We also put in a "
    "vegetable garden this year, tomatoes, beans and herbs, and the beds are low, so there is a lot of kneeling. "
    "My right knee is stiff when I first get up and after I have been kneeling, but it loosens up once I get going. "
    "It does not swell much and it has never given way. My doctor told me a while ago that it is probably "
    "arthritis. I would like to keep walking and gardening for many years. Is walking good for knee arthritis, "
    "or am I wearing it out faster?"
)


def test_text_between_angle_brackets_is_read(sample_assistant: Assistant) -> None:
    reply = sample_assistant.reply("my knee pain is <3 most days but honestly I want to kill myself >8/10 bad nights")
    assert reply.route is Route.CRISIS and "988" in reply.answer


def test_crisis_outranks_a_dose_question(sample_assistant: Assistant) -> None:
    reply = sample_assistant.reply("how many of my gabapentin would it take so I don't wake up")
    assert reply.route is Route.CRISIS


def test_spanish_safety_replies_are_in_spanish(sample_assistant: Assistant) -> None:
    emergency = sample_assistant.reply("me duele mucho la espalda y desde ayer no puedo orinar")
    assert emergency.route is Route.EMERGENCY and "911" in emergency.answer and "Llame" in emergency.answer
    crisis = sample_assistant.reply("ya no quiero vivir, este dolor no me deja")
    assert crisis.route is Route.CRISIS and "marque 2" in crisis.answer and "AYUDA" in crisis.answer


def test_an_ordinary_spanish_question_says_the_articles_are_in_english(sample_assistant: Assistant) -> None:
    reply = sample_assistant.reply("¿Es mejor usar hielo o calor para el dolor de rodilla?")
    assert reply.route is Route.NO_MATCH and "inglés" in reply.answer and "(555) 010-0000" in reply.answer


def test_another_language_gets_a_short_english_reply_with_the_phone(sample_assistant: Assistant) -> None:
    reply = sample_assistant.reply("J'ai mal au genou quand je monte les escaliers, que dois-je faire ?")
    assert reply.route is Route.OTHER_LANGUAGE
    assert "English and Spanish" in reply.answer and "(555) 010-0000" in reply.answer
    russian = sample_assistant.reply("У меня болит грудь и немеет левая рука")  # chest pain, left arm numb
    assert russian.route in {Route.OTHER_LANGUAGE, Route.EMERGENCY}


@pytest.mark.parametrize(("message", "phrase"), [("hi!", "What would you like to know?"),
                                                 ("thanks, that helps", "You're welcome"),
                                                 ("are you a real person?", "not a person"),
                                                 ("hola", "¿Qué le gustaría saber?")])
def test_small_talk_gets_a_warm_line_that_says_what_the_assistant_does(
        sample_assistant: Assistant, message: str, phrase: str) -> None:
    reply = sample_assistant.reply(message)
    assert reply.route is Route.SMALL_TALK and phrase in reply.answer


def test_clinic_questions_are_answered_from_the_profile_or_send_to_the_phone(sample_assistant: Assistant) -> None:
    hours = sample_assistant.reply("what are your hours?")
    assert hours.route is Route.CLINIC_INFO and hours.answer == "Monday to Friday, 7 am to 7 pm."
    parking = sample_assistant.reply("is there parking at the clinic?")
    assert parking.route is Route.CLINIC_INFO and "don't have that information" in parking.answer
    assert "(555) 010-0000" in parking.answer
    booking = sample_assistant.reply("how do I book an appointment?")
    assert booking.route is Route.CLINIC_INFO and "https://uplifted.example/book" in booking.answer


def test_a_vague_message_gets_a_question_back_with_choices_from_the_articles(sample_assistant: Assistant) -> None:
    reply = sample_assistant.reply("my knee hurts")
    assert reply.route is Route.CLARIFY and 2 <= len(reply.choices) <= 4
    titles = {a.title for a in sample_assistant.retriever.kb.articles()}
    assert set(reply.choices) <= titles and any("Knee" in c for c in reply.choices)
    assert reply.to_json()["choices"] == list(reply.choices)
    assert "choices" not in sample_assistant.reply("why does my heel hurt in the morning?").to_json()


def test_personal_details_do_not_change_the_answer(sample_assistant: Assistant) -> None:
    plain = sample_assistant.reply("my knee hurts on stairs")
    assert plain.route is Route.ANSWER and plain.sources[0].id == "runners-knee-stairs"
    # Names and numbers are no words of the question: counted as words no article uses, they made it "no article".
    told = sample_assistant.reply("I'm Jane Doe, my SSN is 123-45-6789, my knee hurts on stairs")
    assert told.route is Route.ANSWER and told.sources[0].id == "runners-knee-stairs"


@pytest.mark.parametrize(("message", "article"), [("sciatica", "sciatica"), ("heel pain", "plantar-fasciitis")])
def test_a_vague_message_only_one_article_fits_is_answered_from_it(sample_assistant: Assistant, message: str,
                                                                   article: str) -> None:
    reply = sample_assistant.reply(message)
    assert reply.route is Route.ANSWER and reply.sources[0].id == article
