"""Bolt listeners, one small callback per file, registered the same way for every mode."""

from slack_bolt import App

from bot.slack.listeners import actions, assistant, commands, events, links


def register_listeners(app: App) -> None:
    """Register every listener on ``app`` (HTTP and Socket Mode use the same set)."""
    # The assistant middleware goes first: it claims messages in assistant threads.
    assistant.register(app)
    links.register(app)  # claims only links posted in ingest channels (opt-in)
    events.register(app)
    commands.register(app)
    actions.register(app)
