"""``chipbot show``: a citation in its article, the cited span highlighted.

Relative dates in the text shown ("on Friday", "last week") are followed by the date
they mean, resolved against the article's date: for reading only; the citation's quote
and offsets stay the file's own.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import console, dumps, print_citation
from bot.cli.state import load_citation
from retrieval.engine import Chipbot
from retrieval.reldates import annotate, resolve


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
        dates = [
            {"phrase": r.phrase, "start": r.start, "end": r.end, "date": r.label}
            for r in resolve(citation.quote, citation.date)
        ]
        click.echo(
            dumps(
                {
                    **citation.to_dict(),
                    "before": before,
                    "after": after,
                    "annotated": annotate(citation.quote, citation.date),
                    "relative_dates": dates,  # offsets into the quote
                }
            )
        )
    else:
        shown = tuple(annotate(part, citation.date) for part in context)
        print_citation(console(), citation, (shown[0], shown[1], shown[2]))
