"""Fixtures for the LLM answer tests: real seed passages, a real support check, servers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from retrieval.chunking import chunk_records
from retrieval.models import Passage
from retrieval.parsing import parse_file
from retrieval.settings import Settings
from tests.llm.openai_server import OpenAIServer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def seed_passages() -> list[Passage]:
    """Every chunk of the seed articles as a Passage (text == file text[start:end])."""
    passages = []
    for path in sorted(SEEDS.glob("*.txt")):
        article = parse_file(path)
        passages.extend(Passage.from_record(r) for r in chunk_records(article))
    return passages


@pytest.fixture(scope="session")
def pick(seed_passages: list[Passage]) -> Callable[..., list[Passage]]:
    """``pick(*needles)``: the first seed passage containing each needle, in order."""

    def run(*needles: str) -> list[Passage]:
        found = []
        for needle in needles:
            match = next((p for p in seed_passages if needle in p.text), None)
            assert match is not None, f"no seed passage contains {needle!r}"
            found.append(match)
        return found

    return run


@pytest.fixture(scope="session")
def retrieve(seed_passages: list[Passage], embedder):  # type: ignore[no-untyped-def]
    """``retrieve(question, k)``: seed passages ranked by real embedding similarity."""
    vectors = embedder.embed_documents([p.text for p in seed_passages])

    def run(question: str, k: int = 4) -> list[Passage]:
        scores = vectors @ embedder.embed_query(question)
        order = np.argsort(-scores)[:k]
        return [
            replace(p, score=float(scores[i]), dense_score=float(scores[i]))
            for i, p in ((int(i), seed_passages[int(i)]) for i in order)
        ]

    return run


@pytest.fixture(scope="session")
def checker(embedder):  # type: ignore[no-untyped-def]
    """The real support check with the calibrated rule."""
    from retrieval.answer.support import SupportChecker

    return SupportChecker(embedder)


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1, stopped after the test."""
    server = OpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def llm_settings(openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing ``openai:local-model`` at the local server, fast retries."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return Settings(
        llm="openai:local-model",
        llm_base_url=openai_server.base_url,
        llm_timeout=5.0,
        llm_max_retries=1,
    )
