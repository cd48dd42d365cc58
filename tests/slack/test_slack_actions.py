"""The buttons: Show sources posts the cited passages; 👍/👎 are stored."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable

import pytest

from bot.slack.answering import APOLOGY
from bot.slack.blocks import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_SHOW_SOURCES,
    answer_blocks,
)
from bot.slack.buttons import ALREADY_POSTED, GONE, THANKS
from bot.slack.mrkdwn import escape
from bot.slack.store import AnswerRecord
from retrieval.errors import CitationError
from retrieval.models import Answer, Citation
from tests.slack.fake_slack import Message
from tests.slack.slack_harness import CITED, FailingEngine, Harness, MakeHarness


def _flat(text: str) -> str:
    """Text without mrkdwn bold/quote markers, whitespace collapsed."""
    return " ".join(re.sub(r"[*>]", " ", text).split())


def _answered(slack: Harness, question: str = CITED) -> tuple[str, Message]:
    ts = slack.mention(question)
    [answer] = slack.wait_answer("C1", ts)
    return ts, answer


def test_show_sources_posts_every_cited_passage_in_the_thread(
    slack: Harness, seed_text: Callable[[str], str]
) -> None:
    ts, answer = _answered(slack)
    assert slack.click(ACTION_SHOW_SOURCES, answer).status == 200
    sources = slack.wait_thread_text("C1", ts, "Sources for:")
    record = slack.store.get_answer(answer.action_value(ACTION_SHOW_SOURCES) or "")
    assert record is not None
    assert record.citations()
    flat = _flat(sources.block_text())
    for c in record.citations():
        assert seed_text(c.article_id)[c.start : c.end] == c.quote
        assert _flat(escape(c.quote)) in flat
        assert f"[{c.n}]" in sources.block_text()
        assert f"`{c.ref}`" in sources.block_text()


def test_show_sources_twice_posts_them_once(slack: Harness) -> None:
    ts, answer = _answered(slack)
    slack.click(ACTION_SHOW_SOURCES, answer, response="first")
    slack.wait_thread_text("C1", ts, "Sources for:")
    slack.click(ACTION_SHOW_SOURCES, answer, response="second")
    slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if r.get("text") == ALREADY_POSTED]
    )
    assert len([m for m in slack.fake.thread("C1", ts) if "Sources for:" in m.all_text()]) == 1


def test_show_sources_on_a_private_answer_answers_privately(slack: Harness) -> None:
    _ts, answer = _answered(slack)
    before = len(slack.fake.messages)
    slack.click(ACTION_SHOW_SOURCES, answer, ephemeral=True)
    [response] = slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("blocks")])
    assert response["response_type"] == "ephemeral"
    assert response["replace_original"] is False
    assert "Sources for:" in str(response["blocks"])
    assert len(slack.fake.messages) == before


def test_a_thumbs_up_is_stored_with_the_question_answer_and_citations(slack: Harness) -> None:
    _, answer = _answered(slack)
    slack.click(ACTION_FEEDBACK_UP, answer, user="U7")
    slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == THANKS[1]])
    [feedback] = slack.store.list_feedback()
    record = slack.store.get_answer(answer.action_value(ACTION_FEEDBACK_UP) or "")
    assert record is not None
    assert (feedback.vote, feedback.user, feedback.channel) == (1, "U7", "C1")
    assert feedback.question == CITED
    assert feedback.answer == record.answer["answer"]
    assert feedback.citations == record.answer["citations"]
    assert feedback.generator == record.answer["generator"]
    assert abs(feedback.created_at - time.time()) < 3600


def test_a_later_vote_by_the_same_user_replaces_the_earlier_one(slack: Harness) -> None:
    _, answer = _answered(slack)
    slack.click(ACTION_FEEDBACK_UP, answer, response="a")
    slack.fake.wait_for(lambda: slack.fake.responses)
    slack.click(ACTION_FEEDBACK_DOWN, answer, response="b")
    slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == THANKS[-1]])
    assert [f.vote for f in slack.store.list_feedback()] == [-1]


def _stored(slack: Harness, answer: Answer, answer_id: str = "a1") -> Message:
    record = AnswerRecord(
        id=answer_id,
        channel="C1",
        thread_ts="1690000000.000001",
        message_ts="1690000000.000002",
        user="U1",
        question=answer.question,
        answer=answer.to_dict(),
        created_at=time.time(),
    )
    slack.store.save_answer(record)
    blocks = answer_blocks(answer, answer_id)
    return Message("C1", "1690000000.000002", "1690000000.000001", answer.answer, blocks)


CITATION = Citation(1, "000_35dad6a91730d5a0", "Title", None, "x.txt", 0, 4, "date")


def _cited_answer() -> Answer:
    return Answer(question="Q?", answer="A date. [1]", abstained=False, citations=[CITATION])


def test_a_click_on_a_forgotten_answer_says_so(slack: Harness) -> None:
    message = _stored(slack, _cited_answer(), answer_id="gone")
    message.blocks[-1]["elements"][0]["value"] = "missing"
    message.blocks[-1]["elements"][1]["value"] = "missing"
    slack.click(ACTION_SHOW_SOURCES, message, response="s")
    slack.click(ACTION_FEEDBACK_UP, message, response="f")
    slack.fake.wait_for(
        lambda: len([r for r in slack.fake.responses if r.get("text") == GONE]) == 2
    )
    assert slack.store.list_feedback() == []


def test_show_sources_failing_apologises_privately(make_harness: MakeHarness) -> None:
    slack = make_harness(engine_override=FailingEngine(RuntimeError("disk on fire")))
    message = _stored(slack, _cited_answer())
    slack.click(ACTION_SHOW_SOURCES, message)
    slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == APOLOGY])
    assert slack.store.claim("sources:a1"), "a failed post must not block a second try"


def test_show_sources_for_a_changed_article_shows_the_quote_as_cited(
    make_harness: MakeHarness,
) -> None:
    slack = make_harness(engine_override=FailingEngine(CitationError("the file changed")))
    message = _stored(slack, _cited_answer())
    slack.click(ACTION_SHOW_SOURCES, message)
    sources = slack.wait_thread_text("C1", "1690000000.000001", "Sources for:")
    assert "*date*" in sources.block_text()


@pytest.mark.parametrize("action", [ACTION_FEEDBACK_UP, ACTION_FEEDBACK_DOWN])
def test_feedback_failing_apologises_privately(make_harness: MakeHarness, action: str) -> None:
    slack = make_harness()
    message = _stored(slack, _cited_answer())
    with sqlite3.connect(slack.store.path) as db:
        db.execute("DROP TABLE feedback")  # storing the vote now fails
    slack.click(action, message)
    slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == APOLOGY])
