"""``chipbot db``: the Slack app's database (``CHIPBOT_DATABASE_URL``) and its schema."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings

DB_OPTION_HELP = (
    "Database URL or SQLite file [env CHIPBOT_DATABASE_URL; default: DATA_DIR/feedback.sqlite]."
)


def store_url(target: str | None, data_dir: Path | None) -> str:
    """The URL given by ``--db``, else the one the settings name."""
    from bot.db.urls import normalise
    from bot.slack.settings import load_feedback_settings

    if target:
        return normalise(target)
    data = load_settings(data_dir=data_dir).data_dir
    return load_feedback_settings().store_url(data)


@click.group()
def db() -> None:
    """The Slack app's database: schema revision and migrations."""


@db.command()
@click.option("--db", "target", default=None, metavar="URL", help=DB_OPTION_HELP)
@click.option("--revision", default="head", show_default=True, help="Upgrade to this revision.")
@common_options
@handle_errors
def upgrade(
    target: str | None, revision: str, data_dir: Path | None, debug: bool, verbose: bool
) -> None:
    """Bring the database's schema to this chipbot's newest revision (creating it if new)."""
    from sqlalchemy.exc import OperationalError

    from bot.db.engine import make_engine, unreachable
    from bot.db.migrate import upgrade as run_upgrade
    from bot.db.urls import redacted

    url = store_url(target, data_dir)
    engine = make_engine(url)
    try:
        before, after = run_upgrade(engine, revision)
    except OperationalError as exc:
        raise unreachable(url, exc) from None
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"{redacted(url)} is at revision {after}: nothing to do.")
    else:
        click.echo(f"{redacted(url)} upgraded from {before or 'none'} to {after}.")


@db.command()
@click.option("--db", "target", default=None, metavar="URL", help=DB_OPTION_HELP)
@common_options
@handle_errors
def current(target: str | None, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """Show the database's schema revision and this chipbot's newest."""
    from sqlalchemy.exc import OperationalError

    from bot.db.engine import make_engine, unreachable
    from bot.db.migrate import current_revision, head_revision
    from bot.db.urls import redacted, sqlite_path

    url = store_url(target, data_dir)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        click.echo(f"{path} does not exist yet (`chipbot db upgrade` or the Slack app makes it).")
        return
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise unreachable(url, exc) from None
    finally:
        engine.dispose()
    head = head_revision()
    state = "up to date" if revision == head else "run `chipbot db upgrade`"
    click.echo(f"{redacted(url)}: revision {revision or 'none'} (newest {head}: {state})")


@db.command(name="import")
@click.argument("source")
@click.option("--db", "target", default=None, metavar="URL", help=DB_OPTION_HELP)
@common_options
@handle_errors
def import_store(
    source: str, target: str | None, data_dir: Path | None, debug: bool, verbose: bool
) -> None:
    """Copy the answers and feedback of SOURCE (a store file or URL) into the database.

    For moving from the default SQLite file to a shared PostgreSQL database: rows the
    database already has are kept, so running it twice copies nothing new.
    """
    from bot.db.transfer import copy_store
    from bot.db.urls import normalise, redacted, sqlite_path
    from bot.slack.store import Store
    from retrieval.errors import ConfigError

    source_url = normalise(source)
    path = sqlite_path(source_url)
    if path is not None and not path.exists():
        raise ConfigError(f"{path} does not exist")
    url = store_url(target, data_dir)
    if url == source_url:
        raise ConfigError("SOURCE is the database itself: name another store")
    from_store, to_store = Store(source_url), Store(url)
    try:
        copied = copy_store(from_store, to_store)
    finally:
        from_store.close()
        to_store.close()
    click.echo(
        f"copied {copied['answers']} answers and {copied['feedback']} votes into {redacted(url)}."
    )
