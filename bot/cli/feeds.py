"""``chipbot feeds add/list/remove``: the RSS/Atom feeds ``chipbot watch`` follows."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import common_options, handle_errors, load_settings
from bot.cli.render import dumps
from retrieval.web.feeds import FeedList


@click.group()
def feeds() -> None:
    """The feeds `chipbot watch` follows (kept in the data dir)."""


@feeds.command("add")
@click.argument("url")
@click.option("--source", default=None, help="Source name for its articles (default: the site's).")
@common_options
@handle_errors
def add(url: str, source: str | None, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """Follow the RSS or Atom feed at URL."""
    settings = load_settings(data_dir=data_dir)
    watched = FeedList.load(settings.data_dir)
    watched.add(url, source)
    watched.save()
    click.echo(f"watching {url}" + (f" (source: {source})" if source else ""))


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a feed.")
@common_options
@handle_errors
def list_feeds(as_json: bool, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """The followed feeds, when each was last checked, and its last error."""
    settings = load_settings(data_dir=data_dir)
    for feed in FeedList.load(settings.data_dir).feeds:
        if as_json:
            click.echo(
                dumps(
                    {
                        "url": feed.url,
                        "source": feed.source,
                        "added": feed.added,
                        "last_checked": feed.last_checked or None,
                        "last_error": feed.last_error or None,
                        "items_seen": len(feed.seen),
                        "items_to_retry": len(feed.failed),
                    }
                )
            )
            continue
        checked = feed.last_checked or "never checked"
        line = f"{feed.url}  source={feed.source or '-'}  {checked}  {len(feed.seen)} items"
        click.echo(line + (f"  last error: {feed.last_error}" if feed.last_error else ""))


@feeds.command("remove")
@click.argument("url")
@common_options
@handle_errors
def remove(url: str, data_dir: Path | None, debug: bool, verbose: bool) -> None:
    """Stop following the feed at URL (its articles stay indexed)."""
    settings = load_settings(data_dir=data_dir)
    watched = FeedList.load(settings.data_dir)
    if not watched.remove(url):
        raise click.UsageError(f"{url} is not a followed feed (see `chipbot feeds list`)")
    watched.save()
    click.echo(f"no longer watching {url}")
