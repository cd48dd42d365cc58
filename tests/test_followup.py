"""Offline follow-up rewriting: "And the Netherlands?" after a question about Japan."""

import pytest

from retrieval.answer.followup import condense_offline, is_followup


@pytest.mark.parametrize(
    ("followup", "previous", "expected"),
    [
        (
            "And the Netherlands?",
            "What has Japan agreed to?",
            "What has the Netherlands agreed to?",
        ),
        (
            "What about the Netherlands?",
            "Why is Japan hesitant?",
            "Why is the Netherlands hesitant?",
        ),
        (
            "and Rutte?",
            "What did Kishida say about export controls?",
            "What did Rutte say about export controls?",
        ),
    ],
)
def test_a_followup_naming_another_entity_swaps_it_into_the_previous_question(
    followup: str, previous: str, expected: str
) -> None:
    assert condense_offline(followup, [previous]) == expected


def test_a_followup_with_only_a_pronoun_is_joined_to_the_previous_question() -> None:
    rewritten = condense_offline("When did it start?", ["What are the US export controls?"])
    assert rewritten.startswith("What are the US export controls")
    assert "When did it start?" in rewritten


def test_a_standalone_question_is_left_alone() -> None:
    question = "Who is Kurt Campbell?"
    assert condense_offline(question, ["What has Japan agreed to?"]) == question


def test_without_history_nothing_changes() -> None:
    assert condense_offline("And the Netherlands?", []) == "And the Netherlands?"


def test_long_questions_are_not_followups() -> None:
    assert not is_followup(
        "and what did the Dutch trade minister say about consulting European and Asian allies"
    )
