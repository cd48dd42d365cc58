"""Opt-in: links posted in the ``CHIPBOT_SLACK_INGEST_CHANNELS`` channels are added as
articles (the app must subscribe to ``message.channels``, scope ``channels:history``)."""

from slack_bolt import App

from .posted import is_link_post, link_post_callback


def register(app: App) -> None:
    """Register the link listener (before the generic message listener: bolt runs the
    first listener that matches, and this one matches only links in ingest channels)."""
    app.event("message", matchers=[is_link_post])(link_post_callback)
