"""Which read sentences the reader is taught to find, for each gold question."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.answer.decline import calibrated_floor
from retrieval.answer.extractive import ExtractiveConfig, candidates_of
from retrieval.answer.fit_reader import composed
from retrieval.answer.gold_cases import case_of, label
from retrieval.answer.reader import shipped_model
from retrieval.engine import Chipbot
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


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Why is Japan hesitant to match the US controls?",
        # Latest state (the newest articles read whole and quoted first), in two parts.
        "What has Japan said so far about the controls, and what did Campbell say?",
    ],
)
def test_the_decline_rule_learns_from_the_answers_users_get(engine: Chipbot, text: str) -> None:
    q = GoldQuestion(id="x1", type="latest", question=text, answerable=True)
    embedder = engine.cached_embedder()
    case = case_of(engine, embedder, q, ExtractiveConfig().max_passages)
    _, answer = composed(shipped_model(), case, calibrated_floor(), embedder)
    asked = engine.ask(text)
    assert not asked.abstained
    assert answer.answer == asked.answer
    assert [c.ref for c in answer.citations] == [c.ref for c in asked.citations]
