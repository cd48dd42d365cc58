"""The query adapter: questions pass through the model with a LoRA fitted on SelQA merged
in, passages and sentences keep the plain model's vectors (so no index changes), the
merged model is made once, and the fitting script reproduces what ships."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import retrieval.query_adapter as query_adapter
from retrieval.embedding import load_embedder, local_model_dir
from retrieval.engine import Chipbot
from retrieval.errors import ConfigError
from retrieval.query_adapter import (
    QueryAdaptedEmbedder,
    adapter_dir,
    applies_to,
    is_question,
    load_query_embedder,
    merged_model_dir,
)
from retrieval.query_adapter.fit import ADAPTER_DIR, DEFAULT_SELQA, FIT_FILE
from retrieval.settings import Settings
from tests.fitting import refit_matches

ROOT = Path(__file__).resolve().parent.parent
MODEL = "all-MiniLM-L6-v2"
QUESTION = "How much of the chipmaking equipment market do Japanese companies hold?"
SENTENCES = [
    "Japan and the Netherlands are home to some of the top producers of chipmaking tools.",
    "Rutte will travel to Washington on Jan 17.",
]


@pytest.fixture(scope="module")
def plain(model_cache: Path):  # type: ignore[no-untyped-def]
    return load_embedder(MODEL, "onnx", model_cache)


def test_questions_pass_through_the_adapter(embedder, plain) -> None:  # type: ignore[no-untyped-def]
    adapted, base = embedder.embed_query(QUESTION), plain.embed_query(QUESTION)
    assert isinstance(embedder, QueryAdaptedEmbedder)
    assert adapted.shape == base.shape
    assert np.linalg.norm(adapted) == pytest.approx(1.0, abs=1e-4)
    # Moved, but still in the same space as the passages.
    assert 0.5 < float(adapted @ base) < 0.999


def test_passages_keep_the_plain_models_vectors(embedder, plain) -> None:  # type: ignore[no-untyped-def]
    assert np.allclose(embedder.embed_documents(SENTENCES), plain.embed_documents(SENTENCES))
    assert embedder.name == MODEL


def test_the_adapter_ranks_held_out_selqa_answers_higher_than_the_plain_model() -> None:
    figures = json.loads((ADAPTER_DIR / FIT_FILE).read_text("utf-8"))["held_out"]
    assert figures["file"] == "selqa-ass-dev.json"  # not the file it was trained on
    assert figures["cosine_map_adapted"] > figures["cosine_map_base"]


def test_the_setting_none_embeds_questions_as_passages(tmp_path: Path, plain) -> None:  # type: ignore[no-untyped-def]
    bot = Chipbot(Settings(data_dir=tmp_path, query_adapter="none"))
    assert np.allclose(bot.embedder.embed_query(QUESTION), plain.embed_query(QUESTION))


def test_the_default_settings_use_the_adapter(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = Chipbot(Settings(data_dir=tmp_path))
    assert np.allclose(bot.embedder.embed_query(QUESTION), embedder.embed_query(QUESTION))


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPBOT_QUERY_ADAPTER", "none")
    assert Settings().query_adapter == "none"


def test_an_unknown_adapter_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"'nope'.*none, selqa"):
        adapter_dir("nope")


def test_an_adapter_is_not_applied_to_a_model_it_was_not_fitted_on(
    tmp_path: Path, model_cache: Path
) -> None:
    other = tmp_path / "other-model"
    shutil.copytree(local_model_dir(MODEL), other)
    assert applies_to(adapter_dir("selqa"), MODEL)
    assert not applies_to(adapter_dir("selqa"), str(other))
    loaded = load_query_embedder(str(other), "onnx", "selqa", model_cache)
    assert not isinstance(loaded, QueryAdaptedEmbedder)


def test_the_merged_model_is_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path
) -> None:
    base = local_model_dir(MODEL)
    first = merged_model_dir(adapter_dir("selqa"), base, model_cache)

    def never(*args: object) -> None:
        raise AssertionError("the adapter must not be merged again")

    monkeypatch.setattr(query_adapter, "_merge", never)
    assert merged_model_dir(adapter_dir("selqa"), base, model_cache) == first
    assert (first / "model.safetensors").is_file()
    assert (first / "tokenizer.json").is_file()


def test_an_index_built_without_the_adapter_answers_with_it(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("What share of the chipmaking equipment market do Japanese firms hold?")
    assert not answer.abstained
    assert "27" in answer.answer


@pytest.mark.slow
@pytest.mark.skipif(not DEFAULT_SELQA.is_dir(), reason=f"SelQA not found at {DEFAULT_SELQA}")
def test_the_fitting_script_reproduces_the_shipped_adapter() -> None:
    reproduced, output = refit_matches("retrieval.query_adapter.fit")
    assert reproduced, output


@pytest.mark.parametrize(
    "text",
    ["Has Japan agreed to match the US controls?", "who is Kurt Campbell", "Why now?"],
)
def test_questions_are_recognised(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text", ["Dutch export rules", "0-dimensional biomaterials show inductive properties."]
)
def test_statements_are_not_questions(text: str) -> None:
    assert not is_question(text)


def test_a_statement_keeps_the_plain_models_vector(embedder, plain) -> None:  # type: ignore[no-untyped-def]
    claim = "Japanese companies hold 27 per cent of the chipmaking equipment market."
    assert np.allclose(embedder.embed_query(claim), plain.embed_query(claim))


def test_a_question_asked_again_is_not_encoded_again(embedder) -> None:  # type: ignore[no-untyped-def]
    first = embedder.embed_query("Who is Japan's ambassador to the United States?")
    again = embedder.embed_query("Who is Japan's ambassador to the United States?")
    assert again is first
    assert not again.flags.writeable  # one array handed out twice must not be changed


def test_only_the_most_recent_questions_are_kept(embedder) -> None:  # type: ignore[no-untyped-def]
    first = embedder.embed_query("Which company relies on China for revenue?")
    for i in range(QueryAdaptedEmbedder.RECENT):
        embedder.embed_query(f"What happened on day {i}?")
    again = embedder.embed_query("Which company relies on China for revenue?")
    assert again is not first
    assert np.allclose(again, first)
