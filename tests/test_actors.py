"""Who a question or sentence is about."""

from __future__ import annotations

from retrieval.answer.actors import countries, country_match, name_match, names
from retrieval.text import tokenize

DUTCH_QUESTION = "What did the Dutch trade minister say?"


def test_a_country_is_found_by_name_demonym_or_capital() -> None:
    assert countries("What did the Dutch trade minister say?") == {"netherlands"}
    assert countries("Tokyo and The Hague hesitate") == {"japan", "netherlands"}
    assert countries("the U.S. and China") == {"us", "china"}


def test_the_pronoun_us_is_not_the_united_states() -> None:
    assert countries("Tell us what Japan said") == {"japan"}


def test_a_sentence_about_another_country_conflicts_with_the_question() -> None:
    japan = "Japan’s minister of Economy, Trade and Industry promised to work more closely."
    dutch = "The Netherlands’ top trade official stated that the country was consulting allies."
    assert country_match(DUTCH_QUESTION, japan) == (0.0, True)
    assert country_match(DUTCH_QUESTION, dutch) == (1.0, False)


def test_a_question_naming_no_country_matches_nothing_and_conflicts_with_nothing() -> None:
    assert country_match("What did the minister say?", "Japan said no.") == (0.0, False)


def test_names_are_the_capitalised_words_after_the_first_that_are_not_countries() -> None:
    assert names("What did Kurt Campbell say about Japan?") == {"kurt", "campbel"}


def test_name_match_is_the_share_of_named_people_the_sentence_names() -> None:
    terms = frozenset(tokenize("Campbell stated at a think-tank event that talks went well."))
    assert name_match("What did Kurt Campbell say?", terms) == 0.5
