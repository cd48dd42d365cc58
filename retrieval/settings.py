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
#: The encoders each setting accepts, default first (see retrieval/embedding.py).
QUERY_ENCODERS = ("onnx", "sentence-transformers")
DOCUMENT_ENCODERS = ("auto", "onnx", "sentence-transformers")
#: Names of encoders before issue 14; they now get an error naming the current ones.
RETIRED_ENCODERS = frozenset(
    {"numpy", "onnx-int8", "auto-onnx", "auto-batch", "sentence-transformers-bf16"}
)


def _check_encoder(value: str, allowed: tuple[str, ...], setting: str) -> str:
    if value in allowed:
        return value
    choices = f"{allowed[0]} (the default), " + ", ".join(allowed[1:])
    why = "was retired" if value in RETIRED_ENCODERS else "is not an encoder"
    if value == "auto" and setting == "CHIPBOT_ENCODER":
        why = "is for documents only"
    raise ValueError(f"{value!r} {why}; {setting} is one of: {choices}")


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
    # The query encoder (QUERY_ENCODERS): "onnx" runs the model's cached ONNX export.
    encoder: str = "onnx"
    # The passage encoder at ingest (DOCUMENT_ENCODERS): the same vectors up to rounding;
    # "auto" is onnx, with big batches in bfloat16 on CPUs with AMX.
    document_encoder: str = "auto"
    # Questions pass through the embedding model with this adapter merged in (fitted on
    # SelQA: retrieval/query_adapter/fit.py); "none" embeds them as passages are.
    # Passage vectors never change with it, so switching needs no re-ingest.
    query_adapter: str = "selqa"
    # Where ONNX exports of the model are cached; None: <data_dir>/models.
    model_cache_dir: Path | None = None
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
    # Web pages and PDFs (retrieval/web): HTTP limits and the shortest article text kept.
    fetch_timeout: float = Field(default=20.0, gt=0)
    max_page_bytes: int = Field(default=10_000_000, ge=1)
    max_redirects: int = Field(default=5, ge=0, le=30)
    min_article_chars: int = Field(default=250, ge=0)
    # Seconds between two requests to one host (`chipbot watch` waits at least 1 s).
    fetch_interval: float = Field(default=0.0, ge=0)
    seeds_dir: Path | None = None

    @field_validator("data_dir", "model_cache_dir", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return Path(value).expanduser()
        return value

    @field_validator("encoder")
    @classmethod
    def _query_encoder(cls, value: str) -> str:
        return _check_encoder(value, QUERY_ENCODERS, "CHIPBOT_ENCODER")

    @field_validator("document_encoder")
    @classmethod
    def _document_encoder(cls, value: str) -> str:
        return _check_encoder(value, DOCUMENT_ENCODERS, "CHIPBOT_DOCUMENT_ENCODER")

    @property
    def models_dir(self) -> Path:
        """Where ONNX exports of the embedding model are cached."""
        return self.model_cache_dir or self.data_dir / "models"

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-``None`` overrides applied (CLI flags win over env)."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        if not clean:
            return self
        # Validated like the environment's values (a flag's string becomes a SecretStr).
        return type(self).model_validate({**self.model_dump(), **clean})
