"""👍 / 👎 on an answer: stored with the question, answer and citations."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.slack.answering import APOLOGY
from bot.slack.buttons import Clicked, record_feedback
from bot.slack.services import services_from

logger = logging.getLogger(__name__)


def feedback_callback(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    """Acknowledge, store the vote, and thank the user privately."""
    ack()
    clicked = Clicked.from_body(body, action)
    try:
        note = record_feedback(services_from(context), clicked)
    except Exception:
        logger.exception("storing feedback failed (%s)", clicked.context)
        note = APOLOGY
    respond(response_type="ephemeral", replace_original=False, text=note)
