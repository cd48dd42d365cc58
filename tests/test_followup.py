"""Offline follow-up rewriting: each follow-up becomes the standalone question it stands for."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.followups import GOLD, TYPES, load_conversations, rewrite_right, score_rewrites
from retrieval.answer.followup import condense_offline, is_followup
from retrieval.engine import Chipbot

JAPAN = "Has Japan agreed to match the US controls?"


def test_a_named_follow_up_replaces_the_subject_of_the_same_kind_not_the_last_name() -> None:
    assert condense_offline("And the Netherlands?", [JAPAN]) == (
        "Has the Netherlands agreed to match the US controls?"
    )


def test_the_follow_ups_preposition_picks_the_role_it_replaces() -> None:
    previous = "Did the US discuss export controls with Japan?"
    assert condense_offline("And with the Netherlands?", [previous]) == (
        "Did the US discuss export controls with the Netherlands?"
    )


def test_a_person_replaces_the_person_holding_the_same_office() -> None:
    # Rutte and Kishida are prime ministers; Biden, the subject, is not.
    assert condense_offline("And Rutte?", ["When did Biden meet Kishida?"]) == (
        "When did Biden meet Rutte?"
    )


def test_a_country_in_an_adjective_slot_is_written_as_its_adjective() -> None:
    assert condense_offline("And Japan?", ["Who is the Dutch trade minister?"]) == (
        "Who is the Japanese trade minister?"
    )


def test_a_company_replaces_a_company() -> None:
    previous = "Does Tokyo Electron rely on China for revenue?"
    assert (
        condense_offline("What about ASML?", [previous]) == "Does ASML rely on China for revenue?"
    )


def test_a_new_date_replaces_the_date_with_its_preposition() -> None:
    previous = "What did Nishimura say about export controls in November 2022?"
    assert condense_offline("And in January 2023?", [previous]) == (
        "What did Nishimura say about export controls in January 2023?"
    )


def test_before_that_moves_the_previous_date_into_the_past() -> None:
    previous = "What did Nishimura say about export controls in January 2023?"
    assert condense_offline("What about before that?", [previous]) == (
        "What did Nishimura say about export controls before January 2023?"
    )


def test_a_date_is_added_to_a_question_that_had_none() -> None:
    previous = "What did Mao Ning say about export controls?"
    assert condense_offline("And in March 2023?", [previous]) == (
        "What did Mao Ning say about export controls in March 2023?"
    )


def test_why_asks_the_previous_question_again_with_why() -> None:
    previous = "Is Japan hesitant to match the US export restrictions?"
    assert condense_offline("Why?", [previous]) == (
        "Why is Japan hesitant to match the US export restrictions?"
    )


def test_why_not_negates_after_the_subject() -> None:
    assert condense_offline("Why not?", [JAPAN]) == (
        "Why has Japan not agreed to match the US controls?"
    )


def test_why_after_a_what_question_points_at_its_answer_with_that() -> None:
    previous = "What is the US trying to stop China from doing?"
    assert condense_offline("why?", [previous]) == (
        "Why is the US trying to stop China from doing that?"
    )


def test_who_said_that_asks_who_said_the_previous_statement() -> None:
    previous = "Did Biden and Kishida have very productive talks?"
    assert condense_offline("Who said that?", [previous]) == (
        "Who said Biden and Kishida had very productive talks?"
    )


def test_he_becomes_the_person_named_before() -> None:
    rewritten = condense_offline(
        "What did he say about Biden's talks with Kishida?", ["Who is Kurt Campbell?"]
    )
    assert rewritten == "What did Kurt Campbell say about Biden's talks with Kishida?"


def test_a_pronoun_may_point_past_the_latest_question() -> None:
    history = ["Who is Yasutoshi Nishimura?", JAPAN]
    assert condense_offline("What did he promise?", history) == (
        "What did Yasutoshi Nishimura promise?"
    )


def test_it_becomes_the_company_named_before() -> None:
    assert condense_offline("Does it rely on China?", ["What does Tokyo Electron make?"]) == (
        "Does Tokyo Electron rely on China?"
    )


def test_they_becomes_a_plural_subject_not_the_country_qualifying_it() -> None:
    history = ["When were the US advanced-computing export rules issued?"]
    assert condense_offline("Which territory were they later extended to?", history) == (
        "Which territory were the US advanced-computing export rules later extended to?"
    )


def test_they_still_becomes_the_country_that_is_the_subject() -> None:
    history = ["Has the Netherlands not agreed to match the US controls?"]
    assert condense_offline("Why did they refuse?", history) == ("Why did the Netherlands refuse?")


def test_its_becomes_a_possessive() -> None:
    assert condense_offline("What did its trade minister promise?", [JAPAN]) == (
        "What did Japan's trade minister promise?"
    )


def test_earlier_follow_ups_in_the_history_are_resolved_first() -> None:
    # A Slack thread keeps the questions as typed, follow-ups included.
    history = [JAPAN, "And the Netherlands?"]
    assert condense_offline("Why not?", history) == (
        "Why has the Netherlands not agreed to match the US controls?"
    )


@pytest.mark.parametrize(
    "question",
    [
        "Who is Kurt Campbell?",
        "Does Tokyo Electron rely on its sales in China?",
        "Is it true that Japan has not agreed to match the US restrictions?",
        "And what did Japan's ambassador Koji Tomita say about the issue?",
        "Why did the Netherlands restrict exports of chip-making equipment?",
    ],
)
def test_a_question_that_stands_alone_is_returned_unchanged(question: str) -> None:
    assert not is_followup(question)
    assert condense_offline(question, [JAPAN]) == question


@pytest.mark.parametrize(
    "question", ["And the Netherlands?", "Why?", "Who said that?", "Does it rely on China?"]
)
def test_a_question_leaning_on_an_earlier_one_is_a_follow_up(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize("gold", ["seeds_gold.jsonl", "export_controls_gold.jsonl"])
def test_every_question_of_the_answer_gold_sets_stands_alone(gold: str) -> None:
    # Questions written by others for the answer gold sets, read as if asked mid-chat.
    path = Path(__file__).resolve().parent.parent / "eval" / gold
    lines = path.read_text("utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    rewritten = {q: condense_offline(q, [JAPAN]) for q in questions}
    assert {q: r for q, r in rewritten.items() if r != q} == {}


def test_without_history_nothing_changes() -> None:
    assert condense_offline("And the Netherlands?", []) == "And the Netherlands?"


def test_the_gold_conversations_load_and_cover_every_kind_of_follow_up() -> None:
    conversations = load_conversations(GOLD)
    counts = Counter(c.type for c in conversations)
    assert len(conversations) >= 24
    assert set(counts) == set(TYPES)
    assert all(c.key_facts for c in conversations if c.type == "why")


def test_the_gold_rewrites_meet_the_target() -> None:
    outcomes = score_rewrites(load_conversations(GOLD))
    wrong = [(o.conversation.id, o.rewritten) for o in outcomes if not o.rewrite_right]
    assert len(wrong) <= 0.1 * len(outcomes), wrong


def test_a_rewrite_is_judged_without_case_or_punctuation() -> None:
    [conversation] = [c for c in load_conversations(GOLD) if c.id == "a02"]
    assert rewrite_right(
        conversation, "what did the netherlands’ trade minister say about export controls"
    )
    assert not rewrite_right(
        conversation, "What did Japan's trade minister say about the Netherlands?"
    )


def test_chat_reads_the_follow_up_with_the_earlier_question_and_answers_it(
    engine: Chipbot,
) -> None:
    # As `chipbot chat` does: ask, keep the question, ask the follow-up with the history.
    first = engine.ask("Which company is Japan's leading chip equipment maker?")
    history = [first.standalone_question or first.question]
    answer = engine.ask("And the Netherlands?", history=history)
    rewritten = "Which company is the Netherlands' leading chip equipment maker?"
    assert answer.standalone_question == rewritten
    assert f"Read as: {rewritten}" in answer.notes
    assert "Tokyo Electron" in first.answer
    assert not answer.abstained
    assert "ASML" in answer.answer


MEETING = "On what date was Rutte due to meet Biden?"


def test_a_question_about_the_thing_just_asked_about_is_read_with_it() -> None:
    # "the meeting" is the one the earlier question asked about, though no pronoun says so.
    assert condense_offline("Did the meeting go ahead?", [MEETING]) == (
        "On what date was Rutte due to meet Biden — Did the meeting go ahead?"
    )


def test_a_question_about_another_thing_stands_alone() -> None:
    assert condense_offline("Did the controls work?", [MEETING]) == "Did the controls work?"


def test_a_question_naming_its_subject_stands_alone() -> None:
    question = "Did the meeting between Kishida and Biden go ahead?"
    assert condense_offline(question, [MEETING]) == question
