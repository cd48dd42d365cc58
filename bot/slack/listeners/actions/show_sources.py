"""**Show sources**: post the full cited passages, in context, in the answer's thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answering import APOLOGY
from bot.slack.buttons import Clicked, post_sources
from bot.slack.services import services_from

logger = logging.getLogger(__name__)


def show_sources_callback(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """Acknowledge, then post the sources (or say why not)."""
    ack()
    clicked = Clicked.from_body(body, action)
    try:
        note = post_sources(services_from(context), client, clicked, respond)
    except Exception:
        logger.exception("showing sources failed (%s)", clicked.context)
        note = APOLOGY
    if note:
        respond(response_type="ephemeral", replace_original=False, text=note)
