"""``chipbot watch``: fetch every followed feed and ingest its new items, once or forever."""

from __future__ import annotations

import re
import time
from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from retrieval.engine import Chipbot

#: The shortest wait between two requests to one host while watching.
POLITE_SECONDS = 1.0
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 60}


def parse_interval(text: str) -> float:
    """Seconds in ``30m``, ``2h``, ``90s``, ``1d`` (a bare number is minutes)."""
    match = _INTERVAL.match(text)
    if not match or float(match[1]) <= 0:
        raise click.BadParameter(f"{text!r} is not an interval such as 30m, 2h or 90s")
    return float(match[1]) * _UNIT_SECONDS[match[2].lower()]


@click.command()
@click.option(
    "--interval", default="30m", show_default=True, help="Time between runs (30m, 2h, 90s)."
)
@click.option("--once", is_flag=True, help="One run, then exit (for cron or a systemd timer).")
@common_options
@handle_errors
def watch(interval: str, once: bool, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """Fetch every followed feed (`chipbot feeds add`) and ingest its new items.

    Prints one summary line a run. A feed or an item that fails is retried on the next
    run; nothing aborts the run. Requests to one host are at least 1 s apart.
    """
    from retrieval.web.feeds import watch_once

    seconds = parse_interval(interval)
    settings = load_settings(data_dir=data_dir)
    if settings.fetch_interval < POLITE_SECONDS:
        settings = settings.model_copy(update={"fetch_interval": POLITE_SECONDS})
    engine = Chipbot.from_settings(settings)
    while True:
        run = watch_once(settings, lambda: engine.document_embedder)
        click.echo(run.line())
        if once:
            return
        time.sleep(seconds)
