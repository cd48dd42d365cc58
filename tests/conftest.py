"""Shared fixtures: every test gets its own data dir; one real seed index per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Nothing may reach a model hub; set before anything imports transformers.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
# ONNX exports of the model, shared by every test and test process (and kept between
# sessions: an export is keyed by the model files, so a stale one is never read).
MODEL_CACHE = Path(tempfile.gettempdir()) / f"chipbot-test-models-{os.getuid()}"


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point chipbot's data dir (and any CHIPBOT_ setting) away from the user's."""
    for name in list(os.environ):
        if name.startswith(("CHIPBOT_", "SLACK_")):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "chipbot-data"
    monkeypatch.setenv("CHIPBOT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHIPBOT_MODEL_CACHE_DIR", str(MODEL_CACHE))
    monkeypatch.setattr("retrieval.embedding.default_cache_dir", lambda: MODEL_CACHE)
    return data_dir


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The shipped seed articles."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """article id -> the seed file's text exactly as offsets count it."""
    return {p.stem: open(p, encoding="utf-8").read() for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def model_cache() -> Path:
    """Where the tests' ONNX exports of the model live (shared by all tests)."""
    return MODEL_CACHE


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real default embedder, as chipbot loads it: questions through the query
    adapter, passages through the plain model (loaded once per session)."""
    from retrieval.query_adapter import load_query_embedder
    from retrieval.settings import Settings

    defaults = Settings(data_dir=MODEL_CACHE)
    return load_query_embedder(
        defaults.embedding_model, defaults.encoder, defaults.query_adapter, MODEL_CACHE
    )


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """A data dir holding a real index of the seeds, built once; copy it before mutating."""
    from retrieval.ingest import ingest
    from retrieval.settings import Settings

    data_dir = tmp_path_factory.mktemp("seed-index")
    ingest([SEEDS], Settings(data_dir=data_dir), embedder)
    return data_dir


@pytest.fixture
def seed_settings(seed_index_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings on a private copy of the seed index (safe to mutate)."""
    from retrieval.settings import Settings

    data_dir = tmp_path / "seed-index"
    shutil.copytree(seed_index_dir, data_dir)
    return Settings(data_dir=data_dir)


@pytest.fixture
def engine(seed_settings, embedder):  # type: ignore[no-untyped-def]
    """A real Chipbot over a private copy of the seed index."""
    from retrieval.engine import Chipbot

    return Chipbot(seed_settings, embedder=embedder)
