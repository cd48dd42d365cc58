"""The LLM generator with LangChain's fake chat models: checking, streaming, fallback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from retrieval.answer.base import AnswerGenerator, generators
from retrieval.answer.llm import FALLBACK_NAME, LLMGenerator, build_chat_model
from retrieval.errors import ConfigError
from retrieval.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How dependent is Tokyo Electron on China?"
GOOD = "Tokyo Electron relies on China for about a quarter of its revenue [1]."

pytestmark = pytest.mark.slow  # the real embedding model does the support check


def make(chat_model: object, embedder: object, **settings: object) -> LLMGenerator:
    """A generator over ``chat_model`` with the real extractive fallback and support check."""
    return LLMGenerator(
        Settings(llm="fake:model", **settings),  # type: ignore[arg-type]
        chat_model=chat_model,  # type: ignore[arg-type]
        embedder=embedder,  # type: ignore[arg-type]
    )


def failing(exc: Exception) -> Iterator[AIMessage]:
    raise exc
    yield AIMessage(content="")  # pragma: no cover


def test_a_cited_answer_is_returned_checked_with_its_prompt_version(pick, embedder) -> None:
    passages = pick("Tokyo Electron", "Rutte")
    gen = make(FakeListChatModel(responses=[GOOD]), embedder)
    answer = gen.generate(QUESTION, passages)
    assert answer.answer == GOOD
    assert answer.generator == "llm"
    assert answer.prompt_version == "answer/v1"
    assert not answer.abstained
    assert [(c.n, c.start, c.end) for c in answer.citations] == [
        (1, passages[0].start, passages[0].end)
    ]
    assert answer.notes == []
    assert answer.to_dict()["unsupported"] == []


def test_streaming_passes_every_token_and_returns_the_checked_answer(pick, embedder) -> None:
    passages = pick("Tokyo Electron")
    raw = GOOD + " Japan will sign next week."
    gen = make(GenericFakeChatModel(messages=iter([AIMessage(content=raw)])), embedder)
    tokens: list[str] = []
    answer = gen.generate(QUESTION, passages, on_token=tokens.append)
    assert len(tokens) > 1
    assert "".join(tokens) == raw
    assert answer.answer.endswith("Japan will sign next week [unsupported].")
    assert answer.unsupported == ["Japan will sign next week."]
    assert answer.notes == [
        "1 sentence(s) not supported by a cited passage are marked [unsupported]."
    ]


def test_an_answer_citing_nothing_valid_falls_back_to_extractive(retrieve, embedder) -> None:
    passages = retrieve(QUESTION)
    gen = make(FakeListChatModel(responses=["Tokyo Electron depends on China [9]."]), embedder)
    answer = gen.generate(QUESTION, passages)
    assert answer.generator == FALLBACK_NAME
    assert answer.notes[0].startswith("The model's answer cited none of the passages")
    assert answer.citations
    assert "quarter" in answer.answer


def test_a_failed_call_falls_back_and_names_the_error_class_only(retrieve, embedder) -> None:
    passages = retrieve(QUESTION)
    boom = RuntimeError("401 for key sk-secret-123")
    gen = make(GenericFakeChatModel(messages=failing(boom)), embedder)
    answer = gen.generate(QUESTION, passages)
    assert answer.generator == FALLBACK_NAME
    assert answer.notes[0] == (
        "The language model call failed (RuntimeError); "
        "this is the offline extractive answer instead."
    )
    assert "sk-secret" not in str(answer.to_dict())


def test_a_stream_failing_midway_falls_back(retrieve, embedder) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModelError

    passages = retrieve(QUESTION)
    model = FakeListChatModel(responses=[GOOD], error_on_chunk_number=3)
    tokens: list[str] = []
    answer = make(model, embedder).generate(QUESTION, passages, on_token=tokens.append)
    assert len(tokens) == 3
    assert answer.generator == FALLBACK_NAME
    assert FakeListChatModelError.__name__ in answer.notes[0]


def test_an_error_in_the_token_callback_is_not_hidden_by_the_fallback(pick, embedder) -> None:
    def broken(_: str) -> None:
        raise BrokenPipeError

    gen = make(FakeListChatModel(responses=[GOOD]), embedder)
    with pytest.raises(BrokenPipeError):
        gen.generate(QUESTION, pick("Tokyo Electron"), on_token=broken)


def test_a_plain_abstention_is_kept_as_the_models_answer(retrieve, embedder) -> None:
    question = "How much revenue does ASML get from China?"
    text = "The indexed articles don't say how much revenue ASML gets from China."
    answer = make(FakeListChatModel(responses=[text]), embedder).generate(
        question, retrieve(question)
    )
    assert answer.abstained
    assert answer.generator == "llm"
    assert answer.answer == text
    assert answer.citations == []


def test_without_passages_the_model_is_not_called(embedder) -> None:
    model = GenericFakeChatModel(messages=failing(AssertionError("called")))
    answer = make(model, embedder).generate("Anything?", [])
    assert answer.generator == FALLBACK_NAME
    assert answer.abstained
    assert answer.notes[0] == "No passages were retrieved, so the model was not asked."


def test_condense_returns_the_models_standalone_question(embedder) -> None:
    model = FakeListChatModel(responses=["Standalone question: What did the Netherlands agree?"])
    out = make(model, embedder).condense("And the Netherlands?", ["What did Japan agree?"])
    assert out == "What did the Netherlands agree?"


def test_condense_keeps_the_question_when_the_call_fails(embedder) -> None:
    model = GenericFakeChatModel(messages=failing(TimeoutError()))
    gen = make(model, embedder)
    assert gen.condense("And the Netherlands?", ["What did Japan agree?"]) == "And the Netherlands?"


def test_condense_without_history_does_not_call_the_model(embedder) -> None:
    model = GenericFakeChatModel(messages=failing(AssertionError("called")))
    assert make(model, embedder).condense("What did Japan agree?", []) == "What did Japan agree?"


def test_the_registry_builds_it_as_llm(embedder) -> None:
    gen = generators.create(
        "llm",
        settings=Settings(llm="fake:model"),
        embedder=embedder,
        chat_model=FakeListChatModel(responses=[GOOD]),
        unknown="ignored",
    )
    assert isinstance(gen, AnswerGenerator)
    assert gen.name == "llm"


def test_importing_the_generator_does_not_import_langchain() -> None:
    code = (
        "import sys, retrieval.answer.llm\n"
        "loaded = [m for m in sys.modules if m.startswith('langchain')]\n"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


class TestBuildChatModel:
    """Choosing a model from ``settings.llm``: clear one-line errors."""

    @pytest.mark.parametrize("spec", ["gpt-4o", "openai:", ":model", ""])
    def test_a_spec_without_provider_and_model_is_rejected(self, spec: str) -> None:
        with pytest.raises(ConfigError, match="PROVIDER:MODEL"):
            build_chat_model(Settings(llm=spec))

    def test_an_unknown_provider_names_the_known_ones(self) -> None:
        with pytest.raises(ConfigError, match="unknown LLM provider 'nope'; use one of anthropic"):
            build_chat_model(Settings(llm="nope:model"))

    def test_a_missing_provider_package_names_the_pip_extra(self) -> None:
        pytest.importorskip("langchain_openai")
        try:
            import langchain_anthropic  # noqa: F401

            pytest.skip("langchain-anthropic is installed here")
        except ImportError:
            pass
        with pytest.raises(ConfigError, match=r"pip install 'chipbot\[anthropic\]'"):
            build_chat_model(Settings(llm="anthropic:claude-3-5-haiku-latest"))

    def test_a_missing_openai_key_names_the_variables_to_set(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        with pytest.raises(ConfigError, match="set OPENAI_API_KEY or CHIPBOT_LLM_API_KEY"):
            build_chat_model(Settings(llm="openai:gpt-4o-mini"))

    def test_settings_reach_the_openai_client(self) -> None:
        model = build_chat_model(
            Settings(
                llm="openai:gpt-4o-mini",
                llm_api_key="sk-test-not-real",  # type: ignore[arg-type]
                llm_temperature=0.3,
                llm_max_tokens=123,
                llm_timeout=7.0,
                llm_max_retries=4,
            )
        )
        assert (model.temperature, model.max_tokens) == (0.3, 123)  # type: ignore[attr-defined]
        assert (model.request_timeout, model.max_retries) == (7.0, 4)  # type: ignore[attr-defined]
        assert "sk-test-not-real" not in repr(model)

    def test_a_local_server_needs_no_key(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        model = build_chat_model(
            Settings(llm="openai:local-model", llm_base_url="http://127.0.0.1:9/v1")
        )
        assert model.openai_api_base == "http://127.0.0.1:9/v1"  # type: ignore[attr-defined]
