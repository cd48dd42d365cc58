"""Button listeners: Show sources, Timeline, 👍 and 👎."""

from slack_bolt import App

from bot.slack.blocks import (
    ACTION_FEEDBACK_DOWN,
    ACTION_FEEDBACK_UP,
    ACTION_SHOW_SOURCES,
    ACTION_TIMELINE,
)

from .feedback import feedback_callback
from .show_sources import show_sources_callback
from .timeline import timeline_callback


def register(app: App) -> None:
    """Register the button listeners."""
    app.action(ACTION_SHOW_SOURCES)(show_sources_callback)
    app.action(ACTION_TIMELINE)(timeline_callback)
    app.action(ACTION_FEEDBACK_UP)(feedback_callback)
    app.action(ACTION_FEEDBACK_DOWN)(feedback_callback)
