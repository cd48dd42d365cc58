"""Reading time out of a question: latest-state words, change questions, date bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.models import SearchFilter
from retrieval.temporal import (
    describe_filter,
    find_dates,
    parse_intent,
    periods_after,
    strip_temporal,
)

D = dt.date
NEWEST = D(2023, 8, 1)  # the newest article of the export-controls corpus


@pytest.mark.parametrize(
    "question",
    [
        "Has the Netherlands restricted exports yet?",
        "What is the latest on China's gallium controls?",
        "Is Japan still hesitating?",
        "What are the current Dutch rules?",
        "What has Japan agreed to so far?",
        "As things stand, who controls the exports?",
        "What did the minister say most recently?",
        "What is the US planning next for its October 7 rule?",
        "What are the next steps for the Dutch rules?",
    ],
)
def test_latest_state_words_ask_for_the_newest_state(question: str) -> None:
    assert parse_intent(question, NEWEST).latest


def test_a_question_without_latest_words_does_not_ask_for_the_newest_state() -> None:
    intent = parse_intent("Which company makes chip-making tools?", NEWEST)
    assert not intent.latest
    assert not intent.wants_newest


def test_an_as_of_question_wants_the_newest_state_within_its_bounds() -> None:
    intent = parse_intent("As of March 2023, how had China reacted to the Dutch plans?", NEWEST)
    assert not intent.latest
    assert intent.wants_newest
    assert intent.until == dt.date(2023, 3, 31)


@pytest.mark.parametrize(
    "question",
    [
        "How has Japan's position evolved?",
        "How did the Dutch stance change after January?",
        "What changed between the two announcements?",
        "How have the rules developed over time?",
        "Give me the history of the Dutch export controls",
        "What is the timeline of the negotiations?",
    ],
)
def test_change_words_ask_how_something_changed(question: str) -> None:
    assert parse_intent(question, NEWEST).change


def test_as_of_a_month_bounds_to_its_last_day_and_asks_for_that_state() -> None:
    intent = parse_intent("What had the Netherlands decided as of March 2023?", NEWEST)
    assert (intent.since, intent.until, intent.as_of) == (None, D(2023, 3, 31), D(2023, 3, 31))
    assert intent.phrase == "as of March 2023"


def test_in_a_month_bounds_to_that_month_softly() -> None:
    intent = parse_intent("What did Japan say in January 2023?", NEWEST)
    assert (intent.since, intent.until) == (D(2023, 1, 1), D(2023, 1, 31))
    assert intent.soft
    assert intent.as_of is None


def test_a_month_without_a_year_is_the_most_recent_one_before_the_newest_article() -> None:
    assert parse_intent("What has China said since October?", NEWEST).since == D(2022, 10, 1)
    later = parse_intent("What has China said since October?", D(2023, 11, 15))
    assert later.since == D(2023, 10, 1)


def test_before_a_month_ends_the_day_before_it_starts() -> None:
    intent = parse_intent("What was Japan's position before June 2023?", NEWEST)
    assert (intent.since, intent.until) == (None, D(2023, 5, 31))
    assert not intent.soft


def test_after_a_day_starts_the_day_after_it() -> None:
    intent = parse_intent("What did Japan say after 14 February 2023?", NEWEST)
    assert intent.since == D(2023, 2, 15)


def test_by_the_end_of_a_year_is_as_of_its_last_day() -> None:
    intent = parse_intent("What had the US done by the end of 2022?", NEWEST)
    assert (intent.until, intent.as_of) == (D(2022, 12, 31), D(2022, 12, 31))


@pytest.mark.parametrize(
    ("phrase", "since", "until"),
    [
        ("in early 2023", D(2023, 1, 1), D(2023, 4, 30)),
        ("in mid-2023", D(2023, 5, 1), D(2023, 8, 31)),
        ("in late 2022", D(2022, 9, 1), D(2022, 12, 31)),
        ("in late March 2023", D(2023, 3, 21), D(2023, 3, 31)),
        ("in Q1 2023", D(2023, 1, 1), D(2023, 3, 31)),
        ("in the second half of 2022", D(2022, 7, 1), D(2022, 12, 31)),
        ("in 2022", D(2022, 1, 1), D(2022, 12, 31)),
        ("between March and June 2023", D(2023, 3, 1), D(2023, 6, 30)),
        ("from January to March 2023", D(2023, 1, 1), D(2023, 3, 31)),
    ],
)
def test_periods_become_bounds(phrase: str, since: dt.date, until: dt.date) -> None:
    intent = parse_intent(f"What did Japan say {phrase}?", NEWEST)
    assert (intent.since, intent.until) == (since, until)


def test_several_in_periods_mean_their_whole_span() -> None:
    question = "How did China react in March 2023 and again in June 2023?"
    intent = parse_intent(question, NEWEST)
    assert (intent.since, intent.until) == (D(2023, 3, 1), D(2023, 6, 30))


def test_a_date_without_a_bounding_word_sets_no_bound() -> None:
    intent = parse_intent("What happens on 1 September 2023?", NEWEST)
    assert not intent.has_bounds


def test_a_lowercase_may_is_a_verb_not_a_month() -> None:
    assert not parse_intent("What controls may apply in may?", NEWEST).has_bounds


def test_contradicting_dates_set_no_bounds() -> None:
    intent = parse_intent("What was said after June 2023 but before March 2023?", NEWEST)
    assert not intent.has_bounds
    assert intent.phrase is None


def test_the_callers_bound_wins_where_both_set_one() -> None:
    intent = parse_intent("What did Japan say in January 2023?", NEWEST)
    flt = intent.search_filter(SearchFilter(until=D(2023, 1, 20), source="reuters"))
    assert flt == SearchFilter(since=D(2023, 1, 1), until=D(2023, 1, 20), source="reuters")


def test_a_question_bound_that_would_empty_the_callers_range_is_dropped() -> None:
    intent = parse_intent("What was said before June 2023?", NEWEST)
    flt = intent.search_filter(SearchFilter(since=D(2023, 7, 1)))
    assert flt == SearchFilter(since=D(2023, 7, 1))


def test_an_explicit_as_of_overrides_the_questions_last_day() -> None:
    intent = parse_intent("What had Japan said as of March 2023?", NEWEST).with_as_of(
        D(2023, 1, 31)
    )
    assert (intent.until, intent.as_of) == (D(2023, 1, 31), D(2023, 1, 31))


def test_stripping_removes_the_date_phrase_and_tidies_the_question() -> None:
    question = "As of March 2023, had the Dutch restricted exports?"
    assert strip_temporal(question, parse_intent(question, NEWEST)) == (
        "had the Dutch restricted exports?"
    )


def test_stripping_keeps_a_question_that_would_be_left_empty() -> None:
    question = "Since October?"
    assert strip_temporal(question, parse_intent(question, NEWEST)) == question


def test_a_day_without_a_year_in_an_article_is_the_nearest_one() -> None:
    june = D(2023, 6, 30)
    (september,) = find_dates("from 1 September", june, nearest=True)
    (march,) = find_dates("announced on 8 March", june, nearest=True)
    assert (september.period.first, march.period.first) == (D(2023, 9, 1), D(2023, 3, 8))
    assert not september.explicit_year


def test_the_intent_is_json_ready() -> None:
    data = parse_intent("Had Japan agreed as of 20 January 2023?", NEWEST).to_dict()
    assert data["until"] == data["as_of"] == "2023-01-20"
    assert data["latest"] is False


def test_two_periods_asked_side_by_side_are_each_kept_earliest_first() -> None:
    question = "How did China react in June 2023 and earlier in March 2023?"
    intent = parse_intent(question, NEWEST)
    assert intent.periods == ((D(2023, 3, 1), D(2023, 3, 31)), (D(2023, 6, 1), D(2023, 6, 30)))
    assert (intent.since, intent.until) == (D(2023, 3, 1), D(2023, 6, 30))


def test_one_period_is_a_bound_not_a_list_of_parts() -> None:
    assert parse_intent("What did China say in March 2023?", NEWEST).periods == ()


def test_a_dated_year_after_the_newest_article_is_a_period_after_everything() -> None:
    [late] = periods_after("What changed in its October 2023 update?", NEWEST)
    assert late.text == "October 2023"


def test_a_month_without_a_year_is_never_after_everything() -> None:
    assert periods_after("What changed in its October update?", NEWEST) == []


def test_a_month_without_a_year_among_the_articles_is_not_after_them() -> None:
    # Articles from 7 Oct 2022: "October" may be October 2022.
    assert periods_after("What changed in its October update?", NEWEST, D(2022, 10, 7)) == []


def test_a_day_without_a_year_is_read_in_the_year_nearest_the_articles() -> None:
    newest, oldest = D(2023, 1, 19), D(2023, 1, 13)
    [late] = periods_after("What did Japan agree in its January 27 deal?", newest, oldest)
    assert late.period.first == D(2023, 1, 27)
    assert periods_after("What happened on January 17?", newest, oldest) == []
    assert periods_after("What happened in December?", newest, oldest) == []


def test_a_filter_is_described_by_what_it_keeps() -> None:
    assert describe_filter(None) == ""
    assert describe_filter(SearchFilter()) == ""
    assert (
        describe_filter(SearchFilter(since=dt.date(2024, 1, 1))) == "dated on or after 1 Jan 2024"
    )
    assert (
        describe_filter(SearchFilter(until=dt.date(2023, 3, 31), source="reuters"))
        == "dated on or before 31 Mar 2023 from source “reuters”"
    )
