"""``@chipbot question`` in a channel: answered in the message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import ask_safely
from bot.slack.mrkdwn import clean_incoming
from bot.slack.replies import Question
from bot.slack.services import services_from


def app_mention_callback(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Queue the mentioned question; bots and edited messages are ignored."""
    if event.get("bot_id") or event.get("subtype") or event.get("edited"):
        return
    text = clean_incoming(event.get("text", ""), context.bot_user_id)
    question = Question.from_message(event, text, "mention", context.team_id)
    ask_safely(services_from(context), client, question)
