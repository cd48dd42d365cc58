"""The encoders behind the two settings: the ONNX export is made once, shared safely and
refused when it would change the vectors; passages and questions can each be embedded by
either runtime without re-ingesting; retired encoder names are refused with the new ones."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from filelock import FileLock
from pydantic import ValidationError

from retrieval.embedding import Embedder, load_embedder, local_model_dir
from retrieval.encoders import onnx_export
from retrieval.encoders.batch import BatchRouter
from retrieval.encoders.onnx_encoder import OnnxEncoder
from retrieval.encoders.onnx_export import META_FILE, ensure_export, export_dir, fingerprint
from retrieval.engine import Chipbot
from retrieval.errors import ConfigError
from retrieval.query_adapter import QueryAdaptedEmbedder
from retrieval.settings import RETIRED_ENCODERS, Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
MODEL = "all-MiniLM-L6-v2"
QUESTIONS = [
    "Has Japan agreed to match the US export controls?",
    "What share of the market do Japanese toolmakers hold?",
    "Who is Kurt Campbell?",
]


def _seed_passages() -> list[str]:
    articles = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return [p for a in articles for p in a.split("\n") if p.strip()]


def _copy_model(tmp_path: Path) -> Path:
    """A private copy of the default model (its weights linked, not copied)."""
    source = local_model_dir(MODEL)
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    return target


def _never_export(model_dir: Path, target: Path) -> None:
    raise AssertionError(f"{model_dir} must not be exported again")


@pytest.fixture(scope="module")
def default_export(model_cache: Path) -> Path:
    """The export of the default model in the tests' shared model cache."""
    return ensure_export(local_model_dir(MODEL), model_cache)


def test_the_export_is_a_standard_onnx_file_with_its_tokenizer(default_export: Path) -> None:
    assert (default_export / "model.onnx").is_file()
    assert (default_export / "model.onnx.data").stat().st_size > 80_000_000  # the weights
    assert (default_export / "tokenizer.json").is_file()
    meta = json.loads((default_export / META_FILE).read_text())
    assert (meta["dim"], meta["max_seq_length"], meta["do_lower_case"]) == (384, 256, False)
    assert meta["probe_cosine"] >= onnx_export.MIN_COSINE


def test_an_existing_export_is_reused_not_made_again(
    default_export: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_export, "_export", _never_export)
    assert ensure_export(local_model_dir(MODEL), model_cache) == default_export


def test_exports_are_keyed_by_the_model_files(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    before = fingerprint(model_dir)
    assert fingerprint(model_dir) == before
    (model_dir / "config_sentence_transformers.json").write_text("{}")
    assert fingerprint(model_dir) != before
    assert export_dir(model_dir, tmp_path).parent == tmp_path / "onnx"


def test_a_copy_of_the_same_model_elsewhere_shares_its_export(tmp_path: Path) -> None:
    first = _copy_model(tmp_path / "a")
    second = _copy_model(tmp_path / "b")
    assert export_dir(first, tmp_path / "cache") == export_dir(second, tmp_path / "cache")


def test_the_model_files_are_hashed_once_then_known_by_their_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_dir = _copy_model(tmp_path)
    key = export_dir(model_dir, tmp_path / "cache")

    stat_key = onnx_export.fingerprint

    def no_rehash(model_dir: Path, *, contents: bool = True) -> str:
        assert not contents, "the model's files were hashed again"
        return stat_key(model_dir, contents=False)

    monkeypatch.setattr(onnx_export, "fingerprint", no_rehash)
    assert export_dir(model_dir, tmp_path / "cache") == key


def test_an_export_finished_by_another_process_while_waiting_is_not_redone(
    tmp_path: Path, default_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_export, "_export", _never_export)
    model_dir = local_model_dir(MODEL)
    target = export_dir(model_dir, tmp_path)
    target.mkdir(parents=True)
    results: list[Path | BaseException] = []

    def wait_for_export() -> None:
        try:
            results.append(ensure_export(model_dir, tmp_path))
        except BaseException as exc:  # reported by the assertion below
            results.append(exc)

    with FileLock(str(target) + ".lock"):  # "another process" is exporting
        waiter = threading.Thread(target=wait_for_export)
        waiter.start()
        waiter.join(timeout=0.5)
        assert waiter.is_alive()  # it waits for the lock rather than exporting
        for path in default_export.iterdir():
            shutil.copy(path, target / path.name)
    waiter.join(timeout=30)
    assert results == [target]


@pytest.mark.slow
def test_a_model_the_export_does_not_reproduce_is_refused(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    pooling = model_dir / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="does not reproduce sentence-transformers"):
        ensure_export(model_dir, tmp_path / "cache")
    assert not (export_dir(model_dir, tmp_path / "cache") / META_FILE).exists()


def test_without_onnxruntime_the_encoder_says_what_is_missing(
    default_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    with pytest.raises(ConfigError, match="onnxruntime"):
        OnnxEncoder(default_export, name=MODEL)


def test_passages_go_to_onnx_where_the_cpu_has_no_amx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("retrieval.encoders.batch.has_amx_bf16", lambda: False)
    monkeypatch.setattr("retrieval.embedding._cache", {})
    bot = Chipbot(Settings(data_dir=tmp_path))
    assert isinstance(bot.document_embedder, OnnxEncoder)
    # One onnxruntime session for the plain model, not two: questions go through the
    # query adapter's model, passages and sentences through this one.
    assert isinstance(bot.embedder, QueryAdaptedEmbedder)
    assert bot.document_embedder is bot.embedder.documents


def test_with_amx_big_batches_go_to_bfloat16_and_small_ones_to_onnx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval.encoders.st import SentenceTransformerEncoder

    monkeypatch.setattr("retrieval.encoders.batch.has_amx_bf16", lambda: True)
    monkeypatch.setattr("retrieval.embedding._cache", {})
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
def test_bfloat16_vectors_stay_within_rounding_of_the_reference() -> None:
    from retrieval.encoders.st import SentenceTransformerEncoder

    texts = _seed_passages()
    bf16 = SentenceTransformerEncoder(local_model_dir(MODEL), bf16=True).embed_documents(texts)
    reference = load_embedder(MODEL, "sentence-transformers").embed_documents(texts)
    assert bf16.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(bf16 * reference, axis=1))) >= 0.9995


