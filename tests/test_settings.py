"""Settings: defaults, environment, flag overrides, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from retrieval.settings import Settings


def test_the_data_dir_comes_from_the_environment(isolated_data_dir: Path) -> None:
    assert Settings().data_dir == isolated_data_dir


def test_without_the_environment_the_data_dir_is_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CHIPBOT_DATA_DIR")
    assert Settings().data_dir.parts[-1] == "chipbot"


def test_a_tilde_in_the_data_dir_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPBOT_DATA_DIR", "~/somewhere")
    assert Settings().data_dir == Path.home() / "somewhere"


def test_flag_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPBOT_TOP_K", "7")
    assert Settings().top_k == 7
    assert Settings().with_overrides(top_k=3).top_k == 3


def test_none_overrides_change_nothing() -> None:
    settings = Settings()
    assert settings.with_overrides(top_k=None, llm=None) is settings


def test_overrides_are_validated_like_the_environment() -> None:
    settings = Settings().with_overrides(llm_api_key="sk-secret")
    assert isinstance(settings.llm_api_key, SecretStr)
    with pytest.raises(ValidationError):
        Settings().with_overrides(top_k=0)


def test_a_malformed_environment_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPBOT_CHUNK_CHARS", "tiny")
    with pytest.raises(ValidationError):
        Settings()


def test_secrets_are_not_shown_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPBOT_LLM_API_KEY", "sk-very-secret")
    assert "sk-very-secret" not in repr(Settings())


def test_the_cli_names_a_malformed_setting_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.setenv("CHIPBOT_TOP_K", "zero")
    result = CliRunner().invoke(main, ["docs"])
    assert result.exit_code == 2
    assert "CHIPBOT_TOP_K" in result.output
    assert "Traceback" not in result.output
