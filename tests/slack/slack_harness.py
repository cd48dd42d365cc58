"""The test harness: the real bolt app over HTTP on 127.0.0.1, and Slack-shaped requests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.slack.jobs import JobPool
from bot.slack.server import SlackServer
from bot.slack.store import Store
from retrieval.models import Answer, Citation
from tests.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack, Message

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ACTIONS_ROW = "actions"


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 over ``v0:{ts}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    """An HTTP response from the app."""

    status: int
    body: str

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Harness:
    """The running app, the fake Slack it talks to, and ways to send it Slack requests."""

    fake: FakeSlack
    server: SlackServer
    store: Store
    pool: JobPool
    secret: str = SECRET
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _events: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        """The app's base URL."""
        return f"http://127.0.0.1:{self.server.port}"

    def next_ts(self) -> str:
        """A fresh user-message ts."""
        return f"1690000{next(self._ts):03d}.000200"

    # -- raw HTTP -------------------------------------------------------------------

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | None = None,
        path: str = "/slack/events",
    ) -> Reply:
        """POST ``body`` to the app, signed as Slack signs it unless told otherwise."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers.update(sign(self.secret, body, timestamp))
        request = urllib.request.Request(
            self.url + path, data=body.encode(), headers=all_headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode())

    def get(self, path: str) -> Reply:
        """GET ``path`` from the app."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode())

    # -- Slack payloads ------------------------------------------------------------

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> Reply:
        """Deliver an Events API ``event_callback``."""
        body = self.event_body(event, event_id=event_id)
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body), "application/json", headers=headers)

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """The ``event_callback`` Slack sends for ``event`` (HTTP body, Socket Mode payload)."""
        return {
            "token": "legacy-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._events):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    def mention_event(
        self, text: str, *, channel: str = "C1", user: str = "U1", thread_ts: str | None = None
    ) -> dict[str, Any]:
        """An ``app_mention`` event (not yet delivered)."""
        ts = self.next_ts()
        event = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER_ID}> {text}",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def mention(self, text: str, **kwargs: Any) -> str:
        """Deliver an ``app_mention``; returns the message ts."""
        event = self.mention_event(text, **kwargs)
        assert self.event(event).status == 200
        return str(event["ts"])

    def dm_event(
        self,
        text: str,
        *,
        channel: str = "D1",
        user: str = "U1",
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A ``message.im`` event (not yet delivered)."""
        ts = self.next_ts()
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
            **extra,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def dm(self, text: str, **kwargs: Any) -> str:
        """Deliver a ``message.im``; returns the message ts."""
        event = self.dm_event(text, **kwargs)
        assert self.event(event).status == 200
        return str(event["ts"])

    def command(
        self, text: str, *, channel: str = "C1", user: str = "U1", response: str = "cmd"
    ) -> Reply:
        """Deliver ``/ask text`` form-encoded, as Slack does."""
        form = self.command_payload(text, channel=channel, user=user, response=response)
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def command_payload(
        self, text: str, *, channel: str = "C1", user: str = "U1", response: str = "cmd"
    ) -> dict[str, str]:
        """The fields of ``/ask text`` (form-encoded over HTTP, an object in Socket Mode)."""
        return {
            "token": "legacy-token",
            "team_id": TEAM_ID,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "asker",
            "command": "/ask",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": self.fake.response_url(response),
            "trigger_id": "1337.42.abcd",
        }

    def click(
        self,
        action_id: str,
        message: Message,
        *,
        user: str = "U1",
        ephemeral: bool = False,
        response: str = "click",
    ) -> Reply:
        """Click the button ``action_id`` of ``message`` (a form-encoded ``payload``)."""
        payload = self.click_payload(
            action_id, message, user=user, ephemeral=ephemeral, response=response
        )
        form = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(form, "application/x-www-form-urlencoded")

    def click_payload(
        self,
        action_id: str,
        message: Message,
        *,
        user: str = "U1",
        ephemeral: bool = False,
        response: str = "click",
    ) -> dict[str, Any]:
        """The ``block_actions`` payload of a click on ``action_id`` in ``message``."""
        value = message.action_value(action_id)
        assert value is not None, f"no {action_id} button in the message"
        return {
            "type": "block_actions",
            "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
            "api_app_id": "A0APP",
            "token": "legacy-token",
            "team": {"id": TEAM_ID, "domain": "fake"},
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": message.channel, "name": "general"},
            "message": {
                "type": "message",
                "ts": message.ts,
                "thread_ts": message.thread_ts,
                "text": message.text,
            },
            "response_url": self.fake.response_url(response),
            "trigger_id": "1337.42.efgh",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": f"chipbot_{value}",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }

    # -- waiting on the fake ----------------------------------------------------------

    def answers_in(self, channel: str, thread_ts: str | None) -> list[Message]:
        """Messages with an answer's button row in a thread (or at top level when None)."""
        messages = (
            self.fake.top_level(channel)
            if thread_ts is None
            else self.fake.thread(channel, thread_ts)
        )
        return [m for m in messages if any(b.get("type") == ACTIONS_ROW for b in m.blocks)]

    def wait_answer(self, channel: str, thread_ts: str | None, count: int = 1) -> list[Message]:
        """Wait until ``count`` answers are in the thread; returns them."""
        return self.fake.wait_for(
            lambda: (a := self.answers_in(channel, thread_ts)) and len(a) >= count and a
        )

    def wait_thread_text(self, channel: str, thread_ts: str, needle: str) -> Message:
        """Wait for a message in the thread whose text contains ``needle``."""

        def found() -> Message | None:
            return next(
                (m for m in self.fake.thread(channel, thread_ts) if needle in m.all_text()), None
            )

        return self.fake.wait_for(found)

    def settle(self, channel: str = "C9", text: str = "What has Japan agreed to?") -> None:
        """Send a sentinel question and wait for its answer.

        Listeners run in order of arrival, and an ignored event needs far less work than
        an answered one, so once the sentinel is answered, earlier events are done.
        """
        ts = self.mention(text, channel=channel)
        self.wait_answer(channel, ts)

    def close(self) -> None:
        """Stop the app, its workers and the fake."""
        self.server.shutdown()
        self.server.server_close()
        self.pool.shutdown(wait=True)
        self.fake.close()


MakeHarness = Callable[..., Harness]

# Questions with a known shape over the seeds (gold-set questions the engine answers).
CITED = "Which company is Japan's leading maker of chip manufacturing equipment?"
UNANSWERABLE = "What is the price of bananas in Peru?"
FIRST = "Which allies does the Biden administration consider it necessary to bring on board?"
FOLLOW_UP = "And the Netherlands?"


class FailingEngine:
    """An engine whose every answer, context lookup and timeline raises ``exc``."""

    def __init__(self, exc: Exception | None = None) -> None:
        self.exc = exc or RuntimeError("engine down")

    def ask(self, question: str, *, history: object = (), on_token: object = None) -> Answer:
        raise self.exc

    def context(self, citation: Citation, chars: int = 400) -> tuple[str, str, str]:
        raise self.exc

    def timeline(self, topic: str, *, flt: object = None, k: int | None = None) -> object:
        raise self.exc
