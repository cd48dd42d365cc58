"""``chipbot show``: a citation in its article, the cited span highlighted."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import console, dumps, print_citation
from bot.cli.state import load_citation
from retrieval.engine import Chipbot


@click.command()
@click.argument("ref")
@click.option(
    "--chars",
    type=click.IntRange(0, 5000),
    default=400,
    show_default=True,
    help="Context to show on each side of the span.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the citation and context as JSON.")
@common_options
@handle_errors
def show(
    ref: str, chars: int, as_json: bool, data_dir: Path | None, debug: bool, verbose: bool
) -> None:
    """Show citation REF: a number from the last answer, or ARTICLE_ID:START-END."""
    settings = load_settings(data_dir=data_dir)
    engine = Chipbot.from_settings(settings)
    citation = load_citation(settings.data_dir, int(ref)) if ref.isdigit() else engine.resolve(ref)
    context = engine.context(citation, chars=chars)
    if as_json:
        before, _, after = context
        click.echo(dumps({**citation.to_dict(), "before": before, "after": after}))
    else:
        print_citation(console(), citation, context)
