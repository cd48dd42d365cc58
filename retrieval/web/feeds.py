"""Feeds to watch (RSS 2.0, Atom, …, read by feedparser) and one watch run.

The feed list lives in the data dir (``DATA_DIR/feeds.json``) with each feed's state: its
HTTP validators (so an unchanged feed costs one conditional request), the item links
already ingested, and the items that failed, retried on the next runs (at most
:data:`MAX_ATTEMPTS` runs, then given up with a log line). A run never aborts: a feed
that cannot be fetched or parsed costs its own line in the run's summary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.errors import ChipbotError, IngestError
from retrieval.settings import Settings

logger = logging.getLogger(__name__)

FEEDS_FILE = "feeds.json"
MAX_ATTEMPTS = 3
_SEEN_LIMIT = 10_000  # links remembered per feed (oldest forgotten first)


class FeedError(IngestError):
    """A feed that could not be read, with a one-line reason."""


@dataclass
class Feed:
    """One watched feed and what chipbot remembers about it."""

    url: str
    source: str | None = None
    added: str = ""
    etag: str = ""
    last_modified: str = ""
    last_checked: str = ""
    last_error: str = ""
    seen: list[str] = field(default_factory=list)
    failed: dict[str, int] = field(default_factory=dict)  # item link -> failed runs


@dataclass(frozen=True)
class FeedItem:
    """An entry of a feed: the article's link, title and date (either may be missing)."""

    link: str
    title: str = ""
    published: dt.date | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class FeedList:
    """The watched feeds, saved atomically to ``DATA_DIR/feeds.json``."""

    def __init__(self, path: Path, feeds: list[Feed]) -> None:
        self.path = path
        self.feeds = feeds

    @classmethod
    def load(cls, data_dir: Path) -> FeedList:
        """The saved list (empty when there is none yet)."""
        path = Path(data_dir) / FEEDS_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path, [])
        except (OSError, ValueError) as exc:
            raise ChipbotError(f"cannot read the feed list {path}: {exc}") from None
        names = {f.name for f in dataclasses.fields(Feed)}
        return cls(path, [Feed(**{k: v for k, v in f.items() if k in names}) for f in raw])

    def save(self) -> None:
        """Write the list (a crash leaves the previous version)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".feeds-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump([dataclasses.asdict(feed) for feed in self.feeds], f, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, url: str) -> Feed | None:
        """The feed watched at ``url``, if any."""
        return next((f for f in self.feeds if f.url == url), None)

    def add(self, url: str, source: str | None = None) -> Feed:
        """Watch ``url`` (:class:`ChipbotError` when it is watched already)."""
        from retrieval.web.sources import is_url

        if not is_url(url):
            raise ChipbotError(f"{url!r} is not an http(s):// URL")
        if self.get(url) is not None:
            raise ChipbotError(f"{url} is watched already")
        feed = Feed(url=url, source=source, added=_now())
        self.feeds.append(feed)
        return feed

    def remove(self, url: str) -> bool:
        """Stop watching ``url``; False when it was not watched."""
        feed = self.get(url)
        if feed is None:
            return False
        self.feeds.remove(feed)
        return True


def parse_feed(data: bytes, base_url: str) -> list[FeedItem]:
    """The entries of feed ``data`` with a link; :class:`FeedError` for a malformed feed."""
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": base_url})
    items = []
    for entry in parsed.get("entries", []):
        link = str(entry.get("link") or "").strip()
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = dt.date(*stamp[:3]) if stamp else None
        items.append(FeedItem(link, " ".join(str(entry.get("title") or "").split()), published))
    # feedparser reads what it can of a broken feed ("bozo"): only one that yielded
    # no linked entry at all is refused.
    if parsed.get("bozo") and not items:
        problem = str(parsed.get("bozo_exception") or "unreadable").splitlines()[0]
        raise FeedError(f"malformed feed: {problem}")
    if not parsed.get("version") and not items:
        raise FeedError("malformed feed: not RSS or Atom")
    return items


@dataclass
class WatchRun:
    """What one run did: feeds read, new items and their ingest report, feeds failed."""

    feeds: int = 0
    new_items: int = 0
    failed_feeds: list[tuple[str, str]] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    report: Any = None  # retrieval.ingest.IngestReport (imported lazily)

    def line(self) -> str:
        """The run's one summary line."""
        ingested = self.report.summary() if self.report is not None else "nothing to ingest"
        parts = [
            f"{_now()} watch: {self.feeds} feeds, {len(self.failed_feeds)} failed, "
            f"{self.new_items} new items: {ingested}"
        ]
        parts += [f"{url}: {reason}" for url, reason in self.failed_feeds]
        return "; ".join(parts)


