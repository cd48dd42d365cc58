"""Relative dates in article text, pinned to the article's date for display."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from retrieval.reldates import annotate, dates_in, resolve

D = dt.date
THURSDAY = D(2023, 1, 19)  # the date of the seed article that says "on Friday"


def test_on_a_weekday_is_the_most_recent_such_day_before_the_article() -> None:
    text = (
        "Biden had discussed the topic with Kishida during their meeting on Friday in Washington."
    )
    assert "meeting on Friday (13 Jan 2023) in Washington" in annotate(text, THURSDAY)


def test_a_weekday_that_is_the_articles_own_day_is_that_day() -> None:
    assert annotate("He spoke on Thursday.", THURSDAY) == "He spoke on Thursday (19 Jan 2023)."


def test_last_weekday_on_that_weekday_is_a_week_earlier() -> None:
    assert annotate("last Thursday", THURSDAY) == "last Thursday (12 Jan 2023)"


@pytest.mark.parametrize(
    ("phrase", "label"),
    [
        ("yesterday", "18 Jan 2023"),
        ("today", "19 Jan 2023"),
        ("tomorrow", "20 Jan 2023"),
        ("last week", "9–15 Jan 2023"),
        ("this week", "16–22 Jan 2023"),
        ("this month", "Jan 2023"),
        ("last month", "Dec 2022"),
        ("earlier this year", "1–19 Jan 2023"),
        ("last year", "2022"),
        ("three days ago", "16 Jan 2023"),
        ("two weeks ago", "5 Jan 2023"),
        ("the 3rd of this month", "3 Jan 2023"),
    ],
)
def test_relative_phrases_resolve_against_the_article_date(phrase: str, label: str) -> None:
    assert annotate(f"It happened {phrase}.", THURSDAY) == f"It happened {phrase} ({label})."


def test_a_day_without_a_year_takes_the_nearest_year() -> None:
    june = D(2023, 6, 30)
    text = "The order, announced on 8 March, applies from 1 September."
    assert annotate(text, june) == (
        "The order, announced on 8 March (8 Mar 2023), applies from 1 September (1 Sep 2023)."
    )


def test_a_date_stated_in_full_is_not_annotated() -> None:
    text = "On 1 September 2023 the measures enter into force."
    assert annotate(text, D(2023, 6, 30)) == text


def test_a_weekday_followed_by_its_date_is_not_annotated() -> None:
    text = "FOR IMMEDIATE RELEASE | Friday, October 7, 2022"
    assert annotate(text, D(2022, 10, 7)) == text


def test_an_undated_article_resolves_nothing() -> None:
    assert (
        annotate("It happened on Friday, last week.", None) == "It happened on Friday, last week."
    )


def test_spans_point_at_the_phrases_in_the_unchanged_text() -> None:
    text = "Talks last week went well, officials said on Tuesday."
    found = resolve(text, THURSDAY)
    assert [text[r.start : r.end] for r in found] == ["last week", "Tuesday"]
    assert found[1].first == D(2023, 1, 17)


def test_annotating_only_inserts_brackets(seed_texts: dict[str, str]) -> None:
    for text in seed_texts.values():
        annotated = annotate(text, THURSDAY)
        assert annotated != text
        assert re.sub(r" \([^()]*\d{4}\)", "", annotated) == text


def test_dates_in_lists_relative_and_full_dates_for_ordering() -> None:
    text = "The order, announced on 8 March, was published today and applies from 1 September 2023."
    assert dates_in(text, D(2023, 6, 30)) == [D(2023, 3, 8), D(2023, 6, 30), D(2023, 9, 1)]
