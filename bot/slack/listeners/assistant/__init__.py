"""Slack's AI-assistant surface, through bolt's ``Assistant`` middleware."""

from slack_bolt import App, Assistant

from .thread_started import thread_started_callback
from .user_message import user_message_callback


def register(app: App) -> None:
    """Register the assistant thread listeners."""
    assistant = Assistant()
    assistant.thread_started(thread_started_callback)
    assistant.user_message(user_message_callback)
    app.assistant(assistant)