def test_amx_is_read_from_the_cpu_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.encoders import batch

    monkeypatch.setattr(batch, "cpu_flags", lambda: frozenset({"avx512f", "amx_tile"}))
    assert not batch.has_amx_bf16()
    monkeypatch.setattr(batch, "cpu_flags", lambda: frozenset({"amx_bf16", "amx_tile"}))
    assert batch.has_amx_bf16()


@pytest.mark.slow
def test_passages_fall_back_to_the_query_encoder_when_theirs_cannot_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("retrieval.embedding._cache", {})
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    settings = Settings(data_dir=tmp_path, encoder="sentence-transformers", document_encoder="onnx")
    bot = Chipbot(settings)
    assert bot.document_embedder is bot.embedder


def test_an_embedder_passed_in_also_embeds_the_documents(tmp_path: Path) -> None:
    given = load_embedder(MODEL, "onnx")
    bot = Chipbot(Settings(data_dir=tmp_path), embedder=given)
    assert bot.document_embedder is given


@pytest.mark.slow
def test_an_index_embedded_by_sentence_transformers_answers_the_same_through_onnx(
    tmp_path: Path,
) -> None:
    """An index built before the onnx encoder (whose vectors are sentence-transformers')
    needs no re-ingest: questions embedded by onnx find the same passages, scored alike."""
    reference = Settings(
        data_dir=tmp_path, encoder="sentence-transformers", document_encoder="sentence-transformers"
    )
    Chipbot(reference).ingest([SEEDS])
    rankings = []
    for settings in (reference, Settings(data_dir=tmp_path)):
        bot = Chipbot(settings)
        rankings.append(
            [[(p.id, round(p.score, 4)) for p in bot.retrieve(q, k=5)] for q in QUESTIONS]
        )
    assert rankings[0] == rankings[1]


@pytest.mark.parametrize("name", sorted(RETIRED_ENCODERS))
def test_a_retired_encoder_name_is_refused_naming_the_current_ones(name: str) -> None:
    with pytest.raises(ValidationError, match="onnx \\(the default\\), sentence-transformers"):
        Settings(encoder=name)
    with pytest.raises(
        ValidationError, match="auto \\(the default\\), onnx, sentence-transformers"
    ):
        Settings(document_encoder=name)


def test_auto_is_a_document_encoder_only() -> None:
    assert Settings().document_encoder == "auto"
    with pytest.raises(ValidationError, match="is for documents only"):
        Settings(encoder="auto")


def test_the_defaults_are_onnx_for_questions_and_auto_for_passages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHIPBOT_MODEL_CACHE_DIR")
    settings = Settings()
    assert (settings.encoder, settings.document_encoder) == ("onnx", "auto")
    assert Settings(data_dir=tmp_path).models_dir == tmp_path / "models"
    assert Settings(data_dir=tmp_path, model_cache_dir=tmp_path / "m").models_dir == tmp_path / "m"


def test_the_cli_names_the_current_encoders_for_a_retired_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli import main

    monkeypatch.setenv("CHIPBOT_ENCODER", "numpy")
    result = CliRunner().invoke(main, ["ask", "Has Japan agreed?"])
    assert result.exit_code == 2
    assert "CHIPBOT_ENCODER" in result.output
    assert "'numpy' was retired" in result.output
    assert "onnx (the default), sentence-transformers" in result.output
