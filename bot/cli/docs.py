"""``chipbot docs``: the indexed articles."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import articles_table, console, dumps
from retrieval.engine import Chipbot


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object an article.")
@common_options
@handle_errors
def docs(as_json: bool, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """List indexed articles: id, date, title, number of chunks."""
    engine = Chipbot.from_settings(load_settings(data_dir=data_dir))
    articles = engine.articles()
    if as_json:
        for a in articles:
            click.echo(
                dumps(
                    {
                        "id": a.id,
                        "date": a.date.isoformat() if a.date else None,
                        "title": a.title,
                        "path": a.path,
                        "chunks": a.n_chunks,
                        "source": a.source,
                        "url": a.url,
                    }
                )
            )
        return
    out = console()
    out.print(articles_table(articles))
    out.print(f"{len(articles)} articles, {sum(a.n_chunks for a in articles)} chunks")
