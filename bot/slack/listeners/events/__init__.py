"""Event listeners: @mentions in channels and direct messages."""

from slack_bolt import App

from .app_mention import app_mention_callback
from .message import message_callback


def register(app: App) -> None:
    """Register the event listeners."""
    app.event("app_mention")(app_mention_callback)
    app.event("message")(message_callback)
