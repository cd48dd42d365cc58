"""The HTTP endpoint: URL verification, health, and signature checks before anything runs."""

from __future__ import annotations

import json
import time

from bot.slack.answering import HELP
from tests.slack.slack_harness import Harness


def _mention_body(slack: Harness) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEAM",
            "event_id": "EvSIG",
            "event": slack.mention_event("What has Japan agreed to?"),
        }
    )


def test_url_verification_echoes_the_challenge(slack: Harness) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    reply = slack.post(body, "application/json")
    assert reply.status == 200
    assert reply.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_health_endpoint_answers_ok(slack: Harness) -> None:
    reply = slack.get("/healthz")
    assert (reply.status, reply.json()["ok"]) == (200, True)


def test_unknown_paths_are_404(slack: Harness) -> None:
    assert slack.get("/nope").status == 404
    assert slack.post("{}", "application/json", path="/other").status == 404


def test_a_bad_signature_gets_401_and_nothing_runs(slack: Harness) -> None:
    body = _mention_body(slack)
    reply = slack.post(
        body,
        "application/json",
        headers={
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
        signed=False,
    )
    assert reply.status == 401
    slack.settle()
    assert {c.args.get("channel") for c in slack.fake.calls if c.method != "auth.test"} == {"C9"}


def test_a_body_signed_with_another_secret_gets_401(slack: Harness) -> None:
    slack.secret = "not-the-signing-secret"
    assert slack.post(_mention_body(slack), "application/json").status == 401


def test_a_stale_timestamp_gets_401_even_when_correctly_signed(slack: Harness) -> None:
    stale = int(time.time()) - 10 * 60
    assert slack.post(_mention_body(slack), "application/json", timestamp=stale).status == 401
    slack.settle()
    assert {c.args.get("channel") for c in slack.fake.calls if c.method != "auth.test"} == {"C9"}


def test_an_unsigned_request_gets_401(slack: Harness) -> None:
    assert slack.post(_mention_body(slack), "application/json", signed=False).status == 401


def test_an_empty_mention_gets_the_help_text(slack: Harness) -> None:
    ts = slack.mention("")
    message = slack.wait_thread_text("C1", ts, "Ask me about")
    assert message.text == HELP
