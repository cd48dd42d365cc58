"""Checks on what Slack sends, before anything is dispatched to a listener.

Over Socket Mode every WebSocket message is checked (:func:`check_message`); over HTTP
the parsed request body is (:func:`check_event_callback`, after bolt has parsed it and
before it dispatches). A message that fails is rejected with a reason fit for a log line
and never reaches the dedupe middleware or a listener, so nothing is claimed, stored or
posted for it.
"""

from __future__ import annotations

import json
from typing import Any

#: Envelope types that carry a payload for the app (and must be acknowledged).
ENVELOPE_TYPES = frozenset({"events_api", "slash_commands", "interactive"})
#: Messages from Slack about the connection itself.
CONTROL_TYPES = frozenset({"hello", "disconnect"})
#: Event types whose listeners reply in the event's channel, at its ts.
MESSAGE_EVENTS = frozenset({"app_mention", "message"})


class EnvelopeError(ValueError):
    """A message from Slack that cannot be handled; the message says why."""

    def __init__(self, reason: str, envelope_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.envelope_id = envelope_id


def check_message(raw: str) -> dict[str, Any]:
    """The parsed message when it is well formed, else :class:`EnvelopeError`.

    Control messages (``hello``, ``disconnect``) need only their type; envelopes need an
    ``envelope_id``, a payload object and what their type's listeners read: an Events
    API callback its ``event_id`` and ``event``, a slash command its ``command``, an
    interaction its ``type``.
    """
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EnvelopeError(f"not JSON ({exc.msg})") from exc
    if not isinstance(message, dict):
        raise EnvelopeError(f"a JSON {type(message).__name__}, not an object")
    kind = message.get("type")
    if not isinstance(kind, str) or not kind:
        raise EnvelopeError("no message type", _envelope_id(message))
    if kind in CONTROL_TYPES:
        return message
    envelope_id = _envelope_id(message)
    if kind not in ENVELOPE_TYPES:
        raise EnvelopeError(f"unknown message type {kind[:40]!r}", envelope_id)
    if envelope_id is None:
        raise EnvelopeError(f"a {kind} envelope without an envelope_id")
    payload = message.get("payload")
    if not isinstance(payload, dict):
        raise EnvelopeError(f"a {kind} envelope whose payload is not an object", envelope_id)
    _check_payload(kind, payload, envelope_id)
    return message


def _envelope_id(message: dict[str, Any]) -> str | None:
    value = message.get("envelope_id")
    return value if isinstance(value, str) and value else None


def _check_payload(kind: str, payload: dict[str, Any], envelope_id: str) -> None:
    if kind == "events_api":
        if not isinstance(payload.get("type"), str):
            raise EnvelopeError("an events_api payload without a type", envelope_id)
        try:
            check_event_callback(payload)
        except EnvelopeError as exc:
            raise EnvelopeError(exc.reason, envelope_id) from None
    elif kind == "slash_commands":
        command = payload.get("command")
        if not isinstance(command, str) or not command.startswith("/"):
            raise EnvelopeError("a slash_commands payload without a command", envelope_id)
    elif not isinstance(payload.get("type"), str):
        raise EnvelopeError("an interactive payload without a type", envelope_id)


def check_event_callback(body: dict[str, Any]) -> None:
    """Raise :class:`EnvelopeError` unless an Events API body that is an
    ``event_callback`` has its ``event_id`` and an ``event`` object with a type (and,
    for messages and mentions, the ``channel`` and ``ts`` the listeners answer in).
    Other bodies pass."""
    if body.get("type") != "event_callback":
        return
    if not isinstance(body.get("event_id"), str) or not body["event_id"]:
        raise EnvelopeError("an event_callback without an event_id")
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise EnvelopeError("an event_callback without an event object")
    if event["type"] in MESSAGE_EVENTS:
        for name in ("channel", "ts"):
            if not isinstance(event.get(name), str) or not event[name]:
                raise EnvelopeError(f"an {event['type']!r} event without a {name}")