def _fetch_items(feed: Feed, fetcher: Any) -> list[FeedItem]:
    """The feed's items, or [] when it did not change (a 304)."""
    from retrieval.web.fetch import FEED_TYPES, FetchError

    try:
        page = fetcher.get(
            feed.url,
            accept=(*FEED_TYPES, "text/plain"),
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
        )
    except FetchError as exc:
        raise FeedError(exc.reason) from None
    if page.not_modified:
        return []
    items = parse_feed(page.content, page.final_url)
    # Validators are kept only once the feed parsed: a bad version is fetched again.
    feed.etag, feed.last_modified = page.etag or "", page.last_modified or ""
    return items


def watch_once(
    settings: Settings, embed: Callable[[], Any], *, feeds: FeedList | None = None
) -> WatchRun:
    """Fetch every feed, ingest the items not seen yet (and those to retry), save state.

    An item's page without a date of its own takes the feed's date for it.

    ``embed`` returns the document embedder; it is only called when there is something
    to ingest, so a run that finds nothing new never loads the model.
    """
    from retrieval.ingest import ingest
    from retrieval.web.fetch import Fetcher, FetchLimits
    from retrieval.web.refresh import UrlHints

    feeds = feeds or FeedList.load(settings.data_dir)
    run = WatchRun(feeds=len(feeds.feeds))
    wanted: dict[str, Feed] = {}
    sources: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    limits = FetchLimits(
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_page_bytes,
        max_redirects=settings.max_redirects,
        per_host_interval=settings.fetch_interval,
    )
    with Fetcher(limits) as fetcher:
        for feed in feeds.feeds:
            feed.last_checked = _now()
            try:
                items = _fetch_items(feed, fetcher)
            except FeedError as exc:
                feed.last_error = str(exc)
                run.failed_feeds.append((feed.url, str(exc)))
                logger.warning("feed %s: %s", feed.url, exc)
                items = []
            else:
                feed.last_error = ""
            seen = set(feed.seen)
            links = [i.link for i in items if i.link not in seen] + list(feed.failed)
            dates.update((i.link, i.published) for i in items if i.published)
            for link in dict.fromkeys(links):
                wanted.setdefault(link, feed)
                if feed.source:
                    sources[link] = feed.source
        run.new_items = len(wanted)
        if wanted:
            # The same client: the per-host waits span the feed and its items.
            hints = UrlHints(sources=sources, dates=dates, fetcher=fetcher)
            run.report = ingest(list(wanted), settings, embed(), hints=hints)
            _record(run, wanted)
    feeds.save()
    return run


def _record(run: WatchRun, wanted: dict[str, Feed]) -> None:
    """Mark ingested (or duplicate) items seen; count failures, giving up after a few."""
    for item in run.report.items:
        feed = wanted.get(item.path)
        if feed is None:
            continue
        done = item.status != "skipped" or item.reason.startswith("duplicate of")
        if not done:
            feed.failed[item.path] = feed.failed.get(item.path, 0) + 1
            if feed.failed[item.path] < MAX_ATTEMPTS:
                continue
            logger.warning(
                "giving up on %s after %d runs: %s", item.path, MAX_ATTEMPTS, item.reason
            )
            run.given_up.append(item.path)
        feed.failed.pop(item.path, None)
        feed.seen.append(item.path)
        del feed.seen[:-_SEEN_LIMIT]
