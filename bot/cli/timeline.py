"""``chipbot timeline``: the dated, cited statements on a topic, oldest first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.options import DATE, search_filter
from bot.cli.render import console, dumps, print_timeline
from bot.cli.state import save_last
from retrieval.engine import Chipbot
from retrieval.timeline import DEFAULT_PASSAGES


@click.command()
@click.argument("topic", nargs=-1, required=True)
@click.option(
    "-k",
    "top_k",
    type=click.IntRange(1, 200),
    default=DEFAULT_PASSAGES,
    show_default=True,
    help="How many passages to draw the statements from.",
)
@click.option(
    "--since", type=DATE, default=None, help="Only articles dated on or after YYYY-MM-DD."
)
@click.option(
    "--until", type=DATE, default=None, help="Only articles dated on or before YYYY-MM-DD."
)
@click.option("--source", default=None, help="Only articles from this source.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@common_options
@handle_errors
def timeline(
    topic: tuple[str, ...],
    top_k: int,
    since: dt.datetime | None,
    until: dt.datetime | None,
    source: str | None,
    as_json: bool,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """The statements on TOPIC in date order, one or two sentences per article, cited.

    Relative dates ("on Friday") are followed by the date they mean. `chipbot show N`
    opens statement N in its article.
    """
    text = " ".join(topic).strip()
    if not text:
        raise click.UsageError("give a TOPIC, e.g. chipbot timeline 'Dutch export controls'")
    settings = load_settings(data_dir=data_dir)
    engine = Chipbot.from_settings(settings)
    engine.ensure_index(progress=lambda msg: click.echo(msg, err=True))
    result = engine.timeline(text, flt=search_filter(since, until, source), k=top_k)
    save_last(settings.data_dir, result)
    if as_json:
        click.echo(dumps(result.to_dict()))
    else:
        print_timeline(console(), result)
