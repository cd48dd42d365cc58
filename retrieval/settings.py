"""One settings object, read once at the edges (CLI, Slack entry point) and passed down.

Values come from, in order: explicit arguments (CLI flags), ``CHIPBOT_*`` environment
variables, then the defaults below. Library code never reads the environment itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MAX_QUESTION_CHARS = 2000


def default_data_dir() -> Path:
    """The per-user data directory, e.g. ``~/.local/share/chipbot``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("chipbot", appauthor=False))


class Settings(BaseSettings):
    """Every knob of chipbot's library, with its default."""

    model_config = SettingsConfigDict(env_prefix="CHIPBOT_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # Index shape: recorded in the collection; changing any of these needs --rebuild.
    embedding_model: str = DEFAULT_MODEL
    chunk_chars: int = Field(default=350, ge=100, le=20_000)
    chunk_overlap: int = Field(default=1, ge=0, le=10)  # sentences shared by neighbours
    collection: str = "chipbot"
    # Query-time encoder: "auto" uses the light numpy encoder when the model allows it.
    encoder: str = "auto"
    # Ingest-time encoder for passages: the same vectors as `encoder` up to rounding,
    # computed faster in batches (onnxruntime; bfloat16 on CPUs with AMX for big ones).
    # "onnx-int8" is faster still at a measured cost in quality (benchmarks/encoders.py).
    document_encoder: str = "auto-batch"
    vector_backend: str = "chroma"
    chroma_url: str | None = None
    chroma_token: SecretStr | None = None
    chroma_auth_header: str = "Authorization"
    # Retrieval and answering.
    top_k: int = Field(default=5, ge=1, le=50)
    generator: str = "extractive"
    llm: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    llm_max_tokens: int = Field(default=600, ge=16)
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0)
    max_question_chars: int = Field(default=MAX_QUESTION_CHARS, ge=1)
    # An answer citing only articles this many days older than the newest indexed one
    # (or than the date asked about) says so; 0 turns the note off.
    stale_after_days: int = Field(default=180, ge=0)
    max_file_bytes: int = Field(default=5_000_000, ge=1)
    seeds_dir: Path | None = None

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return Path(value).expanduser()
        return value

    def for_long_running(self) -> Settings:
        """These settings for a process that answers many questions (chat, the Slack app).

        Such a process loads its query encoder once and then embeds every question, so
        the default ``auto`` becomes ``auto-onnx``: ~0.3 s more to load, ~5 ms less per
        question. An encoder chosen explicitly is kept.
        """
        if self.encoder != "auto":
            return self
        return self.model_copy(update={"encoder": "auto-onnx"})

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-``None`` overrides applied (CLI flags win over env)."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        if not clean:
            return self
        # Validated like the environment's values (a flag's string becomes a SecretStr).
        return type(self).model_validate({**self.model_dump(), **clean})
