"""Socket Mode uses the very same app and listeners as HTTP mode."""

from __future__ import annotations

import json

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.slack.listeners.actions import (
    feedback_callback,
    show_sources_callback,
    timeline_callback,
)
from bot.slack.listeners.commands import ask_command_callback
from bot.slack.listeners.events import app_mention_callback, message_callback
from bot.slack.listeners.links import link_post_callback
from bot.slack.runner import make_runner
from bot.slack.server import SlackServer
from bot.slack.settings import SlackSettings
from bot.slack.socket_mode import SocketModeRunner
from tests.slack.slack_harness import CITED, Harness


def _settings(**extra: str) -> SlackSettings:
    return SlackSettings(bot_token="xoxb-t", signing_secret="s", **extra)


def _listener_names(app: App) -> list[str]:
    return sorted(listener.ack_function.__name__ for listener in app._listeners)


def test_socket_mode_and_http_wrap_the_same_app(slack: Harness) -> None:
    app = slack.server.app
    socket = make_runner(app, _settings(app_token="xapp-1-A-1-x"), force_http=False)
    http = make_runner(app, _settings(app_token="xapp-1-A-1-x", port="0"), force_http=True)
    try:
        assert isinstance(socket, SocketModeRunner)
        assert isinstance(http, SlackServer)
        assert socket.app is app
        assert http.app is app
    finally:
        if isinstance(socket, SocketModeRunner):
            socket.close()
        if isinstance(http, SlackServer):
            http.server_close()


def test_without_an_app_token_the_app_serves_http(slack: Harness) -> None:
    runner = make_runner(slack.server.app, _settings(port="0"), force_http=False)
    try:
        assert isinstance(runner, SlackServer)
    finally:
        if isinstance(runner, SlackServer):
            runner.server_close()


def test_the_app_registers_every_listener_and_the_assistant(slack: Harness) -> None:
    app = slack.server.app
    assert _listener_names(app) == sorted(
        f.__name__
        for f in (
            app_mention_callback,
            link_post_callback,
            message_callback,
            ask_command_callback,
            show_sources_callback,
            timeline_callback,
            feedback_callback,
            feedback_callback,
        )
    )
    assert "Assistant" in [type(m).__name__ for m in app._middleware_list]


def test_a_socket_mode_event_is_answered_through_the_same_listeners(slack: Harness) -> None:
    event = slack.mention_event(CITED)
    payload = {"type": "event_callback", "team_id": "T0TEAM", "event_id": "EvSOCK", "event": event}
    request = SocketModeRequest(type="events_api", envelope_id="env-1", payload=payload)
    response = run_bolt_app(slack.server.app, request)
    assert response.status == 200
    [answer] = slack.wait_answer("C1", event["ts"])
    assert json.dumps(answer.blocks)
