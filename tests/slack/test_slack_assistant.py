"""Slack's assistant surface: suggested prompts, status while working, answers in the thread."""

from __future__ import annotations

import time

from bot.slack.listeners.assistant.thread_started import GREETING
from bot.slack.replies import WORKING_REACTION, WORKING_STATUS
from bot.slack.services import SUGGESTED_PROMPTS
from tests.slack.slack_harness import CITED, FIRST, FOLLOW_UP, Harness

THREAD = "1690000999.000100"


def _thread_started(slack: Harness) -> None:
    event = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": "U1",
            "context": {"channel_id": "C1", "team_id": "T0TEAM", "enterprise_id": None},
            "channel_id": "D1",
            "thread_ts": THREAD,
        },
        "event_ts": str(time.time()),
    }
    assert slack.event(event).status == 200


def test_a_new_assistant_thread_gets_suggested_prompts_and_a_greeting(slack: Harness) -> None:
    _thread_started(slack)
    [call] = slack.fake.wait_for(
        lambda: slack.fake.calls_to("assistant.threads.setSuggestedPrompts")
    )
    assert call.args["channel_id"] == "D1"
    assert call.args["thread_ts"] == THREAD
    assert [p["message"] for p in call.args["prompts"]] == list(SUGGESTED_PROMPTS)
    slack.wait_thread_text("D1", THREAD, GREETING)


def test_a_message_in_an_assistant_thread_shows_a_status_then_the_answer(slack: Harness) -> None:
    slack.dm(CITED, thread_ts=THREAD)
    [answer] = slack.wait_answer("D1", THREAD)
    [status] = slack.fake.calls_to("assistant.threads.setStatus")
    assert (status.args["channel_id"], status.args["thread_ts"]) == ("D1", THREAD)
    assert status.args["status"] == WORKING_STATUS
    assert slack.fake.calls_to("reactions.add") == []
    assert answer.thread_ts == THREAD


def test_where_a_status_is_refused_a_reaction_shows_the_work(slack: Harness) -> None:
    slack.fake.error_next("assistant.threads.setStatus", "not_allowed_token_type")
    ts = slack.dm(CITED, thread_ts=THREAD)
    slack.wait_answer("D1", THREAD)
    [reaction] = slack.fake.calls_to("reactions.add")
    assert reaction.args["timestamp"] == ts
    assert reaction.args["name"] == WORKING_REACTION


def test_a_follow_up_in_an_assistant_thread_uses_the_earlier_question(slack: Harness) -> None:
    slack.dm(FIRST, thread_ts=THREAD)
    slack.wait_answer("D1", THREAD)
    slack.dm(FOLLOW_UP, thread_ts=THREAD)
    answers = slack.wait_answer("D1", THREAD, count=2)
    assert "Read as:" in answers[1].block_text()
