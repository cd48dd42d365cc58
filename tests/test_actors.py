"""Who a question or sentence is about."""

from __future__ import annotations

from retrieval.answer.actors import (
    actor_terms,
    countries,
    country_match,
    name_match,
    names,
    question_subject,
    subject_country,
    subject_match,
    voices,
)
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


def test_a_country_named_two_ways_is_one_reader_term() -> None:
    question = set(actor_terms(DUTCH_QUESTION))
    sentence = set(actor_terms("Over the weekend, the Netherlands’ top trade official stated"))
    assert "country:netherlands" in question & sentence


def test_verbs_of_saying_are_one_reader_term() -> None:
    for verb in ("said", "says", "stated", "told", "remarked", "commented"):
        assert "say" in actor_terms(f"The minister {verb} so.")


def test_reader_terms_keep_the_other_words_and_the_pronoun_us() -> None:
    terms = actor_terms("Koji Tomita, Japan’s Ambassador to the United States, told us")
    assert terms == ("koji", "tomita", "country:japan", "ambassador", "country:us", "say", "us")


def test_a_question_asks_about_the_first_country_it_names() -> None:
    assert (
        question_subject("What did Japan's trade minister say about China's controls?") == "japan"
    )
    assert question_subject("What did the minister say?") is None


def test_a_sentence_opening_with_a_country_is_about_it() -> None:
    assert subject_country("The Chinese side firmly opposes it.") == "china"
    assert subject_country("China will resolutely safeguard its rights.") == "china"


def test_a_transcripts_label_is_not_the_sentences_subject() -> None:
    assert subject_country("A: Japan has been conducting strict export control.") == "japan"


def test_a_country_deep_in_the_sentence_is_not_its_subject() -> None:
    assert subject_country("We disapprove of the Dutch side’s interference.") is None


def test_a_sentence_opening_with_another_country_than_the_question_asks_about() -> None:
    asked = question_subject("How did China react to the Dutch measures?")
    assert subject_match(asked, "The Chinese side firmly opposes it.") == (True, False)
    assert subject_match(asked, "The Dutch government published its rules.") == (False, True)
    assert subject_match(asked, "This is an abuse of export controls.") == (False, False)


def test_a_speaker_speaks_for_the_country_their_sentences_open_with() -> None:
    said = [
        ("Mao Ning", "China firmly opposes them."),
        ("Mao Ning", "We noted the reports."),
        ("Reuters", "The Dutch minister wrote to parliament."),
        ("Reuters", "Japan said no."),
    ]
    # Reuters' sentences open with two countries equally often: no voice.
    assert voices(said) == {"Mao Ning": "china"}


def test_a_sentence_in_the_first_person_opens_with_its_speakers_country() -> None:
    asked = question_subject("How did China react to the Dutch plans?")
    we = "We disapprove of the Dutch side’s interference."
    assert subject_match(asked, we, voice="china") == (True, False)
    assert subject_match(asked, we, voice="") == (False, False)
    assert subject_match(asked, "It is hoped the Dutch will listen.", "china") == (False, False)
