"""Choosing the decline threshold and the gold sets' weight: sturdy against one-question noise."""

from __future__ import annotations

from retrieval.answer.calibration import (
    THRESHOLDS,
    Observation,
    fit,
    relevance_floor,
    smoothed,
)
from retrieval.answer.decline import DECLINE_FEATURES
from retrieval.answer.fit_reader import lightest_weight


def test_smoothing_averages_each_score_with_its_neighbours() -> None:
    assert smoothed([0.0, 0.0, 3.0, 0.0, 0.0], 1) == [0.0, 1.0, 1.0, 1.0, 0.0]


def test_smoothing_keeps_a_flat_curve_flat() -> None:
    assert smoothed([0.5] * 7, 3) == [0.5] * 7


def observation(
    confidence: float, answerable: bool, correct: bool = True, max_cos: float = 0.5
) -> Observation:
    vector = [0.0] * len(DECLINE_FEATURES)
    vector[DECLINE_FEATURES.index("confidence")] = confidence
    vector[DECLINE_FEATURES.index("max_cos")] = max_cos
    return Observation(tuple(vector), answerable, correct)


def test_the_threshold_sits_between_what_to_answer_and_what_to_decline() -> None:
    answer = [observation(0.6 + 0.01 * i, True) for i in range(30)]
    decline = [observation(0.1 + 0.01 * i, False) for i in range(30)]
    rule, score = fit(answer + decline)
    assert score == 1.0
    assert all(not rule.declines(o.vector) for o in answer)
    assert all(rule.declines(o.vector) for o in decline)
    assert rule.threshold in THRESHOLDS


def test_the_lightest_gold_weight_within_one_question_of_the_best_wins() -> None:
    cv = {1.0: {"mean": 0.640}, 10.0: {"mean": 0.659}, 300.0: {"mean": 0.662}}
    assert lightest_weight(cv, tolerance=0.004) == 10.0


def test_a_gain_larger_than_one_question_picks_the_heavier_weight() -> None:
    cv = {1.0: {"mean": 0.640}, 10.0: {"mean": 0.650}, 300.0: {"mean": 0.662}}
    assert lightest_weight(cv, tolerance=0.004) == 300.0


def test_the_relevance_floor_lies_midway_between_off_topic_and_the_least_on_topic() -> None:
    off_topic = [observation(0.5, False, max_cos=c) for c in (0.07, 0.09)]
    # Answered wrongly, yet answerable: the floor must not decline it.
    missed = observation(0.5, True, correct=False, max_cos=0.19)
    on_topic = [observation(0.5, True, max_cos=c) for c in (0.29, 0.5)]
    near_miss = observation(0.5, False, max_cos=0.4)  # plausible, on topic: not the floor's job
    assert relevance_floor([*off_topic, missed, *on_topic, near_miss]) == 0.14


def test_without_off_topic_questions_the_floor_is_the_least_on_topic_cosine() -> None:
    assert relevance_floor([observation(0.5, True, max_cos=0.3)]) == 0.3
