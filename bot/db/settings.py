"""Which database the Slack app's store uses: ``CHIPBOT_DATABASE_URL``, else a SQLite file in
the data dir. ``CHIPBOT_FEEDBACK_DB`` (a SQLite path, the setting before the URL existed) is
still read, as a deprecated alias, with a warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.db.urls import normalise, sqlite_url
from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

#: The default store file; the name predates the store holding more than feedback.
STORE_FILE = "feedback.sqlite"


class DatabaseSettings(BaseSettings):
    """Where the Slack app keeps de-duplication keys, answers and feedback."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CHIPBOT_DATABASE_URL", "database_url")
    )
    feedback_db: Path | None = Field(
        default=None, validation_alias=AliasChoices("CHIPBOT_FEEDBACK_DB", "feedback_db")
    )
    db_auto_upgrade: bool = Field(
        default=True,
        validation_alias=AliasChoices("CHIPBOT_DB_AUTO_UPGRADE", "db_auto_upgrade"),
    )

    def db_path(self, data_dir: Path) -> Path:
        """The SQLite file used when no ``CHIPBOT_DATABASE_URL`` is set."""
        return self.feedback_db.expanduser() if self.feedback_db else data_dir / STORE_FILE

    def store_url(self, data_dir: Path) -> str:
        """The store's SQLAlchemy URL (default: ``data_dir/feedback.sqlite``)."""
        if self.database_url and self.feedback_db:
            raise ConfigError(
                "both CHIPBOT_DATABASE_URL and CHIPBOT_FEEDBACK_DB are set: keep only "
                "CHIPBOT_DATABASE_URL (CHIPBOT_FEEDBACK_DB is its deprecated alias)"
            )
        if self.database_url:
            return normalise(self.database_url)
        if self.feedback_db:
            logger.warning(
                "CHIPBOT_FEEDBACK_DB is deprecated: set CHIPBOT_DATABASE_URL=%s instead",
                sqlite_url(self.feedback_db),
            )
        return sqlite_url(self.db_path(data_dir))
