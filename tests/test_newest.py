"""Which articles are the newest on a question's topic (retrieval.newest)."""

from __future__ import annotations

import datetime as dt

from retrieval.models import Passage
from retrieval.newest import newest_on_topic

TEXTS = {
    "nl-order.txt": "The Netherlands published its ministerial order.",
    "nl-reply.txt": "China's embassy in the Netherlands criticised the Dutch order.",
    "gallium.txt": "China's gallium controls took effect; Japan will examine them.",
    "nl-plan.txt": "The Dutch government plans rules before the summer.",
}


def _passage(path: str, day: dt.date | None) -> Passage:
    return Passage(
        article_id=path.removesuffix(".txt"), chunk_no=0, start=0, end=10,
        text=TEXTS[path][:10], title="", date=day, path=path,
    )  # fmt: skip


def _read(path: str) -> str:
    return TEXTS[path]


JUN30, AUG1, MAR8 = dt.date(2023, 6, 30), dt.date(2023, 8, 1), dt.date(2023, 3, 8)


def test_an_article_that_never_names_the_questions_country_is_off_the_topic() -> None:
    found = [_passage("gallium.txt", AUG1), _passage("nl-plan.txt", MAR8)]
    assert newest_on_topic("Has the Netherlands restricted exports yet?", found, _read) == (
        MAR8,
        ["nl-plan"],
    )


def test_articles_sharing_the_newest_date_are_all_named_best_first() -> None:
    found = [
        _passage("nl-reply.txt", JUN30),
        _passage("nl-plan.txt", MAR8),
        _passage("nl-order.txt", JUN30),
        _passage("nl-reply.txt", JUN30),
    ]
    newest, ids = newest_on_topic("What is the latest on the Dutch rules?", found, _read)
    assert (newest, ids) == (JUN30, ["nl-reply", "nl-order"])


def test_a_question_naming_no_country_takes_the_newest_article_found() -> None:
    found = [_passage("nl-plan.txt", MAR8), _passage("gallium.txt", AUG1)]
    assert newest_on_topic("What is the latest news?", found, _read) == (AUG1, ["gallium"])


def test_undated_articles_are_never_the_newest() -> None:
    found = [_passage("nl-order.txt", None)]
    assert newest_on_topic("Has the Netherlands acted yet?", found, _read) == (None, [])


def test_an_unreadable_article_is_judged_by_its_passage() -> None:
    def unreadable(path: str) -> str:
        raise OSError("gone")

    found = [_passage("nl-plan.txt", MAR8)]  # the passage reads "The Dutch "
    assert newest_on_topic("Has the Netherlands acted yet?", found, unreadable)[1] == ["nl-plan"]
