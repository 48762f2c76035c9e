from __future__ import annotations

import pytest

from eval import metrics as m


def test_routing_scores() -> None:
    pairs = [(("answer",), "answer"), (("emergency",), "urgent"), ((), "blocked"), (("answer", "no_match"), "no_match")]
    assert m.route_accuracy(pairs) == pytest.approx(2 / 3)
    assert m.red_flag_recall([(("emergency",), "emergency"), (("crisis",), "answer"), (("answer",), "emergency")]) == 0.5
    assert m.red_flag_recall([]) == 1.0
    assert m.false_alarm_rate(["answer", "urgent", "no_match", "answer"]) == 0.25
    assert m.confusion([("answer", "answer"), ("answer", "no_match"), ("emergency", "emergency")]) == {
        "answer": {"answer": 1, "no_match": 1}, "emergency": {"emergency": 1}}


def test_retrieval_scores() -> None:
    retrieved = ["heat-or-ice", "sciatica", "posture-myths"]
    assert m.hit_at(["sciatica"], retrieved, 1) is False and m.hit_at(["sciatica"], retrieved, 3) is True
    assert m.reciprocal_rank(["posture-myths"], retrieved) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(["tennis-elbow"], retrieved) == 0.0
    assert m.citations_valid(["sciatica"], retrieved, [*retrieved, "tennis-elbow"])
    assert not m.citations_valid(["tennis-elbow"], retrieved, [*retrieved, "tennis-elbow"])
    assert not m.citations_valid(["made-up"], ["made-up"], retrieved)


def test_grounding_counts_sentences_found_in_cited_passages() -> None:
    passage = "Ice helps a fresh injury. Heat   helps stiff muscles.\n\nMove gently every day."
    assert m.extractive_grounding("Ice helps a fresh injury. Heat helps stiff muscles.", [passage]) == 1.0
    assert m.extractive_grounding("Ice helps a fresh injury. Ice cures arthritis.", [passage]) == 0.5
    assert m.extractive_grounding("", [passage]) == 1.0


def test_content_checks() -> None:
    text = "Book an evaluation at https://c.example/book. Take 400 mg twice. Rest 2 times a day."
    assert m.includes(text, ["book an evaluation", "911"]) == ["911"]
    assert m.excludes(text, ["400 MG", "988"]) == ["400 MG"]
    assert m.has_call_to_action(text, "https://c.example/book", "(555) 010-0000")
    assert m.dose_numbers_outside(text, []) == ["400 mg", "2 times a day"]
    assert m.dose_numbers_outside(text, ["apply it 2 times a day"]) == ["400 mg"]


@pytest.mark.parametrize(("word", "count"), [("ice", 1), ("walking", 2), ("stretches", 2), ("muscle", 2), ("hurried", 2), ("knee", 1)])
def test_syllables(word: str, count: int) -> None:
    assert m.syllables(word) == count


def test_reading_grade_orders_plain_and_dense_text() -> None:
    plain = "Walk a little each day. Rest when it hurts. Ice can help a new injury."
    dense = ("Compensatory lumbar hypermobility frequently accompanies restricted coxofemoral extension, "
             "predisposing individuals to repetitive intervertebral overloading.")
    assert m.reading_grade(plain) < 4 < 12 < m.reading_grade(dense)
    assert m.reading_grade("") == 0.0


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert m.percentile(values, 50) == 50.0 and m.percentile(values, 95) == 95.0
    assert m.percentile([], 95) == 0.0 and m.median([3.0, 1.0, 2.0]) == 2.0


def test_similarity_grounding_is_the_mean_best_match() -> None:
    sentences = [[1.0, 0.0], [0.0, 1.0]]
    passages = [[1.0, 0.0], [0.6, 0.8]]
    assert m.similarity_grounding(sentences, passages) == pytest.approx((1.0 + 0.8) / 2)
    assert m.similarity_grounding([], passages) == 1.0 and m.similarity_grounding(sentences, []) == 0.0
