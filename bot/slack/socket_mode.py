"""Socket Mode: the app's own WebSocket connection to Slack, every message checked first.

slack_sdk's websocket-client based client is used because it notices a connection that
closed or dropped at once and reconnects (a fresh URL from ``apps.connections.open``);
its ping interval also bounds how long a ``disconnect`` (refresh) takes to act on, so it
is kept short. Before anything is dispatched, each message is checked: a malformed
envelope is rejected with a log line naming the reason, acknowledged when it has an
``envelope_id`` (so Slack does not redeliver what can never be handled) and never reaches
the listeners, so nothing is claimed, stored or posted for it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.websocket_client import SocketModeClient

from bot.slack.envelopes import EnvelopeError, check_message

logger = logging.getLogger(__name__)

#: Seconds between pings; a refresh or a silent drop is acted on within about this long.
PING_INTERVAL_S = 2.0
MAX_REASON_CHARS = 200


class CheckedSocketModeClient(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, rejecting malformed messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rejected = 0
        self._rejected_lock = threading.Lock()

    def connect(self) -> None:
        """Open a new connection, then let the old one's reader go.

        slack_sdk closes the old connection from this thread, which may leave its reader
        asleep in ``select`` for up to ten seconds, and the new connection starts only
        when that reader returns; hanging up first wakes it at once.
        """
        _hang_up(self.current_session)
        super().connect()

    def enqueue_message(self, message: str) -> None:
        """Queue ``message`` for the listeners, or reject it (see :func:`check_message`)."""
        try:
            check_message(message)
        except EnvelopeError as exc:
            self.reject(exc)
            return
        super().enqueue_message(message)

    def reject(self, error: EnvelopeError) -> None:
        """Log why, and acknowledge the envelope when it can be named."""
        with self._rejected_lock:
            self.rejected += 1
        logger.warning(
            "rejected a malformed Socket Mode message: %s (envelope_id=%s)",
            error.reason[:MAX_REASON_CHARS],
            error.envelope_id,
        )
        if error.envelope_id is None:
            return
        try:
            self.send_socket_mode_response({"envelope_id": error.envelope_id})
        except Exception:
            logger.exception("could not acknowledge the rejected envelope %s", error.envelope_id)


def _hang_up(session: object) -> None:
    """Close a websocket-client session's connection now: a close frame, then the socket
    shut both ways, which wakes a reader sleeping in ``select`` on it (closing the
    socket alone does not)."""
    ws = getattr(session, "sock", None)
    raw = getattr(ws, "sock", None)
    if not isinstance(raw, socket.socket):
        return
    with contextlib.suppress(Exception):
        ws.send_close()  # type: ignore[union-attr]
    with contextlib.suppress(OSError):
        raw.shutdown(socket.SHUT_RDWR)


class SocketModeRunner(BaseSocketModeHandler):
    """Runs a bolt ``app`` over Socket Mode with :class:`CheckedSocketModeClient`.

    Each envelope is dispatched to the app like an HTTP request (listeners acknowledge
    first and do the work in the pool) and acknowledged with the app's response.
    """

    app: App
    client: CheckedSocketModeClient

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        ping_interval: float = PING_INTERVAL_S,
        concurrency: int = 10,
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.client = CheckedSocketModeClient(
            app_token=app_token,
            logger=logging.getLogger("slack_sdk.socket_mode"),
            web_client=app.client,
            ping_interval=ping_interval,
            concurrency=concurrency,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def close(self) -> None:
        """Leave the connection and stop the client's threads.

        The receiving thread sleeps in ``select`` until data or a ping is due; after the
        close frame, shutting the socket down wakes it now instead of up to ten seconds
        later.
        """
        self.client.auto_reconnect_enabled = False
        _hang_up(self.client.current_session)
        self.client.close()

    def handle(self, client: CheckedSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        """Dispatch one envelope to the app and acknowledge it."""
        start = time.time()
        response = run_bolt_app(self.app, req)
        if response.status != 200:
            logger.info(
                "the app did not accept a %s envelope (status %s, envelope_id=%s)",
                req.type,
                response.status,
                req.envelope_id,
            )
        send_response(client, req, response, start)
