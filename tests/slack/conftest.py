"""Fixtures for the Slack app tests: a real engine over the seeds (built once a session),
the fake Web API server, and the real bolt app served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The helpers live beside this file under names no other test folder uses.
sys.path.insert(0, str(Path(__file__).parent))

from bot.slack.app import build_app
from bot.slack.jobs import JobPool
from bot.slack.server import SlackServer
from bot.slack.services import Engine
from bot.slack.settings import SlackSettings
from bot.slack.store import Store
from retrieval.settings import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_harness import SECRET, Harness, MakeHarness


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """One real Chipbot over the seeds, index built once a session, models warm."""
    from retrieval.engine import Chipbot

    bot = Chipbot.from_settings(Settings(data_dir=tmp_path_factory.mktemp("slack-engine")))
    bot.ensure_index()
    bot.warm()
    return bot


@pytest.fixture(scope="session")
def seed_text() -> Callable[[str], str]:
    """article id -> the seed file's text (offsets count into this)."""
    root = Path(__file__).resolve().parents[2] / "seeds"
    texts = {p.stem: p.read_text(encoding="utf-8") for p in root.glob("*.txt")}
    return texts.__getitem__


@pytest.fixture
def make_harness(engine: Engine, tmp_path: Path) -> Iterator[MakeHarness]:
    """Build and start apps (the factory takes the engine and settings as arguments)."""
    made: list[Harness] = []

    def make(
        *,
        engine_override: Engine | None = None,
        channels: tuple[str, ...] = (),
        workers: int = 2,
        max_queued: int = 100,
        pool: JobPool | None = None,
    ) -> Harness:
        fake = FakeSlack()
        slack_settings = SlackSettings(
            bot_token="xoxb-test-token",
            signing_secret=SECRET,
            api_base_url=fake.api_url,
            channels=",".join(channels),
            workers=workers,
            max_queued=max_queued,
        )
        data_dir = tmp_path / f"app{len(made)}"
        store = Store(slack_settings.db_path(data_dir))
        pool = pool or JobPool(workers, max_queued)
        app = build_app(
            Settings(data_dir=data_dir),
            slack_settings,
            engine_override or engine,
            store=store,
            pool=pool,
        )
        server = SlackServer(app, "127.0.0.1", 0)
        server.start_in_thread()
        harness = Harness(fake=fake, server=server, store=store, pool=pool)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def slack(make_harness: MakeHarness) -> Harness:
    """The app with the real engine and default settings."""
    return make_harness()
