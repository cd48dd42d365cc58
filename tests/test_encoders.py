"""The onnxruntime encoders: float32 reproduces sentence-transformers, int8 stays close,
and ingest uses the float32 one for passages unless told otherwise."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import Embedder, load_embedder, resolve_model_path
from retrieval.encoders.batch import BatchRouter
from retrieval.encoders.bert_model import BertModelDir
from retrieval.encoders.onnx_bert import QUANTIZED, OnnxBertEncoder, build_graph
from retrieval.engine import Chipbot
from retrieval.errors import ConfigError
from retrieval.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
MODEL = "all-MiniLM-L6-v2"


def _gold_questions() -> list[str]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _seed_passages() -> list[str]:
    """Every seed paragraph, and each whole article (past the 256-token limit)."""
    articles = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    paragraphs = [p for a in articles for p in a.split("\n") if p.strip()]
    return paragraphs + articles


@pytest.fixture(scope="module")
def reference() -> Embedder:
    """sentence-transformers on the default model: the vectors to reproduce."""
    return load_embedder(MODEL, "sentence-transformers")


@pytest.fixture(scope="module")
def onnx_fp32() -> Embedder:
    return load_embedder(MODEL, "onnx")


@pytest.fixture(scope="module")
def onnx_int8() -> Embedder:
    return load_embedder(MODEL, "onnx-int8")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
def test_float32_onnx_vectors_equal_sentence_transformers_on_seed_passages(
    onnx_fp32: Embedder, reference: Embedder
) -> None:
    texts = _seed_passages()
    cosines = _cosines(
        onnx_fp32.embed_documents(texts, batch_size=5), reference.embed_documents(texts)
    )
    assert cosines.min() >= 0.99999, texts[int(np.argmin(cosines))]


@pytest.mark.slow
def test_float32_onnx_vectors_equal_sentence_transformers_on_gold_questions(
    onnx_fp32: Embedder, reference: Embedder
) -> None:
    questions = _gold_questions()
    ours = np.stack([onnx_fp32.embed_query(q) for q in questions])
    assert _cosines(ours, reference.embed_documents(questions)).min() >= 0.99999


@pytest.mark.slow
def test_int8_onnx_vectors_stay_close_to_the_reference_but_are_quantized(
    onnx_int8: Embedder, reference: Embedder
) -> None:
    texts = _seed_passages()
    cosines = _cosines(onnx_int8.embed_documents(texts), reference.embed_documents(texts))
    assert cosines.min() >= 0.98
    assert cosines.mean() >= 0.99
    assert cosines.mean() < 0.9999  # a float32 graph would sit at 1.0


def test_int8_graph_runs_the_chosen_dense_layers_in_int8_and_the_rest_in_float() -> None:
    weights = BertModelDir(resolve_model_path(MODEL)).weights
    ops = [node.op_type for node in build_graph(weights, quantize=True).graph.node]
    layers = len(weights.layers)
    assert ops.count("MatMulInteger") == layers * len(QUANTIZED)
    assert ops.count("MatMul") == layers * (4 - len(QUANTIZED))
    assert "MatMulInteger" not in [n.op_type for n in build_graph(weights).graph.node]


def test_vectors_are_float32_unit_length_rows_in_input_order(onnx_fp32: Embedder) -> None:
    texts = ["Japan", "The Netherlands and ASML", "Japan"]
    vectors = onnx_fp32.embed_documents(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)
    np.testing.assert_allclose(vectors[1], onnx_fp32.embed_query(texts[1]), atol=1e-5)


@pytest.mark.parametrize("encoder", ["onnx", "onnx-int8"])
def test_empty_input_gives_an_empty_matrix(encoder: str) -> None:
    assert load_embedder(MODEL, encoder).embed_documents([]).shape == (0, 384)


def test_a_batch_size_below_one_is_a_config_error(onnx_fp32: Embedder) -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        onnx_fp32.embed_documents(["Japan"], batch_size=0)


def test_without_onnx_installed_the_encoder_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(ConfigError, match="onnx and onnxruntime"):
        OnnxBertEncoder(Path(resolve_model_path(MODEL)))


def test_a_model_it_cannot_reproduce_is_a_config_error(tmp_path: Path) -> None:
    source = Path(resolve_model_path(MODEL))
    model_dir = tmp_path / "model"
    shutil.copytree(source, model_dir)
    modules = json.loads((model_dir / "modules.json").read_text())
    modules.append({"idx": 3, "name": "3", "path": "3_Dense", "type": "x.Dense"})
    (model_dir / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ConfigError, match="Transformer"):
        OnnxBertEncoder(model_dir)


def test_ingest_embeds_passages_with_onnx_where_the_cpu_has_no_amx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval import embedding

    monkeypatch.setattr(embedding, "_cache", {})
    monkeypatch.setattr("retrieval.encoders.hardware.has_amx_bf16", lambda: False)
    bot = Chipbot(Settings(data_dir=tmp_path))
    assert isinstance(bot.document_embedder, OnnxBertEncoder)
    assert not bot.document_embedder.quantized


def test_with_amx_big_batches_go_to_bfloat16_and_small_ones_to_onnx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval import embedding
    from retrieval.encoders.st import SentenceTransformerEncoder

    monkeypatch.setattr(embedding, "_cache", {})
    monkeypatch.setattr("retrieval.encoders.hardware.has_amx_bf16", lambda: True)
    router = Chipbot(Settings(data_dir=tmp_path)).document_embedder
    assert isinstance(router, BatchRouter)
    small = router.embed_documents(["Japan"] * (router.big_batch - 1))
    np.testing.assert_allclose(small[0], load_embedder(MODEL, "onnx").embed_query("Japan"))
    assert router._big is None  # small batches never load torch
    big = router.embed_documents(["Japan"] * router.big_batch)
    assert isinstance(router.big, SentenceTransformerEncoder)
    assert router.big.bf16
    assert float(big[0] @ small[0]) >= 0.9995


def test_the_router_answers_queries_with_its_small_encoder() -> None:
    def never() -> Embedder:
        raise AssertionError("the big encoder must not load for a query")

    small = load_embedder(MODEL, "onnx")
    router = BatchRouter(small, never)
    np.testing.assert_array_equal(router.embed_query("Japan"), small.embed_query("Japan"))
    assert (router.name, router.dim) == (small.name, small.dim)


@pytest.mark.slow
def test_bfloat16_vectors_stay_within_rounding_of_the_reference(reference: Embedder) -> None:
    texts = _seed_passages()
    bf16 = load_embedder(MODEL, "sentence-transformers-bf16").embed_documents(texts)
    assert bf16.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)
    assert _cosines(bf16, reference.embed_documents(texts)).min() >= 0.9995


def test_amx_is_read_from_the_cpu_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.encoders import hardware

    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512f", "amx_tile"}))
    assert not hardware.has_amx_bf16()
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"amx_bf16", "amx_tile"}))
    assert hardware.has_amx_bf16()


def test_document_encoder_setting_picks_the_int8_encoder(tmp_path: Path) -> None:
    bot = Chipbot(Settings(data_dir=tmp_path, document_encoder="onnx-int8"))
    assert isinstance(bot.document_embedder, OnnxBertEncoder)
    assert bot.document_embedder.quantized


def test_documents_fall_back_to_the_query_encoder_when_onnx_cannot_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval import embedding

    monkeypatch.setattr(embedding, "_cache", {})  # force a fresh load
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    bot = Chipbot(Settings(data_dir=tmp_path, document_encoder="onnx"))
    assert bot.document_embedder is bot.embedder


def test_an_embedder_passed_in_also_embeds_the_documents(tmp_path: Path) -> None:
    given = load_embedder(MODEL, "numpy")
    bot = Chipbot(Settings(data_dir=tmp_path), embedder=given)
    assert bot.document_embedder is given


def test_an_index_built_with_onnx_answers_like_one_built_with_numpy(tmp_path: Path) -> None:
    """The passages' vectors, and so the ranking, do not depend on the document encoder."""
    rankings = []
    for encoder in ("onnx", "numpy"):
        bot = Chipbot(Settings(data_dir=tmp_path / encoder, document_encoder=encoder))
        bot.ingest([SEEDS])
        passages = bot.retrieve("Has Japan agreed to match the US export controls?", k=5)
        rankings.append([(p.id, round(p.score, 4)) for p in passages])
    assert rankings[0] == rankings[1]


def test_long_running_processes_embed_questions_with_onnx_by_default() -> None:
    assert Settings().for_long_running().encoder == "auto-onnx"
    assert isinstance(load_embedder(MODEL, "auto-onnx"), OnnxBertEncoder)


def test_long_running_processes_keep_an_encoder_chosen_explicitly() -> None:
    assert Settings(encoder="numpy").for_long_running().encoder == "numpy"


def test_auto_onnx_falls_back_to_auto_when_onnx_cannot_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrieval import embedding
    from retrieval.encoders.numpy_bert import NumpyBertEncoder

    monkeypatch.setattr(embedding, "_cache", {})
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert isinstance(load_embedder(MODEL, "auto-onnx"), NumpyBertEncoder)


def test_auto_batch_and_auto_onnx_share_one_onnx_session(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval import embedding

    monkeypatch.setattr(embedding, "_cache", {})
    monkeypatch.setattr("retrieval.encoders.hardware.has_amx_bf16", lambda: True)
    router = load_embedder(MODEL, "auto-batch")
    assert isinstance(router, BatchRouter)
    assert router._small is load_embedder(MODEL, "auto-onnx") is load_embedder(MODEL, "onnx")
