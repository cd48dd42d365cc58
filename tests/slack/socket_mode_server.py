"""A local WebSocket server standing in for Slack's Socket Mode endpoint (loopback only).

It speaks the wire protocol slack_sdk's clients expect: ``apps.connections.open`` on the
Web API stand-in hands out a single-use ``ws://127.0.0.1:PORT/link/?ticket=…&app_id=…``
URL; on connecting the client gets a ``hello``; envelopes carry ``envelope_id``, ``type``
(``events_api``, ``slash_commands``, ``interactive``), ``payload``,
``accepts_response_payload`` and, for events, ``retry_attempt``/``retry_reason``; the
client acknowledges each with ``{"envelope_id": …}`` (plus ``payload`` for a response).

Like Slack, it redelivers every event left unacknowledged when a connection goes away
(``retry_attempt`` + 1, ``retry_reason`` "timeout") on a live connection, and holds
envelopes sent while no client is connected until one is. It can send ``disconnect``
messages (``refresh_requested``, ``warning``, ``link_disabled``), close a connection with a
close frame, or drop it outright (TCP closed, no close frame), and it records when each
connection opened and closed so reconnect times can be measured.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.waiting import wait_until

APP_ID = "A0APP"
RETRY_REASON = "timeout"


@dataclass
class Session:
    """One client connection as the stand-in saw it."""

    number: int
    connection: ServerConnection
    opened_at: float
    closed_at: float | None = None
    received: list[str] = field(default_factory=list)


class SocketModeStandIn:
    """The Socket Mode server; register it on the Web API stand-in with
    ``FakeSlack.socket_mode = stand_in``."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.sessions: list[Session] = []
        self.acks: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.rejected_handshakes = 0
        self._tickets: set[str] = set()
        self._unacked: dict[str, dict[str, Any]] = {}
        self._pending: deque[dict[str, Any]] = deque()
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._server: Server = serve(
            self._serve_connection,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="socket-mode-standin", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The bound loopback port."""
        return int(self._server.socket.getsockname()[1])

    def open_url(self) -> str:
        """A fresh single-use connection URL (what ``apps.connections.open`` returns)."""
        ticket = uuid.uuid4().hex
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def close(self) -> None:
        """Stop serving and close every connection."""
        self._server.shutdown()
        with self._cond:
            sessions = list(self.sessions)
        for session in sessions:
            session.connection.close_socket()

    # -- envelopes ---------------------------------------------------------------------

    def event(
        self, payload: dict[str, Any], *, retry_attempt: int = 0, retry_reason: str = ""
    ) -> dict[str, Any]:
        """Deliver an Events API ``event_callback`` payload; returns the envelope."""
        return self.send(
            {
                "envelope_id": _envelope_id(),
                "payload": payload,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": retry_attempt,
                "retry_reason": retry_reason,
            }
        )

    def command(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver a slash command (the form fields as a JSON object); returns the envelope."""
        return self.send(
            {
                "envelope_id": _envelope_id(),
                "payload": payload,
                "type": "slash_commands",
                "accepts_response_payload": True,
            }
        )

    def interactive(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver an interactivity payload (e.g. ``block_actions``); returns the envelope."""
        return self.send(
            {
                "envelope_id": _envelope_id(),
                "payload": payload,
                "type": "interactive",
                "accepts_response_payload": payload.get("type") != "block_actions",
            }
        )

    def retry(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Deliver an events envelope again, as Slack retries one it thinks was missed."""
        return self.send(_retried(envelope))

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Send ``envelope`` to the newest live connection, or hold it until one opens."""
        with self._cond:
            session = self._live()
            if session is None:
                self._pending.append(envelope)
                return envelope
        self._transmit(session, envelope)
        return envelope

    def send_raw(self, text: str) -> None:
        """Send ``text`` as is (a malformed envelope, say) on the newest live connection."""
        session = self._wait_live()
        with self._send_lock:
            session.connection.send(text)

    # -- connection control --------------------------------------------------------------

    def disconnect(self, reason: str = "refresh_requested") -> Session:
        """Send a ``disconnect`` message; the connection stays open until the client leaves
        or :meth:`close_connection` is called (Slack closes it a few seconds later)."""
        session = self._wait_live()
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-1"}}
        with self._send_lock:
            session.connection.send(json.dumps(message))
        return session

    def close_connection(self, code: int = 1001, reason: str = "going away") -> Session:
        """Close the newest live connection with a close frame."""
        session = self._wait_live()
        session.connection.close(code, reason)
        return session

    def drop(self) -> Session:
        """Drop the newest live connection: the TCP socket is closed, no close frame sent."""
        session = self._wait_live()
        sock = session.connection.socket
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        session.connection.close_socket()
        return session

    # -- inspection --------------------------------------------------------------------

    def acked(self, envelope_id: str) -> bool:
        """Whether the client acknowledged ``envelope_id``."""
        with self._cond:
            return any(a.get("envelope_id") == envelope_id for a in self.acks)

    def unacked(self) -> list[str]:
        """Envelope ids sent and not yet acknowledged."""
        with self._cond:
            return list(self._unacked)

    def wait_for(self, predicate: Any, timeout: float = 60.0) -> Any:
        """Wait until ``predicate()`` is truthy; returns its value."""
        return wait_until(
            self._cond,
            predicate,
            timeout,
            lambda: f"sessions={len(self.sessions)} acks={len(self.acks)}",
        )

    def wait_sessions(self, count: int, timeout: float = 60.0) -> Session:
        """Wait until ``count`` connections have opened; returns the newest."""
        return self.wait_for(lambda: len(self.sessions) >= count and self.sessions[-1], timeout)

    def wait_acked(self, envelope_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Wait for the client's acknowledgement of ``envelope_id``; returns it."""

        def ack() -> dict[str, Any] | None:
            return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

        return self.wait_for(ack, timeout)

    # -- serving -------------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlparse(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._cond:
            if url.path != "/link/" or ticket not in self._tickets:
                self.rejected_handshakes += 1
                return connection.respond(401, "invalid or used ticket\n")
            self._tickets.discard(ticket)  # a ticket opens one connection only
        return None

    def _serve_connection(self, connection: ServerConnection) -> None:
        with self._cond:
            session = Session(next(self._numbers), connection, time.monotonic())
            self.sessions.append(session)
            live = sum(1 for s in self.sessions if s.closed_at is None)
        hello = {
            "type": "hello",
            "num_connections": live,
            "debug_info": {
                "host": "applink-1",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        try:
            with self._send_lock:
                connection.send(json.dumps(hello))
            self._catch_up(session)
            for message in connection:
                self._receive(session, message)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if session.closed_at is None:
                    session.closed_at = time.monotonic()
                self._cond.notify_all()
            self._redeliver_missed(session)

    def _catch_up(self, session: Session) -> None:
        """Send what waited for a connection."""
        with self._cond:
            waiting = list(self._pending)
            self._pending.clear()
        for envelope in waiting:
            self._transmit(session, envelope)

    def _redeliver_missed(self, session: Session) -> None:
        """Events left unacknowledged on a closed connection go out again, as retries
        (Slack does not retry slash commands or interactions: the user sees an error)."""
        with self._cond:
            missed = [
                e
                for e in self._unacked.values()
                if e.get("_session") == session.number and e.get("type") == "events_api"
            ]
            for envelope in missed:
                del self._unacked[envelope["envelope_id"]]
        for envelope in missed:
            self.send(_retried(envelope))

    def _transmit(self, session: Session, envelope: dict[str, Any]) -> None:
        wire = {k: v for k, v in envelope.items() if not k.startswith("_")}
        with self._cond:
            envelope["_session"] = session.number
            self._unacked[envelope["envelope_id"]] = envelope
            self.sent.append(wire)
        try:
            with self._send_lock:
                session.connection.send(json.dumps(wire))
        except ConnectionClosed:
            # The connection went away before its handler noticed: send it elsewhere (or
            # hold it), unless the closed connection's redelivery already took it.
            with self._cond:
                if session.closed_at is None:
                    session.closed_at = time.monotonic()
                taken = self._unacked.pop(envelope["envelope_id"], None) is None
            if not taken:
                self.send(envelope)

    def _receive(self, session: Session, message: str | bytes) -> None:
        text = message.decode() if isinstance(message, bytes) else message
        with self._cond:
            session.received.append(text)
            try:
                body = json.loads(text)
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("envelope_id"), str):
                self.acks.append(body)
                self._unacked.pop(body["envelope_id"], None)
            self._cond.notify_all()

    def _live(self) -> Session | None:
        return next((s for s in reversed(self.sessions) if s.closed_at is None), None)

    def _wait_live(self) -> Session:
        session: Session = self.wait_for(self._live)
        return session


def _envelope_id() -> str:
    return str(uuid.uuid4())


def _retried(envelope: dict[str, Any]) -> dict[str, Any]:
    wire = {k: v for k, v in envelope.items() if not k.startswith("_")}
    return {
        **wire,
        "envelope_id": _envelope_id(),
        "retry_attempt": int(envelope.get("retry_attempt") or 0) + 1,
        "retry_reason": RETRY_REASON,
    }
