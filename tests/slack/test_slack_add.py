"""Adding articles from Slack: `/ask add URL` for allow-listed users and channels, and
links posted in an ingest channel (real app, fake Slack, real engine, a real site)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack.adding import ADD_USAGE, NOT_ALLOWED, add_target, links_in
from bot.slack.app import build_app
from bot.slack.jobs import JobPool
from bot.slack.server import SlackServer
from bot.slack.settings import SlackSettings
from bot.slack.store import Store
from retrieval.engine import Chipbot
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_harness import SECRET, Harness
from tests.web_site import Route, Site, article_page, corpus_articles, serve

ARTICLE = corpus_articles()[11]  # the Dutch ministerial order

pytestmark = pytest.mark.slow


@pytest.fixture
def site() -> Iterator[Site]:
    """The page to add, on 127.0.0.1."""
    gen = serve()
    running = next(gen)
    running.page("/news/dutch-order.html", article_page(ARTICLE))
    running.add("/news/missing.html", Route(b"gone", status=404))
    yield running
    gen.close()


@pytest.fixture
def make_app(
    seed_settings: Any, embedder: Any, tmp_path: Path
) -> Iterator[Callable[..., tuple[Harness, Chipbot]]]:
    """Apps with the ingest settings given, over a private copy of the seed index."""
    made: list[Harness] = []

    def make(**ingest: Any) -> tuple[Harness, Chipbot]:
        fake = FakeSlack()
        slack_settings = SlackSettings(
            bot_token="xoxb-test-token",
            signing_secret=SECRET,
            api_base_url=fake.api_url,
            **{"ingest_private_hosts": True, **ingest},  # the test site is on 127.0.0.1
        )
        engine = Chipbot(seed_settings, embedder=embedder)
        store = Store(slack_settings.db_path(tmp_path / f"app{len(made)}"))
        pool = JobPool(1)
        app = build_app(seed_settings, slack_settings, engine, store=store, pool=pool)
        server = SlackServer(app, "127.0.0.1", 0)
        server.start_in_thread()
        harness = Harness(fake=fake, server=server, store=store, pool=pool)
        made.append(harness)
        return harness, engine

    yield make
    for harness in made:
        harness.close()


def responses(harness: Harness) -> list[str]:
    """The texts posted to the command's response_url so far."""
    return [str(r.get("text", "")) for r in harness.fake.responses]


def test_slack_links_and_the_add_word_are_read_as_people_type_them() -> None:
    text = "see <https://a.example/x?a=1&amp;b=2|this> and https://b.example/y"
    assert links_in(text) == ["https://a.example/x?a=1&b=2", "https://b.example/y"]
    assert add_target("add <https://a.example/x>") == "<https://a.example/x>"
    assert add_target("What was added?") is None


def test_an_allowed_user_adds_a_page_and_is_told_its_title_and_date(
    make_app: Callable[..., tuple[Harness, Chipbot]], site: Site
) -> None:
    slack, engine = make_app(ingest_allow="U_EDITOR")
    url = site.url("/news/dutch-order.html")
    reply = slack.command(f"add <{url}>", user="U_EDITOR")
    assert reply.status == 200
    assert "Adding" in reply.body
    [text] = slack.fake.wait_for(lambda: [t for t in responses(slack) if "Added" in t])
    assert "12 Jan 2023" not in text  # the page's own date, not another article's
    assert "30 Jun 2023" in text
    assert "Government publishes additional" in text
    assert url in {a.path for a in engine.articles()}


def test_a_page_that_cannot_be_added_says_why(
    make_app: Callable[..., tuple[Harness, Chipbot]], site: Site
) -> None:
    slack, _ = make_app(ingest_allow="C_NEWSROOM")
    slack.command(f"add {site.url('/news/missing.html')}", channel="C_NEWSROOM")
    [text] = slack.fake.wait_for(lambda: [t for t in responses(slack) if "Not added" in t])
    assert "HTTP 404" in text


def test_adding_is_refused_off_the_allow_list_and_without_a_url(
    make_app: Callable[..., tuple[Harness, Chipbot]], site: Site
) -> None:
    slack, engine = make_app(ingest_allow="U_EDITOR")
    before = len(engine.articles())
    refused = slack.command(f"add {site.url('/news/dutch-order.html')}", user="U_OTHER")
    assert NOT_ALLOWED in refused.body
    assert ADD_USAGE in slack.command("add", user="U_EDITOR").body
    assert len(engine.articles()) == before
    assert site.hits["/news/dutch-order.html"] == 0


def test_a_page_on_a_private_address_is_refused_unless_allowed(
    make_app: Callable[..., tuple[Harness, Chipbot]], site: Site
) -> None:
    slack, _ = make_app(ingest_allow="U_EDITOR", ingest_private_hosts=False)
    slack.command(f"add {site.url('/news/dutch-order.html')}", user="U_EDITOR")
    [text] = slack.fake.wait_for(lambda: [t for t in responses(slack) if "Not added" in t])
    assert "127.0.0.1 is not a public address" in text
    assert site.hits["/news/dutch-order.html"] == 0


def test_links_posted_in_an_ingest_channel_are_added_and_answered_in_the_thread(
    make_app: Callable[..., tuple[Harness, Chipbot]], site: Site
) -> None:
    slack, engine = make_app(ingest_channels="C_LINKS")
    url = site.url("/news/dutch-order.html")
    ts = slack.next_ts()
    event = {
        "type": "message",
        "channel": "C_LINKS",
        "channel_type": "channel",
        "user": "U1",
        "text": f"New rule published: <{url}>",
        "ts": ts,
        "event_ts": ts,
    }
    assert slack.event(event).status == 200
    reply = slack.wait_thread_text("C_LINKS", ts, "Added")
    assert "Government publishes additional" in reply.all_text()
    assert url in {a.path for a in engine.articles()}
