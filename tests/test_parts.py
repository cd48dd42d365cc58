"""Questions that ask two things are read as two questions."""

from __future__ import annotations

import pytest

from retrieval.answer.parts import question_parts


def test_a_second_question_after_and_is_its_own_part() -> None:
    assert question_parts("When were the rules issued, and which territory did they reach?") == [
        "When were the rules issued?",
        "Which territory did the rules reach?",
    ]


def test_the_second_part_is_read_as_a_follow_up_to_the_first() -> None:
    parts = question_parts(
        "What was Biden hoping to get from Kishida at their Friday meeting, and what did he get?"
    )
    assert parts == [
        "What was Biden hoping to get from Kishida at their Friday meeting?",
        "What did Biden get?",
    ]


def test_a_bare_time_clause_asks_the_first_question_again_of_that_time() -> None:
    parts = question_parts(
        "What did Japan's trade minister say about China's gallium controls when they were "
        "announced, and when they took effect?"
    )
    assert parts == [
        "What did Japan's trade minister say about China's gallium controls when they were "
        "announced?",
        "What did Japan's trade minister say about China's gallium controls when they took effect?",
    ]


def test_a_second_when_question_is_not_a_time_clause() -> None:
    parts = question_parts("When did the Dutch announce rules, and when did they take effect?")
    assert parts[1].startswith("When did")


@pytest.mark.parametrize(
    "question",
    [
        "Has Japan agreed to match the US controls?",
        "How did China react in March 2023 and again in June 2023?",
        "Have Japan and the Netherlands agreed, or not?",
        "Did Japan and the Netherlands agree?",
    ],
)
def test_a_question_asking_one_thing_has_no_parts(question: str) -> None:
    assert question_parts(question) == []
