"""The remaining listener branches: ignored variants, busy queues and failure paths."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest

from bot.slack.answering import APOLOGY, BUSY
from bot.slack.blocks import ACTION_SHOW_SOURCES, answer_blocks
from bot.slack.buttons import NO_CITATIONS
from bot.slack.jobs import JobPool
from bot.slack.listeners.assistant.thread_started import GREETING
from bot.slack.store import AnswerRecord
from retrieval.models import Answer, Citation
from tests.slack.fake_slack import Message
from tests.slack.slack_harness import CITED, FailingEngine, Harness, MakeHarness

THREAD = "1690000999.000100"


def _busy_pool(full: bool = False) -> tuple[JobPool, threading.Event]:
    """A one-worker pool whose worker is blocked (and whose queue is full if ``full``)."""
    pool = JobPool(1, max_queued=1 if full else 100)
    started, release = threading.Event(), threading.Event()
    pool.submit(lambda _t: (started.set(), release.wait()))
    started.wait()
    if full:
        pool.submit(lambda _t: release.wait())
    return pool, release


def test_edited_mentions_and_channel_messages_are_ignored(slack: Harness) -> None:
    slack.event({**slack.mention_event(CITED), "edited": {"user": "U1", "ts": "1.0"}})
    slack.event({**slack.dm_event(CITED, channel="C1"), "channel_type": "channel"})
    slack.settle()
    assert {c.args.get("channel") for c in slack.fake.calls if c.method != "auth.test"} == {"C9"}


def test_a_failure_before_queueing_still_apologises(slack: Harness) -> None:
    with sqlite3.connect(slack.store.path) as db:
        db.execute("DROP TABLE seen")  # the dedupe claim now fails
    ts = slack.mention(CITED)
    message = slack.wait_thread_text("C1", ts, "Sorry")
    assert message.text == APOLOGY


def test_a_slash_command_on_a_full_queue_is_told_privately(make_harness: MakeHarness) -> None:
    pool, release = _busy_pool(full=True)
    slack = make_harness(pool=pool)
    try:
        slack.command(CITED)
        slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == BUSY])
    finally:
        release.set()


def test_a_queued_slash_command_is_told_its_place_privately(make_harness: MakeHarness) -> None:
    pool, release = _busy_pool()
    slack = make_harness(pool=pool)
    slack.command(CITED)
    slack.fake.wait_for(
        lambda: [r for r in slack.fake.responses if "in the queue" in r.get("text", "")]
    )
    release.set()
    slack.wait_answer("C1", None)


def test_a_queued_assistant_question_shows_its_place_in_the_status(
    make_harness: MakeHarness,
) -> None:
    pool, release = _busy_pool()
    slack = make_harness(pool=pool)
    slack.dm(CITED, thread_ts=THREAD)
    slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.calls_to("assistant.threads.setStatus")
            if "queued" in c.args["status"]
        ]
    )
    release.set()
    slack.wait_answer("D1", THREAD)
    statuses = [c.args["status"] for c in slack.fake.calls_to("assistant.threads.setStatus")]
    assert statuses[-1] == "is reading the articles…"


def test_an_engine_crash_in_an_assistant_thread_apologises_there(make_harness: MakeHarness) -> None:
    slack = make_harness(engine_override=FailingEngine())
    slack.dm(CITED, thread_ts=THREAD)
    assert slack.wait_thread_text("D1", THREAD, "Sorry").text == APOLOGY


def test_refused_suggested_prompts_are_logged_and_the_greeting_stays(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.error_next("assistant.threads.setSuggestedPrompts", "invalid_arguments")
    with caplog.at_level(logging.ERROR, logger="bot.slack.listeners.assistant.thread_started"):
        event = {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": "U1",
                "context": {},
                "channel_id": "D1",
                "thread_ts": THREAD,
            },
            "event_ts": str(time.time()),
        }
        slack.event(event)
        slack.wait_thread_text("D1", THREAD, GREETING)
        slack.fake.wait_for(lambda: slack.fake.calls_to("assistant.threads.setSuggestedPrompts"))
        slack.fake.wait_for(
            lambda: "could not start the assistant thread" in caplog.text, timeout=10
        )


def test_show_sources_on_an_answer_without_citations_says_so(slack: Harness) -> None:
    answer = Answer("Q?", "Nothing.", False)
    record = AnswerRecord("nc", "C1", "1.1", "1.2", "U1", "Q?", answer.to_dict(), time.time())
    slack.store.save_answer(record)
    blocks = answer_blocks(
        Answer("Q?", "x [1]", False, [Citation(1, "a", "t", None, "p", 0, 1, "x")]), "nc"
    )
    slack.click(ACTION_SHOW_SOURCES, Message("C1", "1.2", "1.1", "", blocks))
    slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == NO_CITATIONS])
