"""Slash command listeners: ``/ask``."""

from slack_bolt import App

from .ask import ask_command_callback


def register(app: App) -> None:
    """Register the slash command listeners."""
    app.command("/ask")(ask_command_callback)
