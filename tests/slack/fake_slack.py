"""A local HTTP server standing in for Slack's Web API (and for response_url webhooks).

It answers in Slack's JSON shape, keeps the messages it was sent (so chat.update is
reflected), records every call, and can be told to answer the next call to a method
with HTTP 429 + Retry-After, a 5xx, or ``{"ok": false, "error": ...}``.

It streams as Slack does: ``chat.startStream`` opens a message in a thread,
``chat.appendStream`` adds markdown to it and ``chat.stopStream`` ends it (text as
``markdown_text`` or ``markdown_text`` chunks); a stream that was stopped is no longer
in the streaming state. ``streaming_error`` makes every ``chat.startStream`` fail, as in
a workspace without streaming. ``apps.connections.open`` (app token only) hands out the
URL of the Socket Mode stand-in set as :attr:`socket_mode`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from tests.waiting import wait_until

if TYPE_CHECKING:
    from tests.slack.socket_mode_server import SocketModeStandIn

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0TEAM"


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    status: int
    authorization: str | None
    at: float = 0.0  # time.monotonic() when it arrived


@dataclass
class Message:
    """A message as the fake Slack holds it."""

    channel: str
    ts: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ephemeral_user: str | None = None
    streaming: bool = False
    first_text_at: float | None = None  # time.monotonic() when it first showed text

    def all_text(self) -> str:
        """Every text in the message, blocks included, as one string (JSON of the blocks)."""
        return self.text + "\n" + json.dumps(self.blocks, ensure_ascii=False)

    def block_text(self) -> str:
        """The mrkdwn of every section and context block, one per line."""
        return "\n".join(block_texts(self.blocks))

    def action_value(self, action_id: str) -> str | None:
        """The value of the button ``action_id`` in this message, if any."""
        for block in self.blocks:
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return str(element["value"])
        return None


class FakeSlack:
    """The fake Web API server; use :attr:`api_url` as ``SLACK_API_BASE_URL``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, Message] = {}
        self.responses: list[dict[str, Any]] = []
        self.socket_mode: SocketModeStandIn | None = None
        self.streaming_error: str | None = None
        self._failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """The Web API base URL (``.../api/``)."""
        return self.base_url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url served by this fake (recorded in :attr:`responses`)."""
        return f"{self.base_url}/response/{name}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    # -- scripting ------------------------------------------------------------------

    def rate_limit_next(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call to ``method`` with 429 and ``Retry-After``."""
        self._fail(
            method, 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        )

    def server_error_next(self, method: str, status: int = 503) -> None:
        """Answer the next call to ``method`` with a 5xx."""
        self._fail(method, status, {"ok": False, "error": "internal_error"}, {})

    def error_next(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next ``times`` calls to ``method`` with ``{"ok": false, "error": error}``."""
        for _ in range(times):
            self._fail(method, 200, {"ok": False, "error": error}, {})

    def _fail(
        self, method: str, status: int, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        with self._cond:
            self._failures.setdefault(method, []).append((status, body, headers))

    # -- inspection -----------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls to ``method`` (including failed attempts)."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """Messages in a thread (replies only), oldest first."""
        with self._cond:
            return [
                m
                for m in self.messages.values()
                if m.channel == channel and m.thread_ts == thread_ts
            ]

    def top_level(self, channel: str) -> list[Message]:
        """Top-level messages the bot posted in ``channel``."""
        with self._cond:
            return [
                m for m in self.messages.values() if m.channel == channel and m.thread_ts is None
            ]

    def wait_for(self, predicate: Any, timeout: float = 60.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every call); returns its value."""
        return wait_until(
            self._cond,
            predicate,
            timeout,
            lambda: f"calls: {[c.method for c in self.calls]}",
            poll=0.5,
        )

    # -- serving --------------------------------------------------------------------

    def handle(
        self, method: str, args: dict[str, Any], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Record the call and produce (status, JSON body, headers)."""
        with self._cond:
            queued = self._failures.get(method)
            if queued:
                status, body, headers = queued.pop(0)
            else:
                status, body, headers = 200, self._answer(method, args, auth), {}
            self.calls.append(Call(method, args, status, auth, time.monotonic()))
            self._cond.notify_all()
            return status, body, headers

    def _next_ts(self) -> str:
        return f"1700000{next(self._ts):03d}.000100"

    def _answer(self, method: str, args: dict[str, Any], auth: str | None) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method.startswith("chat.") and method.endswith("Stream"):
            return self._stream(method, args)
        if method == "auth.test":
            return {
                **ok,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "chipbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = self._next_ts()
            message = Message(
                channel=args["channel"],
                ts=ts,
                thread_ts=args.get("thread_ts"),
                text=args.get("text") or "",
                blocks=args.get("blocks") or [],
                ephemeral_user=args.get("user") if method == "chat.postEphemeral" else None,
            )
            self._store(message)
            if method == "chat.postEphemeral":
                return {**ok, "message_ts": ts}
            return {
                **ok,
                "channel": message.channel,
                "ts": ts,
                "message": {"ts": ts, "text": message.text},
            }
        if method == "chat.update":
            message = self.messages.get(args["ts"])
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.text = args.get("text") or ""
            message.blocks = args.get("blocks") or []
            message.streaming = False
            if message.first_text_at is None and message.all_text().strip():
                message.first_text_at = time.monotonic()
            return {**ok, "channel": message.channel, "ts": message.ts, "text": message.text}
        if method == "chat.delete":
            self.messages.pop(args.get("ts", ""), None)
            return ok
        if method == "conversations.replies":
            return {**ok, "messages": [], "has_more": False}
        if method.startswith(("views.",)):
            return {**ok, "view": {"id": "V1"}}
        if method == "apps.connections.open":
            if not (auth or "").startswith("Bearer xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            url = self.socket_mode.open_url() if self.socket_mode else "ws://127.0.0.1:9/"
            return {**ok, "url": url}
        if method.startswith(("reactions.", "assistant.threads.", "chat.")):
            return ok
        return {"ok": False, "error": "unknown_method"}

    def _store(self, message: Message) -> None:
        if message.text.strip() or message.blocks:
            message.first_text_at = time.monotonic()
        self.messages[message.ts] = message

    def _stream(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not isinstance(channel, str) or not channel:
            return {"ok": False, "error": "channel_not_found"}
        text = _stream_text(args)
        if text is None:
            return {"ok": False, "error": "invalid_chunks"}
        if method == "chat.startStream":
            if self.streaming_error:
                return {"ok": False, "error": self.streaming_error}
            # Outside a DM a stream is shown to one recipient, who must be named.
            if not channel.startswith("D") and not (
                args.get("recipient_team_id") and args.get("recipient_user_id")
            ):
                return {"ok": False, "error": "invalid_arguments"}
            message = Message(
                channel=channel,
                ts=self._next_ts(),
                thread_ts=args.get("thread_ts"),
                text=text,
                streaming=True,
            )
            self._store(message)
            return {"ok": True, "channel": channel, "ts": message.ts}
        if method not in ("chat.appendStream", "chat.stopStream"):
            return {"ok": False, "error": "unknown_method"}
        found = self.messages.get(str(args.get("ts")))
        if found is None or found.channel != channel:
            return {"ok": False, "error": "message_not_found"}
        if not found.streaming:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        found.text += text
        if found.first_text_at is None and found.text.strip():
            found.first_text_at = time.monotonic()
        if method == "chat.appendStream":
            return {"ok": True, "channel": channel, "ts": found.ts}
        found.streaming = False
        if args.get("blocks"):
            found.blocks = list(args["blocks"])
        message_body = {"type": "message", "ts": found.ts, "text": found.text}
        return {"ok": True, "channel": channel, "ts": found.ts, "message": message_body}


def _stream_text(args: dict[str, Any]) -> str | None:
    """The markdown a stream method adds: ``markdown_text`` and ``markdown_text`` chunks
    (None when a chunk is not an object with a type)."""
    text = args.get("markdown_text") or ""
    for chunk in args.get("chunks") or []:
        if not isinstance(chunk, dict) or "type" not in chunk:
            return None
        if chunk["type"] == "markdown_text":
            text += str(chunk.get("text") or "")
    return str(text)


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The text of each section and context element in ``blocks``."""
    texts = []
    for block in blocks:
        if block.get("type") == "section":
            texts.append(block["text"]["text"])
        elif block.get("type") == "context":
            texts.extend(e.get("text", "") for e in block["elements"])
    return texts


def _decode(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                args = json.loads(raw or "{}")
            else:
                args = {k: _decode(v[0]) for k, v in parse_qs(raw).items()}
            if self.path.startswith("/response/"):
                with fake._cond:
                    fake.responses.append(args)
                    fake.calls.append(Call("response_url", args, 200, None))
                    fake._cond.notify_all()
                self._send(200, b"ok", {"Content-Type": "text/plain"})
                return
            method = self.path.removeprefix("/api/").partition("?")[0]
            status, body, headers = fake.handle(method, args, self.headers.get("Authorization"))
            self._send(
                status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers}
            )

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
