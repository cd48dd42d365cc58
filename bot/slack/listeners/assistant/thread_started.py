"""A new assistant thread: greet and offer suggested prompts."""

from __future__ import annotations

import logging

from slack_bolt import BoltContext, Say, SetSuggestedPrompts

from bot.slack.services import services_from

logger = logging.getLogger(__name__)

GREETING = (
    "Hi! I answer questions about the semiconductor export-control talks between the US, "
    "Japan and the Netherlands. Every sentence cites an article you can check."
)


def thread_started_callback(
    say: Say, set_suggested_prompts: SetSuggestedPrompts, context: BoltContext
) -> None:
    """Greet the user and set the suggested prompts."""
    services = services_from(context)
    try:
        say(GREETING)
        set_suggested_prompts(prompts=list(services.suggested_prompts), title="Try asking:")
    except Exception:
        logger.exception("could not start the assistant thread (channel=%s)", context.channel_id)
