"""Slack-specific settings, read once in the entry point (``chipbot slack``).

Tokens are :class:`~pydantic.SecretStr` and error messages name the setting, never its
value, so a typo in a secret never ends up in a terminal or a log.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import NoDecode

from bot.db.settings import STORE_FILE, DatabaseSettings
from retrieval.errors import ConfigError

DEFAULT_API_BASE_URL = "https://slack.com/api/"
FEEDBACK_FILE = STORE_FILE


class FeedbackSettings(DatabaseSettings):
    """Where the Slack app keeps its store (see :class:`bot.db.settings.DatabaseSettings`)."""


class SlackSettings(FeedbackSettings):
    """Tokens, endpoint and limits of the Slack app (see docs/slack.md)."""

    bot_token: SecretStr = Field(validation_alias=AliasChoices("SLACK_BOT_TOKEN", "bot_token"))
    signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "signing_secret")
    )
    app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "app_token")
    )
    api_base_url: str = Field(
        default=DEFAULT_API_BASE_URL,
        validation_alias=AliasChoices("SLACK_API_BASE_URL", "api_base_url"),
    )
    channels: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias=AliasChoices("CHIPBOT_SLACK_CHANNELS", "channels")
    )
    workers: int = Field(
        default=2, ge=1, le=64, validation_alias=AliasChoices("CHIPBOT_SLACK_WORKERS", "workers")
    )
    max_queued: int = Field(
        default=100, ge=1, validation_alias=AliasChoices("CHIPBOT_SLACK_QUEUE", "max_queued")
    )
    port: int = Field(default=3000, ge=0, le=65535, validation_alias=AliasChoices("PORT", "port"))
    # Socket Mode has no HTTP server of its own: /healthz and /metrics are served on this
    # port when it is set (a liveness probe and a Prometheus scrape need an address).
    health_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("CHIPBOT_SLACK_HEALTH_PORT", "health_port"),
    )
    # `/ask add URL`: the users (U…) and channels (C…) allowed to add articles (none: off);
    # links posted in the ingest channels are added automatically (opt-in).
    ingest_allow: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        validation_alias=AliasChoices("CHIPBOT_SLACK_INGEST_ALLOW", "ingest_allow"),
    )
    ingest_channels: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        validation_alias=AliasChoices("CHIPBOT_SLACK_INGEST_CHANNELS", "ingest_channels"),
    )
    # Pages added from Slack may be on loopback/private addresses only when this is set.
    ingest_private_hosts: bool = Field(
        default=False,
        validation_alias=AliasChoices("CHIPBOT_SLACK_INGEST_PRIVATE_HOSTS", "ingest_private_hosts"),
    )

    @field_validator("bot_token")
    @classmethod
    def _bot_token_prefix(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token_prefix(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("signing_secret")
    @classmethod
    def _blank_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("channels", "ingest_allow", "ingest_channels", mode="before")
    @classmethod
    def _split_channels(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    def socket_mode(self, force_http: bool) -> bool:
        """True when the app should connect over Socket Mode rather than serve HTTP."""
        return self.app_token is not None and not force_http

    def require_signing_secret(self) -> str:
        """The signing secret; HTTP mode cannot verify requests without one."""
        if self.signing_secret is None:
            raise ConfigError("missing setting SLACK_SIGNING_SECRET (needed in HTTP mode)")
        return self.signing_secret.get_secret_value()

    def channel_allowed(self, channel: str) -> bool:
        """Whether the bot may answer in ``channel`` (DMs are always allowed)."""
        return not self.channels or channel in self.channels or channel.startswith("D")

    def may_add(self, user: str | None, channel: str) -> bool:
        """Whether ``user`` in ``channel`` may add articles (``/ask add URL``)."""
        return bool(self.ingest_allow) and (
            user in self.ingest_allow or channel in self.ingest_allow
        )


# Field name -> the environment variable users set, for error messages.
ENV_NAMES = {
    "bot_token": "SLACK_BOT_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
    "app_token": "SLACK_APP_TOKEN",
    "api_base_url": "SLACK_API_BASE_URL",
    "channels": "CHIPBOT_SLACK_CHANNELS",
    "workers": "CHIPBOT_SLACK_WORKERS",
    "max_queued": "CHIPBOT_SLACK_QUEUE",
    "feedback_db": "CHIPBOT_FEEDBACK_DB",
    "database_url": "CHIPBOT_DATABASE_URL",
    "db_auto_upgrade": "CHIPBOT_DB_AUTO_UPGRADE",
    "port": "PORT",
    "health_port": "CHIPBOT_SLACK_HEALTH_PORT",
    "ingest_allow": "CHIPBOT_SLACK_INGEST_ALLOW",
    "ingest_channels": "CHIPBOT_SLACK_INGEST_CHANNELS",
    "ingest_private_hosts": "CHIPBOT_SLACK_INGEST_PRIVATE_HOSTS",
}


def describe_error(exc: ValidationError) -> str:
    """One line naming the first bad setting; the offending value is never included."""
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else "setting"
    name = ENV_NAMES.get(field, field)
    if first["type"] == "missing":
        return f"missing setting {name}"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"invalid setting {name}: {message}"


def load_slack_settings(**overrides: Any) -> SlackSettings:
    """Read the Slack settings from the environment (plus non-``None`` overrides)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return SlackSettings(**clean)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc)) from None


def load_feedback_settings() -> FeedbackSettings:
    """Read only the store location (``chipbot feedback`` needs no tokens)."""
    try:
        return FeedbackSettings()
    except ValidationError as exc:
        raise ConfigError(describe_error(exc)) from None
