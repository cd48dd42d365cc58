"""``chipbot docs``: the indexed articles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import articles_table, console, dumps
from retrieval.engine import Chipbot
from retrieval.models import ArticleInfo, format_date


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object an article.")
@common_options
@handle_errors
def docs(as_json: bool, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """List indexed articles: id, date, title, number of chunks; then the newest date."""
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
    out.print(recency(articles))


def recency(articles: Sequence[ArticleInfo]) -> str:
    """``newest: 1 Aug 2023 (ID); 1 undated``: how current the index is, at a glance."""
    dated = [a for a in articles if a.date is not None]
    undated = len(articles) - len(dated)
    if not dated:
        return "newest: no dated article" + (f"; {undated} undated" if undated else "")
    newest = max(dated, key=lambda a: (a.date or dt.date.min, a.id))
    line = f"newest: {format_date(newest.date)} ({newest.id})"
    return line + (f"; {undated} undated" if undated else "")
