"""Choosing and starting a mode: Socket Mode (app token, no --http) or the HTTP server."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.server import SlackServer
from bot.slack.settings import SlackSettings
from bot.slack.socket_mode import SocketModeRunner

Runner = SocketModeRunner | SlackServer


def make_runner(
    app: App, slack: SlackSettings, *, force_http: bool, host: str = "0.0.0.0"
) -> Runner:
    """A Socket Mode handler or an HTTP server around the same ``app``."""
    if slack.socket_mode(force_http):
        assert slack.app_token is not None
        return SocketModeRunner(app, slack.app_token.get_secret_value())
    slack.require_signing_secret()
    return SlackServer(app, host, slack.port)


def make_health_server(app: App, slack: SlackSettings, *, host: str) -> SlackServer | None:
    """In Socket Mode, the ``/healthz`` and ``/metrics`` server on ``health_port`` (if set)."""
    if slack.health_port is None:
        return None
    return SlackServer(app, host, slack.health_port, events=False)


def run(runner: Runner) -> None:
    """Serve until interrupted."""
    if isinstance(runner, SocketModeRunner):
        runner.start()
    else:
        runner.serve_forever()
