"""``chipbot feedback``: the 👍/👎 left on answers in Slack."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object a vote.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the newest N.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The store file [env CHIPBOT_FEEDBACK_DB; default: DATA_DIR/feedback.sqlite].",
)
@common_options
@handle_errors
def feedback(
    as_json: bool,
    limit: int | None,
    db: Path | None,
    data_dir: Path | None,
    debug: bool,
    verbose: bool,
) -> None:
    """List feedback from Slack: time, vote, user, channel, question (newest first)."""
    from rich.markup import escape
    from rich.table import Table

    from bot.cli.render import console, dumps
    from bot.slack.settings import load_feedback_settings
    from bot.slack.store import Store, iso_time

    path = db or load_feedback_settings().db_path(load_settings(data_dir=data_dir).data_dir)
    if not path.exists():
        if not as_json:
            click.echo(f"No feedback yet ({path} does not exist).")
        return
    records = Store(path).list_feedback(limit)
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
