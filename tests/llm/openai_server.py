"""A scripted stand-in for the OpenAI chat-completions API on 127.0.0.1.

It speaks the wire format the real ``openai``/``langchain-openai`` clients use:
``POST /v1/chat/completions`` answered with a JSON completion, or, when the request
says ``"stream": true``, with server-sent events (``data: {chunk}`` lines and a final
``data: [DONE]``). Each test scripts the replies in order and can inspect every
request body it received.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted response: a completion ``content``, or an error ``status``."""

    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (for timeouts)
    error_type: str = "server_error"


def rate_limited(retry_after: str = "1") -> Reply:
    """A 429 with a ``retry-after`` header, as OpenAI sends when a quota is hit."""
    return Reply(status=429, headers={"retry-after": retry_after}, error_type="rate_limit_error")


class OpenAIServer:
    """A threaded HTTP server answering chat completions from a script."""

    def __init__(self, model: str = "local-model") -> None:
        self.model = model
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # a sleeping "slow" reply must not hold teardown
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The ``base_url`` to give an OpenAI client."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue replies (a plain string is a successful completion with that content)."""
        self.replies.extend(Reply(content=r) if isinstance(r, str) else r for r in replies)

    def start(self) -> OpenAIServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any reply that is still sleeping."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def messages(self, index: int = -1) -> list[dict[str, Any]]:
        """The chat messages of request ``index`` (default: the last one)."""
        messages: list[dict[str, Any]] = self.requests[index]["messages"]
        return messages

    def _next(self) -> Reply:
        if not self.replies:
            return Reply(status=500, content="no reply scripted for this request")
        return self.replies.popleft()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid"}})
                    return
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                reply = server._next()
                if reply.delay and server._stop.wait(reply.delay):
                    return
                try:
                    if reply.status != 200:
                        payload = {
                            "error": {"message": reply.content or "error", "type": reply.error_type}
                        }
                        self._json(reply.status, payload, reply.headers)
                    elif body.get("stream"):
                        self._stream(reply.content, body)
                    else:
                        self._json(200, server._completion(reply.content))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _json(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, content: str, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                for i, piece in enumerate(split_tokens(content)):
                    delta = (
                        {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                    )
                    self._event(server._chunk(delta, None))
                self._event(server._chunk({}, "stop"))
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage = server._chunk({}, None)
                    usage["choices"] = []
                    usage["usage"] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
                    self._event(usage)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(b"data: " + json.dumps(payload).encode("utf-8") + b"\n\n")
                self.wfile.flush()

        return Handler

    def _completion(self, content: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _chunk(self, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }


def split_tokens(text: str) -> list[str]:
    """``text`` cut into word-sized pieces (whitespace kept), like a model's token stream."""
    return re.findall(r"\s*\S+", text) + (
        [text[len(text.rstrip()) :]] if text != text.rstrip() else []
    )
