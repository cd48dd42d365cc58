"""Over HTTP, a signed body Slack would never send is rejected with 400 and a reason,
before bolt dispatches it: nothing is claimed, stored or posted."""

from __future__ import annotations

import json
import logging

import pytest

from tests.slack.slack_harness import Harness

MALFORMED = [
    ("not json", "not JSON"),
    ("[1, 2]", "not a Slack request body"),
    (json.dumps({"type": "event_callback", "event": {"type": "app_mention"}}), "event_id"),
    (
        json.dumps({"type": "event_callback", "event_id": "EvBAD1", "event": "oops"}),
        "without an event object",
    ),
    (
        json.dumps(
            {"type": "event_callback", "event_id": "EvBAD2", "event": {"type": "app_mention"}}
        ),
        "'app_mention' event without a channel",
    ),
    (
        json.dumps(
            {
                "type": "event_callback",
                "event_id": "EvBAD3",
                "event": {"type": "message", "channel": "D1", "text": "hi"},
            }
        ),
        "'message' event without a ts",
    ),
]


def _posted(slack: Harness) -> list[str]:
    """Web API calls made since the app started (it checks its token at start)."""
    return [c.method for c in slack.fake.calls if c.method != "auth.test"]


@pytest.mark.parametrize(("body", "reason"), MALFORMED)
def test_a_malformed_body_gets_400_with_its_reason_and_nothing_is_stored(
    slack: Harness, body: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.slack.server")
    reply = slack.post(body, "application/json")
    assert reply.status == 400
    assert reply.json()["error"] == "malformed_request"
    assert reason in reply.json()["reason"]
    assert any(reason in r.getMessage() for r in caplog.records)
    for event_id in ("EvBAD1", "EvBAD2", "EvBAD3"):
        assert slack.store.claim(f"event:{event_id}")  # never claimed before
    assert _posted(slack) == []


def test_a_malformed_interaction_payload_gets_400(slack: Harness) -> None:
    reply = slack.post("payload=%7Bnot-json", "application/x-www-form-urlencoded")
    assert reply.status == 400
    assert _posted(slack) == []
