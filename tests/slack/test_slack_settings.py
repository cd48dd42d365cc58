"""Slack settings: fail fast, name the setting, never echo a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack.settings import DEFAULT_API_BASE_URL, load_feedback_settings, load_slack_settings
from retrieval.errors import ConfigError


def test_a_missing_bot_token_is_named() -> None:
    with pytest.raises(ConfigError, match="missing setting SLACK_BOT_TOKEN"):
        load_slack_settings()


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-SECRET"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_APP_TOKEN": "xoxb-wrong-SECRET"}, "SLACK_APP_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_API_BASE_URL": "slack.com/SECRET"},
            "SLACK_API_BASE_URL",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-ok", "CHIPBOT_SLACK_WORKERS": "0"}, "CHIPBOT_SLACK_WORKERS"),
    ],
)
def test_a_malformed_setting_is_named_without_its_value(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], name: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        load_slack_settings()
    assert f"invalid setting {name}" in str(info.value)
    assert "SECRET" not in str(info.value)


def test_defaults_and_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("CHIPBOT_SLACK_CHANNELS", " C1, C2 ,,")
    monkeypatch.setenv("SLACK_API_BASE_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("PORT", "8080")
    slack = load_slack_settings()
    assert slack.channels == {"C1", "C2"}
    assert slack.api_base_url == "http://127.0.0.1:9/api/"
    assert slack.port == 8080
    assert load_slack_settings(port=9000).port == 9000
    assert "xoxb-1" not in repr(slack)
    monkeypatch.delenv("SLACK_API_BASE_URL")
    assert load_slack_settings().api_base_url == DEFAULT_API_BASE_URL


def test_socket_mode_needs_an_app_token_and_no_http_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert load_slack_settings().socket_mode(force_http=False) is False
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert load_slack_settings().socket_mode(force_http=False) is True
    assert load_slack_settings().socket_mode(force_http=True) is False


def test_http_mode_requires_the_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "  ")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        load_slack_settings().require_signing_secret()


def test_the_allow_list_always_allows_dms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert load_slack_settings().channel_allowed("C9") is True
    monkeypatch.setenv("CHIPBOT_SLACK_CHANNELS", "C1")
    slack = load_slack_settings()
    assert (
        slack.channel_allowed("C1"),
        slack.channel_allowed("C9"),
        slack.channel_allowed("D9"),
    ) == (True, False, True)


def test_the_feedback_store_defaults_to_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_feedback_settings().db_path(tmp_path) == tmp_path / "feedback.sqlite"
    monkeypatch.setenv("CHIPBOT_FEEDBACK_DB", str(tmp_path / "x.sqlite"))
    assert load_feedback_settings().db_path(Path("/elsewhere")) == tmp_path / "x.sqlite"
