"""Feeds: `chipbot feeds add/list/remove` and `chipbot watch` on RSS 2.0 and Atom feeds
served from 127.0.0.1 (real feedparser, real index)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.watch import parse_interval
from retrieval.engine import Chipbot
from retrieval.settings import Settings
from retrieval.web.feeds import FeedError, FeedList, parse_feed, watch_once
from tests.web_site import Route, Site, article_page, atom_feed, corpus_articles, rss_feed, serve

ARTICLES = corpus_articles()
RSS_ITEMS = ARTICLES[7], ARTICLES[9]  # the foreign ministry's press conferences
ATOM_ITEMS = ARTICLES[13], ARTICLES[14]  # METI on gallium


@pytest.fixture
def site() -> Iterator[Site]:
    """A site with two feeds and the pages they link to."""
    gen = serve()
    running = next(gen)
    for article in (*RSS_ITEMS, *ATOM_ITEMS):
        running.page(f"/news/{article.stem}.html", article_page(article))
    running.add(
        "/feed.rss",
        Route(
            rss_feed([(a.title, running.url(f"/news/{a.stem}.html"), a.date) for a in RSS_ITEMS]),
            content_type="application/rss+xml",
        ),
    )
    running.add(
        "/atom.xml",
        Route(
            atom_feed([(a.title, f"/news/{a.stem}.html", a.date) for a in ATOM_ITEMS]),
            content_type="application/atom+xml",
        ),
    )
    yield running
    gen.close()


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    """Settings on this test's data dir."""
    return Settings(data_dir=isolated_data_dir, fetch_timeout=5.0)


def follow(settings: Settings, *feeds: tuple[str, str | None]) -> None:
    """Follow ``(url, source)`` feeds."""
    watched = FeedList.load(settings.data_dir)
    for url, source in feeds:
        watched.add(url, source)
    watched.save()


def test_rss_and_atom_entries_give_links_titles_and_dates(site: Site) -> None:
    rss = parse_feed(rss_feed([("A title", site.url("/a.html"), ARTICLES[0].date)]), site.base)
    assert [(i.link, i.title, i.published) for i in rss] == [
        (site.url("/a.html"), "A title", ARTICLES[0].date)
    ]
    atom = parse_feed(atom_feed([("B", "/b.html", ARTICLES[1].date)]), site.url("/atom.xml"))
    assert [(i.link, i.published) for i in atom] == [(site.url("/b.html"), ARTICLES[1].date)]


@pytest.mark.parametrize("data", [b"<html><body>not a feed</body></html>", b"\x00\x01garbage"])
def test_a_malformed_feed_is_an_error_with_a_reason(data: bytes, site: Site) -> None:
    with pytest.raises(FeedError, match="malformed feed"):
        parse_feed(data, site.base)


@pytest.mark.slow
def test_watch_ingests_new_items_of_every_feed_then_costs_one_request_a_feed(
    site: Site, settings: Settings, embedder: Any
) -> None:
    follow(settings, (site.url("/feed.rss"), "MFA briefings"), (site.url("/atom.xml"), None))
    first = watch_once(settings, lambda: embedder)
    assert first.new_items == 4
    assert first.report.counts["added"] == 4
    assert "2 feeds, 0 failed, 4 new items: 4 added" in first.line()
    infos = {a.path: a for a in Chipbot(settings, embedder=embedder).articles()}
    for article in RSS_ITEMS:
        assert infos[site.url(f"/news/{article.stem}.html")].source == "MFA briefings"
    site.hits.clear()
    loaded: list[bool] = []
    second = watch_once(settings, lambda: loaded.append(True) or embedder)
    assert second.new_items == 0
    assert loaded == []  # nothing new: the model is not even loaded
    assert {p: n for p, n in site.hits.items() if p != "/robots.txt"} == {
        "/feed.rss": 1,
        "/atom.xml": 1,
    }


@pytest.mark.slow
def test_a_failing_feed_or_item_costs_a_line_and_is_retried_next_run(
    site: Site, settings: Settings, embedder: Any
) -> None:
    site.add("/broken.rss", Route(b"<rss><channel><item>", content_type="application/rss+xml"))
    follow(settings, (site.url("/broken.rss"), None), (site.url("/feed.rss"), None))
    flaky = f"/news/{RSS_ITEMS[0].stem}.html"
    site.add(flaky, Route(b"busy", status=503))
    first = watch_once(settings, lambda: embedder)
    assert first.report.counts == {**first.report.counts, "added": 1, "skipped": 1}
    assert site.url("/broken.rss") in first.line()
    assert "malformed feed" in first.line()
    site.page(flaky, article_page(RSS_ITEMS[0]))
    second = watch_once(settings, lambda: embedder)
    assert second.new_items == 1  # only the item to retry
    assert second.report.counts["added"] == 1
    feed = FeedList.load(settings.data_dir).get(site.url("/feed.rss"))
    assert feed is not None
    assert feed.failed == {}


@pytest.mark.slow
def test_an_item_page_without_a_date_takes_the_feeds_date(
    site: Site, settings: Settings, embedder: Any
) -> None:
    article = ARTICLES[6]
    link = site.page("/undated.html", article_page(article, meta_date="none"))
    site.add(
        "/undated.rss",
        Route(rss_feed([(article.title, link, article.date)]), content_type="application/rss+xml"),
    )
    follow(settings, (site.url("/undated.rss"), None))
    assert watch_once(settings, lambda: embedder).report.counts["added"] == 1
    [info] = Chipbot(settings, embedder=embedder).articles()
    assert info.date == article.date


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("2h", 7200), ("90s", 90), ("5", 300)]
)
def test_watch_intervals_read_like_people_write_them(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.slow
def test_the_cli_adds_lists_removes_feeds_and_watches_once(site: Site, settings: Settings) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(settings.data_dir)]
    feed = site.url("/atom.xml")
    assert runner.invoke(main, ["feeds", "add", *data, feed, "--source", "METI"]).exit_code == 0
    again = runner.invoke(main, ["feeds", "add", *data, feed])
    assert again.exit_code == 1
    assert "watched already" in again.output
    listed = runner.invoke(main, ["feeds", "list", *data])
    assert feed in listed.output
    assert "source=METI" in listed.output
    watched = runner.invoke(main, ["watch", *data, "--once"])
    assert watched.exit_code == 0, watched.output
    lines = watched.output.strip().splitlines()
    assert len(lines) == 1
    assert "1 feeds, 0 failed, 2 new items: 2 added" in lines[0]
    assert runner.invoke(main, ["feeds", "remove", *data, feed]).exit_code == 0
    assert feed not in runner.invoke(main, ["feeds", "list", *data]).output
