"""What kind of answer a question wants, and whether a sentence holds one."""

from __future__ import annotations

import pytest

from retrieval.answer.answer_types import (
    AnswerType,
    counted_terms,
    has_date,
    has_day_date,
    has_intent,
    has_new_person,
    has_number,
    has_reason,
    question_type,
    question_words,
    type_fit,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who is Japan's ambassador to the United States?", AnswerType.PERSON),
        ("Which US official called it his north star?", AnswerType.PERSON),
        ("When did Biden meet Kishida?", AnswerType.DATE),
        ("On what date do the Dutch rules take effect?", AnswerType.DATE),
        ("How many companies were added to the Entity List?", AnswerType.NUMBER),
        ("What share of the market do Japanese firms hold?", AnswerType.NUMBER),
        ("Which company is Japan's leading equipment maker?", AnswerType.ORGANISATION),
        ("Which countries make chipmaking tools?", AnswerType.PLACE),
        ("Why is Japan hesitant to match the US restrictions?", AnswerType.REASON),
        ("What are the US export controls meant to achieve?", AnswerType.REASON),
        ("What is the US trying to stop China from doing?", AnswerType.REASON),
        ("What are the goals of the Dutch order?", AnswerType.REASON),
        ("What did China say it would do about the Dutch measures?", AnswerType.INTENT),
        ("What does BIS intend to do with the public comments?", AnswerType.INTENT),
        ("What is the US planning next for its rule?", AnswerType.INTENT),
        ("What will the weather be like tomorrow in Tokyo?", AnswerType.OTHER),
        ("What did Biden want to talk over with Rutte?", AnswerType.OTHER),
        ("What did the Dutch trade minister say?", AnswerType.OTHER),
    ],
)
def test_the_question_says_what_kind_of_answer_it_wants(question: str, kind: AnswerType) -> None:
    assert question_type(question) is kind


def test_a_when_question_fits_a_sentence_with_a_date_or_weekday() -> None:
    q = question_words("When did they meet?")
    assert type_fit(AnswerType.DATE, "They met in Washington on Friday.", q)
    assert type_fit(AnswerType.DATE, "The rules apply from 1 September 2023.", q)
    assert not type_fit(AnswerType.DATE, "They met in Washington.", q)


def test_a_how_much_question_fits_a_sentence_with_a_number_or_share() -> None:
    assert has_number("Its companies hold 27 per cent of global market share.")
    assert has_number("It relies on China for about a quarter of its revenue.")
    assert not has_number("Japan is a top producer of tooling equipment.")


def test_a_who_question_fits_a_name_the_question_does_not_already_give() -> None:
    sentence = "Under Secretary Alan Estevez called it his north star."
    assert has_new_person(sentence, question_words("Which official called it his north star?"))
    assert not has_new_person(sentence, question_words("What did Alan Estevez call it?"))


def test_a_why_question_fits_a_stated_reason() -> None:
    assert has_reason("The hesitation is understandable - Japan is a top producer.")
    assert has_reason("Tokyo Electron relies on China for a quarter of its revenue.")
    assert has_reason("The controls were imposed in an effort to slow Beijing.")
    assert not has_reason("Rutte will travel to Washington on Jan 17.")


def test_a_what_will_they_do_question_fits_a_stated_intent() -> None:
    assert has_intent("China will resolutely safeguard its legitimate rights and interests.")
    assert has_intent("BIS intends to review the comments before any revision.")
    assert has_intent("The government plans to introduce the rules before the summer.")
    assert not has_intent("We disapprove of the Dutch side's interference.")


def test_has_date_reads_relative_dates() -> None:
    assert has_date("Speaking in Washington last week, the minister promised more.")
    assert not has_date("The minister promised more.")


@pytest.mark.parametrize(
    "sentence",
    [
        "On 1 September 2023 additional export control measures will enter into force.",
        "Rutte will meet Mr Biden on Jan 17.",
        "FOR IMMEDIATE RELEASE | Friday, October 7, 2022",
        "The order was published on 2023-06-30.",
    ],
)
def test_a_calendar_day_is_a_day_date(sentence: str) -> None:
    assert has_day_date(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The administration introduced restrictions in October.",
        "The rules will come before the summer of 2023.",
        "Speaking in Washington last week, the minister promised more.",
    ],
)
def test_a_month_a_year_or_a_relative_date_is_not_a_day_date(sentence: str) -> None:
    assert has_date(sentence)
    assert not has_day_date(sentence)


def test_a_how_many_question_counts_the_words_before_its_verb() -> None:
    assert counted_terms("How many jobs will the controls cost in Japan?") == {"job"}
    assert counted_terms("What share of the global market do Japanese firms hold?") == {
        "global",
        "market",
    }
    assert counted_terms("When did Rutte meet Biden?") == frozenset()


def test_a_number_fits_only_beside_what_the_question_counts() -> None:
    q = "How many jobs will the controls cost in Japan?"
    words, counted = question_words(q), counted_terms(q)
    share = "Its companies hold 27 per cent of global market share."
    assert not type_fit(AnswerType.NUMBER, share, words, counted)
    assert type_fit(AnswerType.NUMBER, "The controls will cost 3,000 jobs.", words, counted)
    assert type_fit(AnswerType.NUMBER, share, words)  # nothing counted: any number fits
