"""A direct message to the bot: answered in the DM (in its thread when it has one)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import ask_safely
from bot.slack.mrkdwn import clean_incoming
from bot.slack.replies import Question
from bot.slack.services import services_from


def is_user_dm(event: dict[str, Any]) -> bool:
    """A person's new DM: not a bot, not an edit or deletion (those carry a subtype)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def message_callback(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Queue a DM's question; every other message event is acknowledged and ignored."""
    if not is_user_dm(event):
        return
    text = clean_incoming(event.get("text", ""), context.bot_user_id)
    question = Question.from_message(event, text, "dm", context.team_id)
    ask_safely(services_from(context), client, question)
