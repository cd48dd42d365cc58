"""Rate limits, server errors, failures while answering, bursts and the queue."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.slack.answering import APOLOGY, BUSY
from bot.slack.jobs import JobPool
from retrieval.errors import QuestionError
from tests.slack.slack_harness import CITED, FailingEngine, Harness, MakeHarness


def test_a_rate_limited_post_is_retried_after_retry_after(slack: Harness) -> None:
    slack.fake.rate_limit_next("chat.startStream", retry_after=1)
    ts = slack.mention(CITED)
    slack.wait_answer("C1", ts)
    assert [c.status for c in slack.fake.calls_to("chat.startStream")] == [429, 200]


def test_a_server_error_is_retried(slack: Harness) -> None:
    slack.fake.server_error_next("chat.startStream", status=503)
    ts = slack.mention(CITED)
    slack.wait_answer("C1", ts)
    assert [c.status for c in slack.fake.calls_to("chat.startStream")] == [503, 200]


def test_an_engine_crash_posts_an_apology_in_the_thread(make_harness: MakeHarness) -> None:
    slack = make_harness(engine_override=FailingEngine(RuntimeError("index exploded")))
    ts = slack.mention(CITED)
    message = slack.wait_thread_text("C1", ts, "Sorry")
    assert message.text == APOLOGY
    assert "index exploded" not in message.all_text()
    slack.fake.wait_for(lambda: slack.fake.calls_to("reactions.remove"))


def test_a_library_error_is_explained_in_the_apology(make_harness: MakeHarness) -> None:
    slack = make_harness(engine_override=FailingEngine(QuestionError("the question is too long")))
    ts = slack.mention(CITED)
    message = slack.wait_thread_text("C1", ts, "Sorry")
    assert message.text == ":warning: Sorry — the question is too long."


def test_a_failed_answer_post_replaces_the_streamed_text_with_an_apology(slack: Harness) -> None:
    slack.fake.error_next("chat.update", "invalid_blocks")
    ts = slack.mention(CITED)
    message = slack.wait_thread_text("C1", ts, "Sorry")
    assert message.text == APOLOGY
    assert slack.fake.thread("C1", ts) == [message]


def test_an_engine_crash_on_a_slash_command_apologises_privately(make_harness: MakeHarness) -> None:
    slack = make_harness(engine_override=FailingEngine(RuntimeError("boom")))
    slack.command(CITED)
    slack.fake.wait_for(lambda: [r for r in slack.fake.responses if r.get("text") == APOLOGY])


@pytest.mark.slow
def test_a_burst_of_20_questions_is_all_answered_once(slack: Harness) -> None:
    events = [slack.mention_event(CITED, channel=f"C{i:02d}") for i in range(20)]
    with ThreadPoolExecutor(20) as senders:
        statuses = list(senders.map(lambda e: slack.event(e).status, events))
    assert statuses == [200] * 20
    for event in events:
        [answer] = slack.wait_answer(event["channel"], event["ts"])
        assert answer.thread_ts == event["ts"]
    for event in events:
        assert len(slack.answers_in(event["channel"], event["ts"])) == 1


def test_a_queued_question_is_told_its_place_and_the_notice_becomes_the_answer(
    make_harness: MakeHarness,
) -> None:
    pool = JobPool(1)
    release = threading.Event()
    pool.submit(lambda _ticket: release.wait())
    slack = make_harness(pool=pool)
    ts = slack.mention(CITED)
    notice = slack.wait_thread_text("C1", ts, "in the queue")
    release.set()
    [answer] = slack.wait_answer("C1", ts)
    assert answer.ts == notice.ts
    assert len(slack.fake.thread("C1", ts)) == 1
    assert slack.fake.calls_to("chat.update")


def test_a_full_queue_says_so_instead_of_waiting_forever(make_harness: MakeHarness) -> None:
    pool = JobPool(1, max_queued=1)
    release, started = threading.Event(), threading.Event()
    pool.submit(lambda _ticket: (started.set(), release.wait()))
    started.wait()
    pool.submit(lambda _ticket: release.wait())  # waits, filling the queue
    slack = make_harness(pool=pool)
    try:
        ts = slack.mention(CITED)
        message = slack.wait_thread_text("C1", ts, "swamped")
        assert message.text == BUSY
        slack.fake.wait_for(lambda: slack.fake.calls_to("reactions.remove"))
    finally:
        release.set()
