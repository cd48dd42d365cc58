"""The embedding layer: the numpy encoder matches sentence-transformers, and stays light."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import Embedder, encoders, load_embedder, resolve_model_path
from retrieval.encoders.bert_math import erf, gelu_
from retrieval.encoders.numpy_bert import NumpyBertEncoder
from retrieval.encoders.weights import read_safetensors
from retrieval.errors import ConfigError, UnknownNameError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "seeds_gold.jsonl"
MODEL = "all-MiniLM-L6-v2"
MIN_COSINE = 0.999

LONG_TEXT = " ".join(
    f"Sentence {i}: Washington pressed Tokyo and The Hague to restrict exports of "
    "advanced chipmaking tools to China, and the talks dragged on for months."
    for i in range(40)
)  # about 600 words: far past the 256-token limit

QUESTIONS = [
    "What has Japan agreed to?",
    "Who is Kurt Campbell?",
    "What share of the market do Japanese toolmakers hold?",
    "What did Biden and Kishida discuss?",
    "When were the US export controls announced?",
    "Which countries has the US asked to join the restrictions?",
    "Has the Netherlands agreed to restrict ASML's sales to China?",
    "What is Tokyo Electron?",
    "Why does the US want Japan to impose similar controls?",
    "What did the White House's Indo-Pacific coordinator say on Tuesday?",
    "Did Japan commit to anything during the Washington visit?",
    "How much of the global chipmaking equipment market does Japan control?",
    "What does the Semiconductor Industry Association say?",
    "Are the restrictions effective without allied participation?",
    "What are the October 2022 rules?",
    "Who leads Japan's government?",
    "Is China cut off from advanced semiconductors made anywhere in the world?",
    "What happens next in the negotiations?",
    "Did Kishida say anything publicly about export controls?",
    "What's the status of the talks as of January 2023?",
    "export controls",
    "Japan",
    "ASML",
    "?",
    "",
    "   leading and trailing spaces   ",
    "Kurt Campbell said the talks were “very productive” — were they?",
    "What’s Japan’s position on China’s ‘technological advancement’?",
    "semiconductor export-control negotiations (US, Japan, Netherlands) 2022–2023",
    "WHAT HAS JAPAN AGREED TO",
    "what has japan agreed to",
    "Qu'a accepté le Japon ?",
    "日本は何に同意しましたか",
    "Was hat Japan zugestimmt?",
    "Tell me everything: who, what, when, where and why about the chip curbs on China!!!",
    "Multi\nline\nquestion\twith tabs?",
    "numbers like 27 per cent, 27%, $1.5bn and 10nm chips",
    "Campbell Kishida Biden Rutte Raimondo Sullivan Nikon Canon Lasertec",
    "Could you summarise, in two or three sentences, the state of the export-control "
    "negotiations between the United States, Japan and the Netherlands, including what "
    "each side has publicly committed to, what remains unresolved, and which companies "
    "would be affected by any new restrictions on chipmaking equipment sales to China?",
    LONG_TEXT,
]


def _seed_sentences() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return [s for s in re.split(r"(?<=[.!?”])\s+", text) if s.strip()]


def _gold_questions() -> list[str]:
    if not GOLD.is_file():
        return []
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def numpy_embedder() -> Embedder:
    """The torch-free encoder on the default model."""
    return load_embedder(MODEL, "numpy")


@pytest.fixture(scope="module")
def st_embedder() -> Embedder:
    """The sentence-transformers reference on the default model (loaded once)."""
    return load_embedder(MODEL, "sentence-transformers")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _assert_matches_reference(
    numpy_embedder: Embedder, st_embedder: Embedder, texts: list[str]
) -> None:
    ours = np.stack([numpy_embedder.embed_query(t) for t in texts])
    ours_batched = numpy_embedder.embed_documents(texts, batch_size=7)
    reference = st_embedder.embed_documents(texts)
    for name, vectors in (("embed_query", ours), ("embed_documents", ours_batched)):
        cosines = _cosines(vectors, reference)
        worst = int(np.argmin(cosines))
        assert cosines[worst] >= MIN_COSINE, (
            f"{name}: cosine {cosines[worst]:.6f} for {texts[worst]!r}"
        )


@pytest.mark.slow
def test_numpy_vectors_match_sentence_transformers_on_varied_questions(
    numpy_embedder: Embedder, st_embedder: Embedder
) -> None:
    _assert_matches_reference(numpy_embedder, st_embedder, QUESTIONS)


@pytest.mark.slow
def test_numpy_vectors_match_sentence_transformers_on_every_seed_sentence(
    numpy_embedder: Embedder, st_embedder: Embedder
) -> None:
    sentences = _seed_sentences()
    assert len(sentences) > 20
    _assert_matches_reference(numpy_embedder, st_embedder, sentences)


@pytest.mark.slow
def test_numpy_vectors_match_sentence_transformers_on_whole_seed_articles(
    numpy_embedder: Embedder, st_embedder: Embedder
) -> None:
    articles = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    _assert_matches_reference(numpy_embedder, st_embedder, articles)


@pytest.mark.slow
@pytest.mark.skipif(not GOLD.is_file(), reason="no eval/seeds_gold.jsonl")
def test_numpy_vectors_match_sentence_transformers_on_gold_questions(
    numpy_embedder: Embedder, st_embedder: Embedder
) -> None:
    _assert_matches_reference(numpy_embedder, st_embedder, _gold_questions())


def test_long_text_is_truncated_to_the_models_max_sequence_length() -> None:
    embedder = load_embedder(MODEL, "numpy")
    assert isinstance(embedder, NumpyBertEncoder)
    assert embedder.max_seq_length == 256
    (ids,) = embedder.tokenize([LONG_TEXT])
    assert len(ids) == 256
    assert (ids[0], ids[-1]) == (101, 102)  # [CLS] ... [SEP] survive truncation


def test_documents_come_back_float32_unit_length_in_input_order(
    numpy_embedder: Embedder,
) -> None:
    texts = [LONG_TEXT, "Japan", "Who is Kurt Campbell?", "", "Japan"]
    vectors = numpy_embedder.embed_documents(texts, batch_size=2)
    assert vectors.shape == (5, numpy_embedder.dim) == (5, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for text, vector in zip(texts, vectors, strict=True):
        np.testing.assert_allclose(vector, numpy_embedder.embed_query(text), atol=1e-5)


def test_query_vector_is_float32_unit_length(numpy_embedder: Embedder) -> None:
    vector = numpy_embedder.embed_query("What has Japan agreed to?")
    assert vector.shape == (384,)
    assert vector.dtype == np.float32
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_embedding_is_deterministic(numpy_embedder: Embedder) -> None:
    texts = QUESTIONS[:12]
    first = numpy_embedder.embed_documents(texts)
    second = numpy_embedder.embed_documents(list(reversed(texts)))[::-1]
    np.testing.assert_array_equal(numpy_embedder.embed_query(texts[0]), first[0])
    np.testing.assert_allclose(first, second, atol=1e-6)


def test_related_texts_are_closer_than_unrelated_ones(numpy_embedder: Embedder) -> None:
    query = numpy_embedder.embed_query("Who is Kurt Campbell?")
    related, unrelated = numpy_embedder.embed_documents(
        ["Kurt Campbell, the White House's Indo-Pacific coordinator", "A recipe for lemon cake"]
    )
    assert float(query @ related) > float(query @ unrelated) + 0.2


@pytest.mark.parametrize(
    "encoder", ["numpy", pytest.param("sentence-transformers", marks=pytest.mark.slow)]
)
def test_empty_input_gives_an_empty_matrix(encoder: str) -> None:
    vectors = load_embedder(MODEL, encoder).embed_documents([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_auto_picks_the_numpy_encoder_for_the_default_model() -> None:
    assert isinstance(load_embedder(MODEL, "auto"), NumpyBertEncoder)


def test_embedder_keeps_the_configured_model_name() -> None:
    assert load_embedder(MODEL, "auto").name == MODEL


def test_load_embedder_returns_the_same_instance_per_model_and_encoder() -> None:
    assert load_embedder(MODEL, "numpy") is load_embedder(MODEL, "numpy")
    assert load_embedder(MODEL, "numpy") is not load_embedder(MODEL, "auto")


@pytest.mark.slow
def test_query_path_never_imports_torch_or_transformers() -> None:
    code = (
        "import sys\n"
        "from retrieval.embedding import load_embedder\n"
        "load_embedder('all-MiniLM-L6-v2', 'auto').embed_query('x')\n"
        "heavy = {'torch', 'sentence_transformers', 'transformers'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_unknown_encoder_name_is_rejected_with_the_known_names() -> None:
    with pytest.raises(UnknownNameError) as info:
        load_embedder(MODEL, "tensorflow")
    known = [
        "auto",
        "auto-batch",
        "auto-onnx",
        "numpy",
        "onnx",
        "onnx-int8",
        "sentence-transformers",
        "sentence-transformers-bf16",
    ]
    assert sorted(info.value.known) == known
    assert encoders.names() == known


@pytest.mark.parametrize("encoder", ["numpy", "sentence-transformers", "auto"])
def test_missing_model_directory_is_a_config_error(tmp_path: Path, encoder: str) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_embedder(str(tmp_path / "no-such-model"), encoder)


def test_model_path_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"")
    with pytest.raises(ConfigError, match="is not a directory"):
        load_embedder(str(path), "auto")


def test_numpy_encoder_refuses_a_hub_name_it_cannot_find_locally() -> None:
    with pytest.raises(ConfigError, match="local model directory"):
        load_embedder("some-org/some-model", "numpy")


@pytest.mark.slow
def test_sentence_transformers_refuses_a_model_it_cannot_load_offline() -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ConfigError, match="cannot load embedding model 'some-org/no-such-model'"):
        load_embedder("some-org/no-such-model", "sentence-transformers")


def test_default_model_names_resolve_to_the_packaged_weights() -> None:
    for name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        path = resolve_model_path(name)
        assert isinstance(path, Path)
        assert (path / "model.safetensors").is_file()


def test_local_directory_resolves_to_itself_and_other_names_stay_names(tmp_path: Path) -> None:
    assert resolve_model_path(str(tmp_path)) == tmp_path
    assert resolve_model_path("some-org/some-model") == "some-org/some-model"


def _copy_model(tmp_path: Path) -> Path:
    source = resolve_model_path(MODEL)
    assert isinstance(source, Path)
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    return target


def test_numpy_encoder_rejects_pooling_it_does_not_implement(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    pooling = model_dir / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="mean pooling"):
        NumpyBertEncoder(model_dir)


def test_numpy_encoder_rejects_extra_modules(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    modules = json.loads((model_dir / "modules.json").read_text())
    modules.append(
        {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}
    )
    (model_dir / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ConfigError, match="Transformer"):
        NumpyBertEncoder(model_dir)


def test_numpy_encoder_rejects_a_tokenizer_config_that_changes_casing(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    path = model_dir / "tokenizer_config.json"
    config = json.loads(path.read_text())
    config["do_lower_case"] = False
    path.write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="disagree on case"):
        NumpyBertEncoder(model_dir)


@pytest.mark.slow
def test_auto_falls_back_to_sentence_transformers_when_numpy_cannot_reproduce_the_model(
    tmp_path: Path,
) -> None:
    pytest.importorskip("sentence_transformers")
    model_dir = _copy_model(tmp_path)
    pooling = model_dir / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    embedder = load_embedder(str(model_dir), "auto")
    assert not isinstance(embedder, NumpyBertEncoder)
    assert embedder.embed_query("Japan").shape == (384,)


def test_numpy_encoder_reads_checkpoints_with_a_bert_prefix(
    tmp_path: Path, numpy_embedder: Embedder
) -> None:
    from safetensors.numpy import load_file, save_file

    model_dir = _copy_model(tmp_path)
    tensors = load_file(str(model_dir / "model.safetensors"))
    (model_dir / "model.safetensors").unlink()
    save_file({f"bert.{k}": v for k, v in tensors.items()}, str(model_dir / "model.safetensors"))
    prefixed = NumpyBertEncoder(model_dir)
    np.testing.assert_allclose(
        prefixed.embed_query("Who is Kurt Campbell?"),
        numpy_embedder.embed_query("Who is Kurt Campbell?"),
        atol=1e-6,
    )


def test_erf_is_accurate_to_a_few_float32_ulps() -> None:
    # The approximation itself is within 1.5e-7; float32 cancellation near 0 adds a little.
    x = np.linspace(-6, 6, 24_001, dtype=np.float32)
    exact = np.array([math.erf(float(v)) for v in x])
    assert float(np.max(np.abs(erf(x) - exact))) < 1e-6


def test_gelu_matches_the_exact_erf_definition() -> None:
    x = np.linspace(-12, 12, 48_001, dtype=np.float32)
    exact = np.array([0.5 * float(v) * (1 + math.erf(float(v) / math.sqrt(2))) for v in x])
    got = gelu_(x.copy())
    assert float(np.max(np.abs(got - exact) / np.maximum(1.0, np.abs(exact)))) < 1e-6


def test_mapped_weights_equal_what_safetensors_reads() -> None:
    from safetensors.numpy import load_file

    path = Path(resolve_model_path(MODEL)) / "model.safetensors"
    mapped = read_safetensors(path)
    loaded = load_file(str(path))
    assert mapped.keys() == loaded.keys()
    for name, array in loaded.items():
        assert mapped[name].dtype == array.dtype
        np.testing.assert_array_equal(mapped[name], array)


def test_mapped_weights_cover_other_dtypes(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    tensors: dict[str, np.ndarray] = {
        "half": np.arange(6, dtype=np.float16).reshape(2, 3),
        "ids": np.arange(4, dtype=np.int64),
        "scalar": np.array(1.5, dtype=np.float32),
    }
    save_file(tensors, str(tmp_path / "t.safetensors"))
    mapped = read_safetensors(tmp_path / "t.safetensors")
    for name, array in tensors.items():
        assert mapped[name].dtype == array.dtype
        np.testing.assert_array_equal(mapped[name], array)


def test_corrupt_weights_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(ConfigError, match="cannot read model weights"):
        read_safetensors(path)
