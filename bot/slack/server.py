"""HTTP mode: a threaded server for ``/slack/events`` (events, commands, interactivity),
``/healthz`` (database, vector store, model: see :mod:`bot.slack.health`) and ``/metrics``
(Prometheus). Bolt verifies every Slack request's signature before anything runs.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from slack_bolt import App, BoltRequest

from bot.slack.envelopes import EnvelopeError, check_event_callback
from bot.slack.health import health_report, services_of

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
MAX_BODY_BYTES = 1_000_000


class SlackServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one bolt app."""

    daemon_threads = True

    def __init__(self, app: App, host: str, port: int, *, events: bool = True) -> None:
        self.app = app
        # False beside Socket Mode: events arrive over the socket, and this server only
        # answers /healthz and /metrics.
        self.events = events
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        return int(self.server_address[1])

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests, embedding); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, name="slack-http", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: SlackServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        if path == HEALTH_PATH:
            self._health()
        elif path == METRICS_PATH:
            self._send(200, generate_latest(REGISTRY), {"Content-Type": CONTENT_TYPE_LATEST})
        else:
            self._send(404, b"", {})

    def _health(self) -> None:
        services = services_of(self.server.app)
        report = health_report(services) if services is not None else {"ok": True}
        status = 200 if report["ok"] else 503
        self._send(status, json.dumps(report).encode(), {"Content-Type": "application/json"})

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != EVENTS_PATH or not self.server.events:
            self._send(404, b"", {})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(413, b"", {})
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in self.headers.items()}
        try:
            request = BoltRequest(body=body, query=query, headers=headers)
            check_event_callback(request.body)
        except (ValueError, TypeError, AttributeError) as exc:
            # Unparseable, or an event no listener can read: rejected before anything runs.
            self._reject(exc)
            return
        response = self.server.app.dispatch(request)
        out_headers = {k: v[0] for k, v in response.headers.items() if v}
        self._send(response.status, response.body.encode("utf-8"), out_headers)

    def _reject(self, exc: Exception) -> None:
        if isinstance(exc, EnvelopeError):
            reason = exc.reason
        elif isinstance(exc, json.JSONDecodeError):
            reason = "not JSON"
        else:
            reason = "not a Slack request body"
        logger.warning("rejected a malformed request: %s", reason)
        body = {"ok": False, "error": "malformed_request", "reason": reason}
        self._send(400, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
