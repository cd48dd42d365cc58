"""What an answer says about time (retrieval.recency), on hand-made answers."""

from __future__ import annotations

import datetime as dt

from retrieval.models import Answer, Citation
from retrieval.recency import apply_temporal, follows_with_timeline, silent_after, stale_note
from retrieval.temporal import parse_intent, periods_after

D = dt.date
NEWEST = D(2023, 8, 1)


def _answer(*dates: dt.date | None) -> Answer:
    citations = [
        Citation(n, f"a{n}", "t", date, f"/a{n}.txt", 0, 4, "text")
        for n, date in enumerate(dates, 1)
    ]
    return Answer(question="q", answer="It did. [1]", abstained=False, citations=citations)


def test_an_answer_citing_a_recent_article_gets_no_age_note() -> None:
    assert stale_note(_answer(D(2023, 1, 1), D(2023, 7, 1)), NEWEST, None, 180) is None


def test_an_answer_citing_only_old_articles_says_how_old() -> None:
    note = stale_note(_answer(D(2023, 1, 19)), NEWEST, None, 180)
    assert note is not None
    assert "19 Jan 2023" in note
    assert "the newest indexed article (1 Aug 2023)" in note


def test_the_age_is_measured_against_the_last_day_asked_about() -> None:
    note = stale_note(_answer(D(2022, 10, 7)), NEWEST, D(2023, 6, 30), 180)
    assert note is not None
    assert "the last day asked about (30 Jun 2023)" in note


def test_an_undated_source_or_a_zero_setting_gives_no_age_note() -> None:
    assert stale_note(_answer(D(2022, 1, 1), None), NEWEST, None, 180) is None
    assert stale_note(_answer(D(2022, 1, 1)), NEWEST, None, 0) is None


def test_an_as_of_question_leads_with_its_date_once() -> None:
    answer = _answer(D(2023, 3, 9))
    intent = parse_intent("As of 31 March 2023, had the Dutch acted?", NEWEST)
    apply_temporal(answer, intent, None, intent.search_filter(None), NEWEST, 180)
    apply_temporal(answer, intent, None, intent.search_filter(None), NEWEST, 180)
    assert answer.answer == "As of 31 Mar 2023: It did. [1]"
    assert answer.as_of == D(2023, 3, 31)


def test_a_question_naming_its_period_gets_no_age_note_but_the_dates_searched() -> None:
    answer = _answer(D(2022, 10, 7))
    intent = parse_intent("What did the US announce in October 2022?", NEWEST)
    answer.passages = []
    apply_temporal(answer, intent, None, intent.search_filter(None), NEWEST, 180)
    assert not [n for n in answer.notes if n.startswith("All sources are old")]
    assert any("October 2022" in n for n in answer.notes)


def test_silence_after_the_newest_article_is_a_decline_naming_its_date() -> None:
    (asked,) = periods_after("What happened in October 2024?", NEWEST)
    declined = silent_after(_answer(D(2023, 7, 1)), asked, NEWEST)
    assert declined.abstained
    assert not declined.citations
    assert declined.answer.startswith("The indexed articles end on 1 Aug 2023: none covers")


def test_only_a_cited_answer_to_a_question_about_change_is_followed_by_its_timeline() -> None:
    answer = _answer(D(2023, 3, 9))
    answer.temporal = {"change": True}
    assert follows_with_timeline(answer)
    answer.temporal = {"change": False, "latest": True}
    assert not follows_with_timeline(answer)
    declined = silent_after(answer, periods_after("What happened in 2025?", NEWEST)[0], NEWEST)
    declined.temporal = {"change": True}
    assert not follows_with_timeline(declined)
