"""Countries however a text names them, and their plain names for word search."""

from __future__ import annotations

from retrieval.countries import country_spans, plain_names, without_countries


def test_every_way_of_naming_a_country_is_found_with_its_span() -> None:
    text = "Tokyo, The Hague and the U.S."
    assert [(text[s:e], key) for s, e, key in country_spans(text)] == [
        ("Tokyo", "japan"),
        ("The Hague", "netherlands"),
        ("U.S.", "us"),
    ]


def test_beijings_unnamed_major_country_is_the_us() -> None:
    text = "Certain major country has coerced allies; a certain country abused export controls."
    assert [key for _, _, key in country_spans(text)] == ["us", "us"]
    assert plain_names("What did the certain major country do?") == ["US", "American"]


def test_blanking_countries_keeps_every_offset() -> None:
    text = "Did Tokyo agree?"
    assert without_countries(text) == "Did       agree?"


def test_a_capital_brings_the_countrys_plain_names() -> None:
    assert plain_names("What does Beijing demand that The Hague do?") == [
        "china",
        "chinese",
        "netherlands",
        "dutch",
    ]
    assert plain_names("How did Washington react?") == ["US", "American"]


def test_a_country_named_plainly_brings_nothing() -> None:
    assert plain_names("Has Japan agreed with the Dutch and the Americans?") == []
