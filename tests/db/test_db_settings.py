"""Which database the store uses: CHIPBOT_DATABASE_URL, else a SQLite file in the data dir;
CHIPBOT_FEEDBACK_DB still works as a deprecated alias."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.db.urls import normalise
from bot.slack.settings import load_feedback_settings
from retrieval.errors import ConfigError


def test_the_default_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    url = load_feedback_settings().store_url(tmp_path)
    assert url == f"sqlite+pysqlite:///{tmp_path / 'feedback.sqlite'}"


def test_the_database_url_names_the_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHIPBOT_DATABASE_URL", "postgresql+psycopg://bot:pw@db.internal/chipbot")
    url = load_feedback_settings().store_url(tmp_path)
    assert url == "postgresql+psycopg://bot:pw@db.internal/chipbot"


def test_plain_postgres_urls_get_the_psycopg_3_driver() -> None:
    assert normalise("postgres://bot@db/chipbot") == "postgresql+psycopg://bot@db/chipbot"
    assert normalise("postgresql://bot@db/chipbot") == "postgresql+psycopg://bot@db/chipbot"


def test_the_old_feedback_db_setting_still_works_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CHIPBOT_FEEDBACK_DB", str(tmp_path / "old.sqlite"))
    with caplog.at_level(logging.WARNING):
        url = load_feedback_settings().store_url(Path("/elsewhere"))
    assert url == f"sqlite+pysqlite:///{tmp_path / 'old.sqlite'}"
    assert "CHIPBOT_FEEDBACK_DB is deprecated" in caplog.text


def test_both_settings_at_once_is_an_error_naming_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CHIPBOT_FEEDBACK_DB", str(tmp_path / "old.sqlite"))
    monkeypatch.setenv("CHIPBOT_DATABASE_URL", "sqlite:////tmp/new.sqlite")
    with pytest.raises(ConfigError, match="keep only CHIPBOT_DATABASE_URL"):
        load_feedback_settings().store_url(tmp_path)


def test_an_unsupported_database_is_refused_without_echoing_the_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CHIPBOT_DATABASE_URL", "mysql://bot:s3cret@db/chipbot")
    with pytest.raises(ConfigError, match="mysql is not supported") as caught:
        load_feedback_settings().store_url(tmp_path)
    assert "s3cret" not in str(caught.value)
