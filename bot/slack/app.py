"""The app factory: one bolt ``App`` with every listener, for HTTP and Socket Mode alike."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.client import make_web_client
from bot.slack.health import attach
from bot.slack.jobs import JobPool
from bot.slack.listeners import register_listeners
from bot.slack.metrics import MeteredEngine, watch
from bot.slack.middleware import skip_seen_events
from bot.slack.services import Engine, Services
from bot.slack.settings import SlackSettings
from bot.slack.store import Store
from retrieval.settings import Settings

LISTENER_THREADS = 16


def build_app(
    settings: Settings,
    slack_settings: SlackSettings,
    engine: Engine,
    web_client: WebClient | None = None,
    *,
    store: Store | None = None,
    pool: JobPool | None = None,
) -> App:
    """A bolt app answering with ``engine``; store and pool are made from the settings if absent."""
    services = Services(
        engine=MeteredEngine(engine),
        store=store
        or Store(
            slack_settings.store_url(settings.data_dir),
            auto_upgrade=slack_settings.db_auto_upgrade,
        ),
        pool=pool or JobPool(slack_settings.workers, slack_settings.max_queued),
        slack=slack_settings,
    )
    secret = slack_settings.signing_secret
    app = App(
        client=web_client or make_web_client(slack_settings),
        signing_secret=secret.get_secret_value() if secret else "",
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="bolt"),
    )
    attach(app, services)
    watch(services.pool)
    app.use(services.middleware())
    app.use(skip_seen_events(services.store))
    register_listeners(app)
    return app
