"""The Slack Web API client: configurable base URL, retries for rate limits and hiccups."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.settings import SlackSettings

API_TIMEOUT_S = 30


def retry_handlers() -> list[RetryHandler]:
    """429 (honouring Retry-After), 500/503 and dropped connections, with backoff."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
        ConnectionErrorRetryHandler(max_retry_count=2),
    ]


def make_web_client(slack: SlackSettings) -> WebClient:
    """A WebClient for ``slack.api_base_url`` with the bot token and the retry policy."""
    return WebClient(
        token=slack.bot_token.get_secret_value(),
        base_url=slack.api_base_url,
        timeout=API_TIMEOUT_S,
        retry_handlers=retry_handlers(),
    )
