"""The real app over Socket Mode: the Socket Mode stand-in, the Web API stand-in, and
ways to send the app envelopes as Slack would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.slack.socket_mode import SocketModeRunner
from tests.slack.fake_slack import Message
from tests.slack.slack_harness import Harness
from tests.slack.socket_mode_server import SocketModeStandIn

APP_TOKEN = "xapp-1-A0APP-1-standin"


@dataclass
class SocketHarness:
    """A :class:`Harness`'s app, connected over Socket Mode to :attr:`stand_in`."""

    slack: Harness
    stand_in: SocketModeStandIn
    runner: SocketModeRunner

    @classmethod
    def connect(cls, slack: Harness, *, ping_interval: float | None = None) -> SocketHarness:
        """Start the stand-in, point ``apps.connections.open`` at it, connect the app."""
        stand_in = SocketModeStandIn()
        slack.fake.socket_mode = stand_in
        kwargs = {} if ping_interval is None else {"ping_interval": ping_interval}
        runner = SocketModeRunner(slack.server.app, APP_TOKEN, **kwargs)
        runner.connect()
        stand_in.wait_sessions(1)
        return cls(slack, stand_in, runner)

    def mention(self, text: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        """Deliver an ``app_mention``; returns its ts and the envelope."""
        event = self.slack.mention_event(text, **kwargs)
        return str(event["ts"]), self.stand_in.event(self.slack.event_body(event))

    def dm(self, text: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        """Deliver a ``message.im``; returns its ts and the envelope."""
        event = self.slack.dm_event(text, **kwargs)
        return str(event["ts"]), self.stand_in.event(self.slack.event_body(event))

    def command(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """Deliver ``/ask text``; returns the envelope."""
        return self.stand_in.command(self.slack.command_payload(text, **kwargs))

    def click(self, action_id: str, message: Message, **kwargs: Any) -> dict[str, Any]:
        """Click a button of ``message``; returns the envelope."""
        return self.stand_in.interactive(self.slack.click_payload(action_id, message, **kwargs))

    def close(self) -> None:
        """Disconnect the app and stop the stand-in."""
        self.runner.close()
        self.stand_in.close()
