"""What a question names that the passages never mention."""

from __future__ import annotations

import dataclasses

from retrieval.answer.absent import missing_entities
from tests.seed_passages import JAN13, JAN19, passage


def test_a_name_no_passage_mentions_is_reported_missing() -> None:
    passages = [passage(JAN13, "Tokyo Electron")]
    assert missing_entities("Has South Korea agreed to join?", passages) == ("South Korea",)
    assert missing_entities("What about Tokyo Electron?", passages) == ()
    assert missing_entities("Did ASML object?", passages) == ("ASML",)
    assert missing_entities("Did Daniel Craig object?", passages) == ("Daniel Craig",)


def test_a_name_is_mentioned_when_any_of_its_words_is() -> None:
    passages = [passage(JAN13, "Tokyo Electron")]
    assert "Electron" in passages[0].text
    assert "Holdings" not in passages[0].text
    assert missing_entities("What does Tokyo Electron Holdings make?", passages) == ()


def test_an_acronym_in_a_name_must_be_mentioned_itself() -> None:
    passages = [passage(JAN13, "Tokyo Electron")]
    assert "Tokyo" in passages[0].text
    assert "ASML" not in passages[0].text
    # "Tokyo" is mentioned, but an acronym names something of its own.
    assert missing_entities("What did ASML Tokyo say?", passages) == ("ASML",)
    assert missing_entities("What did Tokyo Electron say?", passages) == ()


def test_a_date_phrase_is_no_missing_name() -> None:
    passages = [passage(JAN19, "In an interview with Dutch television")]
    assert "2023" not in passages[0].text
    assert missing_entities("As of 20 January 2023, what had Rutte said?", passages) == ()


def test_a_country_named_by_its_capital_is_not_missing() -> None:
    dutch = [passage(JAN19, "In an interview with Dutch television")]
    assert missing_entities("Is The Hague ready to sign up?", dutch) == ()


def test_a_source_named_in_the_article_id_is_not_missing() -> None:
    (found,) = [passage(JAN19, "In an interview with Dutch television")]
    wikinews = dataclasses.replace(found, article_id="011_wikinews-netherlands-restrict-exports")
    assert missing_entities("What did Rutte say, according to Wikinews?", [wikinews]) == ()
    assert missing_entities("What did Rutte say, according to Wikinews?", [found]) == ("Wikinews",)


def test_a_country_named_another_way_is_not_missing() -> None:
    dutch = [passage(JAN19, "In an interview with Dutch television")]
    assert "Netherlands" not in dutch[0].text
    assert missing_entities("Has the Netherlands agreed?", dutch) == ()
