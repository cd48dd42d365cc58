"""Global bolt middleware: never handle the same Slack event twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.slack.metrics import DUPLICATES
from bot.slack.store import Store

logger = logging.getLogger(__name__)


def skip_seen_events(store: Store) -> Callable[..., BoltResponse | None]:
    """A middleware acknowledging, and dropping, any event whose ``event_id`` was seen.

    Slack retries an event (``X-Slack-Retry-Num``) when it missed the acknowledgement;
    the claim lives in the shared store (SQLite or PostgreSQL), so it holds across
    processes and hosts too.
    """

    def skip_seen(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not _claim(store, f"event:{event_id}"):
            logger.info("dropping a repeated delivery of event %s", event_id)
            DUPLICATES.inc()
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_seen


def _claim(store: Store, key: str) -> bool:
    """Claim ``key``; with a broken store, let the event through (the asker gets an answer
    or an apology rather than silence)."""
    try:
        return store.claim(key)
    except Exception:
        logger.exception("the dedupe store failed; handling %s anyway", key)
        return True
