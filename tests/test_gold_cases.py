"""Which read sentences the reader is taught to find, for each gold question."""

from __future__ import annotations

import datetime as dt

from retrieval.answer.extractive import candidates_of
from retrieval.answer.gold_cases import label
from retrieval.evaluation.gold import GoldQuestion, GoldSpan
from retrieval.models import Passage

SAID = "Japan has been conducting strict export control under the Foreign Exchange Act."


def passage(article_id: str, text: str) -> Passage:
    return Passage(
        article_id=article_id, chunk_no=0, start=0, end=len(text), text=text,
        title=article_id, date=dt.date(2022, 11, 4), path=f"{article_id}.txt",
    )  # fmt: skip


def question() -> GoldQuestion:
    start = f"Q: Will Japan follow? A: {SAID}".index(SAID)
    return GoldQuestion(
        id="f10",
        type="factual",
        question="Under which law does Japan conduct its export controls?",
        answerable=True,
        gold=(GoldSpan("meti-11-04", start, start + len(SAID), SAID),),
    )


def test_the_sentence_holding_the_gold_quote_is_the_answer() -> None:
    read = candidates_of([passage("meti-11-04", f"Q: Will Japan follow? A: {SAID}")])
    labels = dict(zip([c.text for c in read], label(read, question()).tolist(), strict=True))
    assert labels[f"A: {SAID}"] == 1
    assert labels["Q: Will Japan follow?"] == 0


def test_the_same_words_said_again_in_another_article_answer_too() -> None:
    read = candidates_of(
        [
            passage("meti-11-04", f"Q: Will Japan follow? A: {SAID}"),
            passage("meti-11-08", f"Q: Any news? A: {SAID} Nothing else."),
        ]
    )
    again = [c for c in read if c.passage.article_id == "meti-11-08"]
    labels = dict(zip(map(id, read), label(read, question()).tolist(), strict=True))
    assert [labels[id(c)] for c in again] == [0, 1, 0]
