"""**Timeline**: post the dated statements on an answer's question in its thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.answering import APOLOGY
from bot.slack.buttons import Clicked, request_timeline
from bot.slack.services import services_from

logger = logging.getLogger(__name__)


def timeline_callback(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """Acknowledge, then queue the timeline (or say why not)."""
    ack()
    clicked = Clicked.from_body(body, action)
    try:
        note = request_timeline(services_from(context), client, clicked, respond)
    except Exception:
        logger.exception("queueing the timeline failed (%s)", clicked.context)
        note = APOLOGY
    if note:
        respond(response_type="ephemeral", replace_original=False, text=note)
