"""Socket Mode end to end: the real app connected to a loopback Socket Mode server.

The server speaks Slack's protocol (``apps.connections.open`` URL, ``hello``, envelopes,
acknowledgements, ``disconnect``, closed and dropped connections, redelivery of what
was not acknowledged); the app answers through the Web API stand-in.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.blocks import ACTION_FEEDBACK_UP, ACTION_SHOW_SOURCES
from bot.slack.buttons import THANKS
from tests.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slack.slack_harness import CITED, Harness
from tests.slack.socket_harness import APP_TOKEN, SocketHarness
from tests.slack.socket_mode_server import SocketModeStandIn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sock(slack: Harness) -> Iterator[SocketHarness]:
    """The app with the real engine, connected over Socket Mode."""
    harness = SocketHarness.connect(slack)
    yield harness
    harness.close()


def _settle(sock: SocketHarness) -> None:
    """Send a sentinel mention and wait for its answer: envelopes are handled in order
    of arrival, so everything sent before it has been dispatched."""
    ts, _ = sock.mention(CITED, channel="C9")
    sock.slack.wait_answer("C9", ts)


def test_the_app_connects_to_the_url_apps_connections_open_gives_its_app_token(
    sock: SocketHarness,
) -> None:
    # slack_sdk's client may ask for a second URL while the first connection opens;
    # each is asked for with the app token, and one connection results.
    opened = sock.slack.fake.calls_to("apps.connections.open")
    assert opened
    assert {c.authorization for c in opened} == {f"Bearer {APP_TOKEN}"}
    assert len(sock.stand_in.sessions) == 1
    assert sock.stand_in.rejected_handshakes == 0


def test_a_mention_is_acknowledged_and_answered_in_its_thread(sock: SocketHarness) -> None:
    ts, envelope = sock.mention(CITED)
    ack = sock.stand_in.wait_acked(envelope["envelope_id"])
    assert ack == {"envelope_id": envelope["envelope_id"]}
    [answer] = sock.slack.wait_answer("C1", ts)
    assert "[1]" in answer.block_text()
    assert answer.action_value(ACTION_SHOW_SOURCES)


def test_a_dm_is_answered_in_the_dm(sock: SocketHarness) -> None:
    _ts, envelope = sock.dm(CITED)
    sock.stand_in.wait_acked(envelope["envelope_id"])
    [answer] = sock.slack.wait_answer("D1", None)
    assert "[1]" in answer.block_text()


def test_ask_is_acknowledged_with_its_response_and_answered_in_the_channel(
    sock: SocketHarness,
) -> None:
    envelope = sock.command(CITED)
    ack = sock.stand_in.wait_acked(envelope["envelope_id"])
    assert "Looking through the articles" in ack["payload"]["text"]
    [answer] = sock.slack.wait_answer("C1", None)
    assert "<@U1> asked:" in answer.block_text()


def test_the_buttons_work_over_socket_mode(sock: SocketHarness) -> None:
    ts, _ = sock.mention(CITED)
    [answer] = sock.slack.wait_answer("C1", ts)
    sources = sock.click(ACTION_SHOW_SOURCES, answer)
    sock.stand_in.wait_acked(sources["envelope_id"])
    sock.slack.wait_thread_text("C1", ts, "Sources for:")
    vote = sock.click(ACTION_FEEDBACK_UP, answer, user="U7", response="vote")
    sock.stand_in.wait_acked(vote["envelope_id"])
    fake = sock.slack.fake
    fake.wait_for(lambda: [r for r in fake.responses if r.get("text") == THANKS[1]])
    [feedback] = sock.slack.store.list_feedback()
    assert (feedback.user, feedback.vote) == ("U7", 1)


def test_a_retried_envelope_is_acknowledged_and_answered_once(sock: SocketHarness) -> None:
    ts, envelope = sock.mention(CITED)
    retried = sock.stand_in.retry(envelope)  # at once, while the first is being answered
    assert (retried["retry_attempt"], retried["retry_reason"]) == (1, "timeout")
    sock.stand_in.wait_acked(envelope["envelope_id"])
    sock.stand_in.wait_acked(retried["envelope_id"])
    sock.slack.wait_answer("C1", ts)
    _settle(sock)
    assert len(sock.slack.answers_in("C1", ts)) == 1


def _burst_across(sock: SocketHarness, cut: str) -> None:
    """Ten mentions, the connection cut (``cut``: drop, close_connection or disconnect)
    after the fifth; every one must be answered exactly once."""
    sent = []
    for i in range(10):
        if i == 5:
            getattr(sock.stand_in, cut)()
        sent.append(sock.mention(CITED, channel=f"C{i:02d}"))
    sock.stand_in.wait_sessions(2)
    for (ts, _), i in zip(sent, range(10), strict=True):
        sock.slack.wait_answer(f"C{i:02d}", ts)
    # Whatever went unacknowledged on the cut connection was redelivered and acknowledged.
    sock.stand_in.wait_for(lambda: not sock.stand_in.unacked())
    _settle(sock)
    for (ts, _), i in zip(sent, range(10), strict=True):
        assert len(sock.slack.answers_in(f"C{i:02d}", ts)) == 1


def test_after_a_dropped_connection_the_app_reconnects_and_loses_nothing(
    sock: SocketHarness,
) -> None:
    _burst_across(sock, "drop")
    first, second = sock.stand_in.sessions[:2]
    assert first.closed_at is not None
    assert second.opened_at >= first.closed_at
    # Each connection used a fresh URL; the used ticket was not accepted again.
    assert len(sock.slack.fake.calls_to("apps.connections.open")) >= 2
    assert sock.stand_in.rejected_handshakes == 0


def test_after_a_closed_connection_the_app_reconnects_and_loses_nothing(
    sock: SocketHarness,
) -> None:
    _burst_across(sock, "close_connection")


@pytest.mark.parametrize("reason", ["refresh_requested", "warning", "link_disabled"])
def test_a_disconnect_message_moves_the_app_to_a_new_connection(
    sock: SocketHarness, reason: str
) -> None:
    old = sock.stand_in.disconnect(reason)
    new = sock.stand_in.wait_sessions(2)
    # The app leaves the old connection itself once the new one is open.
    sock.stand_in.wait_for(lambda: old.closed_at is not None)
    assert new.closed_at is None
    ts, envelope = sock.mention(CITED)
    sock.stand_in.wait_acked(envelope["envelope_id"])
    assert envelope["envelope_id"] in [json.loads(m).get("envelope_id") for m in new.received]
    sock.slack.wait_answer("C1", ts)


MALFORMED = [
    ("not json at all", "not JSON"),
    ("[1, 2, 3]", "a JSON list, not an object"),
    (json.dumps({"envelope_id": "e-no-type", "payload": {}}), "no message type"),
    (json.dumps({"type": "mystery", "envelope_id": "e-mystery"}), "unknown message type"),
    (
        json.dumps({"type": "events_api", "payload": {"type": "event_callback"}}),
        "without an envelope_id",
    ),
    (
        json.dumps({"type": "events_api", "envelope_id": "e-str", "payload": "oops"}),
        "payload is not an object",
    ),
    (
        json.dumps(
            {
                "type": "events_api",
                "envelope_id": "e-no-event",
                "payload": {"type": "event_callback", "event_id": "EvBAD1"},
            }
        ),
        "without an event object",
    ),
    (
        json.dumps(
            {
                "type": "events_api",
                "envelope_id": "e-no-event-id",
                "payload": {
                    "type": "event_callback",
                    "event": {"type": "app_mention", "text": "hi", "channel": "C1"},
                },
            }
        ),
        "without an event_id",
    ),
    (
        json.dumps(
            {
                "type": "events_api",
                "envelope_id": "e-no-channel",
                "payload": {
                    "type": "event_callback",
                    "event_id": "EvBAD2",
                    "event": {"type": "app_mention", "text": "hi", "ts": "1.2"},
                },
            }
        ),
        "'app_mention' event without a channel",
    ),
    (
        json.dumps({"type": "slash_commands", "envelope_id": "e-no-cmd", "payload": {"x": 1}}),
        "without a command",
    ),
    (
        json.dumps({"type": "interactive", "envelope_id": "e-no-kind", "payload": {"x": 1}}),
        "interactive payload without a type",
    ),
]


def test_malformed_envelopes_are_rejected_clearly_and_nothing_is_stored(
    sock: SocketHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.slack.socket_mode")
    for raw, _reason in MALFORMED:
        sock.stand_in.send_raw(raw)
    _settle(sock)  # the connection survives and later envelopes are answered
    rejections = [
        r.getMessage() for r in caplog.records if "rejected a malformed" in r.getMessage()
    ]
    assert len(rejections) == len(MALFORMED)
    for (_raw, reason), logged in zip(MALFORMED, rejections, strict=True):
        assert reason in logged
    # Those with an envelope_id are acknowledged, so Slack does not send them again.
    for envelope_id in ("e-no-type", "e-mystery", "e-str", "e-no-event", "e-no-cmd"):
        assert sock.stand_in.acked(envelope_id)
    assert sock.runner.client.rejected == len(MALFORMED)
    # Nothing was claimed, stored or posted for them; only the sentinel was answered.
    assert sock.slack.store.claim("event:EvBAD1")
    assert sock.slack.store.claim("event:EvBAD2")
    assert {m.channel for m in sock.slack.fake.messages.values()} == {"C9"}
    assert len(sock.stand_in.sessions) == 1


@pytest.mark.slow
def test_chipbot_slack_with_an_app_token_answers_over_socket_mode(tmp_path: Path) -> None:
    fake, stand_in = FakeSlack(), SocketModeStandIn()
    fake.socket_mode = stand_in
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_BASE_URL": fake.api_url,
        "CHIPBOT_DATA_DIR": str(tmp_path / "data"),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "slack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        stand_in.wait_sessions(1, timeout=300)
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": f"<@{BOT_USER_ID}> {CITED}",
            "ts": "1690000001.000200",
            "channel": "C1",
            "event_ts": "1690000001.000200",
        }
        envelope = stand_in.event(
            {"type": "event_callback", "team_id": TEAM_ID, "event_id": "EvCLI", "event": event}
        )
        stand_in.wait_acked(envelope["envelope_id"])
        answer = fake.wait_for(
            lambda: [
                m
                for m in fake.thread("C1", event["ts"])
                if any(b.get("type") == "actions" for b in m.blocks)
            ],
            timeout=120,
        )
        assert "[1]" in answer[0].block_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        stand_in.close()
        fake.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_in_socket_mode_health_and_metrics_are_served_on_the_health_port(tmp_path: Path) -> None:
    fake, stand_in = FakeSlack(), SocketModeStandIn()
    fake.socket_mode = stand_in
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_BASE_URL": fake.api_url,
        "CHIPBOT_DATA_DIR": str(tmp_path / "data"),
        "CHIPBOT_SLACK_HEALTH_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "slack", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        stand_in.wait_sessions(1, timeout=300)
        status, body = _get(f"{base}/healthz")
        report = json.loads(body)
        assert (status, report["ok"]) == (200, True)
        assert report["database"]["backend"] == "sqlite"
        assert report["store"]["chunks"] > 0
        assert report["model"]["ok"]
        status, body = _get(f"{base}/metrics")
        assert status == 200
        assert b"chipbot_answer_seconds" in body
        # Events come over the socket: this port takes none.
        post = urllib.request.Request(f"{base}/slack/events", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(post, timeout=30)
        assert refused.value.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        stand_in.close()
        fake.close()
