"""Choosing the decline threshold and the gold sets' weight: sturdy against one-question noise."""

from __future__ import annotations

import numpy as np

from retrieval.answer.calibration import (
    THRESHOLDS,
    Observation,
    at_recall,
    declined_by_kind,
    fit,
    held_out_scores,
    relevance_floor,
    smoothed,
)
from retrieval.answer.decline import DECLINE_FEATURES
from retrieval.answer.fit_reader import gold_rows, lightest_weight
from retrieval.answer.gold_cases import GoldCase
from retrieval.evaluation import GoldQuestion


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


def test_the_share_declined_is_told_apart_for_plausible_and_off_topic_questions() -> None:
    vector = (0.0,) * len(DECLINE_FEATURES)
    plausible = [Observation(vector, False, False, kind="unanswerable") for _ in range(4)]
    off_topic = [Observation(vector, False, False, kind="off-topic") for _ in range(2)]
    answerable = Observation(vector, True, True, kind="factual")
    decisions = [True, False, False, False, True, True, True]
    shares = declined_by_kind([*plausible, *off_topic, answerable], decisions)
    assert shares == {"off-topic": 1.0, "unanswerable": 0.25}


def _case(qid: str, qtype: str, answerable: bool) -> GoldCase:
    q = GoldQuestion(qid, qtype, f"{qid}?", answerable, (), (), None, None, None)
    x = np.zeros((2, 3))
    y = np.array([int(answerable), 0])
    return GoldCase(q, [], [], x, y)


def test_the_reader_learns_from_on_topic_questions_only() -> None:
    """An off-topic question teaches the decline rule, not the sentence ranker; a
    plausible unanswerable one still shows the reader sentences that do not answer."""
    cases = [_case("f1", "factual", True), _case("u1", "unanswerable", False)]
    rows = gold_rows([*cases, _case("o1", "off-topic", False)])
    assert [r.y.tolist() for r in rows] == [[1, 0], [0, 0]]


def test_precision_at_recall_is_the_best_threshold_reaching_that_recall() -> None:
    # Four unanswerable and four answerable questions, their scores interleaved at the top.
    unanswerable = [observation(0.0, False) for _ in range(4)]
    answerable = [observation(0.0, True) for _ in range(4)]
    scores = [0.1, 0.2, 0.3, 0.7, 0.4, 0.5, 0.6, 0.8]  # unanswerable first
    figures = at_recall([*unanswerable, *answerable], scores, recall=0.75)
    # Declining below 0.35 catches three of four (recall 0.75) with no answerable one.
    assert figures["abstention_recall"] == 0.75
    assert figures["abstention_precision"] == 1.0
    figures = at_recall([*unanswerable, *answerable], scores, recall=1.0)
    # All four only below 0.75: three answerable questions are declined with them.
    assert figures["abstention_recall"] == 1.0
    assert figures["abstention_precision"] == round(4 / 7, 4)


def test_held_out_scores_decline_where_the_held_out_decisions_do() -> None:
    answer = [observation(0.6 + 0.01 * i, True) for i in range(30)]
    decline = [observation(0.1 + 0.01 * i, False) for i in range(30)]
    observations = [o for pair in zip(answer, decline, strict=True) for o in pair]
    scores = held_out_scores(observations)
    figures = at_recall(observations, scores, recall=1.0)
    assert figures["abstention_precision"] == 1.0
    assert figures["accuracy"] == 1.0
