"""``chipbot slack``: run the Slack app (Socket Mode or HTTP)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from retrieval.errors import ConfigError


@click.command()
@click.option(
    "--http", "force_http", is_flag=True, help="Serve HTTP even if SLACK_APP_TOKEN is set."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="HTTP port [env PORT; default 3000].",
)
@click.option(
    "--health-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Socket Mode: serve /healthz and /metrics on this port "
    "[env CHIPBOT_SLACK_HEALTH_PORT; default: off].",
)
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP interface to bind.")
@common_options
@handle_errors
def slack(
    force_http: bool,
    port: int | None,
    health_port: int | None,
    host: str,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on --port.

    Needs SLACK_BOT_TOKEN, plus SLACK_SIGNING_SECRET in HTTP mode (see docs/slack.md).
    """
    from slack_bolt.error import BoltError

    from bot.slack.app import build_app
    from bot.slack.runner import make_health_server, make_runner, run
    from bot.slack.server import EVENTS_PATH, HEALTH_PATH, METRICS_PATH, SlackServer
    from bot.slack.settings import load_slack_settings
    from retrieval.engine import Chipbot

    settings = load_settings(data_dir=data_dir)
    slack_settings = load_slack_settings(port=port, health_port=health_port)
    socket_mode = slack_settings.socket_mode(force_http)
    if not socket_mode:
        slack_settings.require_signing_secret()
    engine = Chipbot.from_settings(settings)  # cheap: models load in warm()
    try:
        app = build_app(settings, slack_settings, engine)
    except BoltError:
        # bolt checks the token with auth.test; its message is not shown (no secrets).
        raise ConfigError(
            f"Slack did not accept SLACK_BOT_TOKEN (auth.test at {slack_settings.api_base_url})"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot reach Slack at {slack_settings.api_base_url} (SLACK_API_BASE_URL): "
            f"{type(exc).__name__}"
        ) from None
    engine.ensure_index(progress=lambda message: click.echo(message, err=True))
    engine.warm()
    try:
        runner = make_runner(app, slack_settings, force_http=force_http, host=host)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{slack_settings.port}: {exc.strerror}"
        ) from None
    if isinstance(runner, SlackServer):
        base = f"http://{host}:{runner.port}"
        click.echo(f"chipbot serves {base}{EVENTS_PATH} (health: {HEALTH_PATH}).", err=True)
    else:
        try:
            health = make_health_server(app, slack_settings, host=host)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{slack_settings.health_port}: {exc.strerror}"
            ) from None
        if health is not None:
            health.start_in_thread()
            base = f"http://{host}:{health.port}"
            click.echo(f"chipbot serves {base}{HEALTH_PATH} and {base}{METRICS_PATH}.", err=True)
        click.echo("chipbot is connecting to Slack in Socket Mode. Ctrl-C stops it.", err=True)
    run(runner)
