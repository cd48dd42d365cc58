"""The shipped manifests match what the app listens to and calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.slack.server import EVENTS_PATH

SLACK = Path(__file__).resolve().parents[2] / "slack"


@pytest.fixture(params=["manifest.json", "manifest.http.json"])
def manifest(request: pytest.FixtureRequest) -> dict:
    return json.loads((SLACK / request.param).read_text(encoding="utf-8"))


def test_the_manifest_subscribes_to_the_events_the_app_handles(manifest: dict) -> None:
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "assistant_thread_started"} <= events


def test_the_manifest_grants_the_scopes_the_app_uses(manifest: dict) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {
        "app_mentions:read",
        "im:history",
        "chat:write",
        "commands",
        "reactions:write",
        "assistant:write",
    }
    assert needed <= scopes


def test_the_manifest_declares_ask_and_interactivity(manifest: dict) -> None:
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/ask"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "assistant_view" in manifest["features"]


def test_the_http_manifest_points_every_url_at_the_events_path() -> None:
    http = json.loads((SLACK / "manifest.http.json").read_text(encoding="utf-8"))
    urls = [
        http["features"]["slash_commands"][0]["url"],
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert http["settings"]["socket_mode_enabled"] is False
    assert (
        json.loads((SLACK / "manifest.json").read_text())["settings"]["socket_mode_enabled"] is True
    )
