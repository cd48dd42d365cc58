"""A message in an assistant thread (or any DM thread): answered in the thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.answering import ask_safely
from bot.slack.mrkdwn import clean_incoming
from bot.slack.replies import Question
from bot.slack.services import services_from


def user_message_callback(payload: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Queue the question with the thread's status as the working indicator."""
    text = clean_incoming(payload.get("text", ""), context.bot_user_id)
    question = Question.from_message(payload, text, "assistant", context.team_id)
    ask_safely(services_from(context), client, question)
