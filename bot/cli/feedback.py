"""``chipbot feedback``: the 👍/👎 left on answers in Slack."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object a vote.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the newest N.")
@click.option(
    "--db",
    default=None,
    metavar="URL",
    help="The store: a database URL or a SQLite file "
    "[env CHIPBOT_DATABASE_URL; default: DATA_DIR/feedback.sqlite].",
)
@common_options
@handle_errors
def feedback(
    as_json: bool,
    limit: int | None,
    db: str | None,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """List feedback from Slack: time, vote, user, channel, question (newest first)."""
    from rich.markup import escape
    from rich.table import Table

    from bot.cli.db import store_url
    from bot.cli.render import console, dumps
    from bot.db.urls import sqlite_path
    from bot.slack.settings import load_feedback_settings
    from bot.slack.store import Store, iso_time

    url = store_url(db, data_dir)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        if not as_json:
            click.echo(f"No feedback yet ({path} does not exist).")
        return
    store = Store(url, auto_upgrade=load_feedback_settings().db_auto_upgrade)
    try:
        records = store.list_feedback(limit)
    finally:
        store.close()
    if as_json:
        for record in records:
            click.echo(dumps(record.to_dict()))
        return
    table = Table("time (UTC)", "vote", "user", "channel", "question", "prompt")
    for r in records:
        vote = "👍" if r.vote > 0 else "👎"
        table.add_row(
            iso_time(r.created_at),
            vote,
            escape(r.user),
            escape(r.channel or ""),
            escape(r.question),
            escape(r.prompt_version or ""),
        )
    out = console()
    out.print(table)
    up = sum(1 for r in records if r.vote > 0)
    out.print(f"{len(records)} votes: {up} 👍, {len(records) - up} 👎")
