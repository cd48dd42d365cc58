"""The embedding seam: the default (onnx) encoder reproduces sentence-transformers' vectors,
stays light on the query path, and unusable names or models are refused plainly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import Embedder, encoders, load_embedder, resolve_model_path
from retrieval.encoders.onnx_encoder import OnnxEncoder
from retrieval.errors import ConfigError, UnknownNameError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL = ROOT / "eval"
MODEL = "all-MiniLM-L6-v2"
#: Vectors must be sentence-transformers' up to float rounding (issue 14).
MIN_COSINE = 0.9999

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


def _gold_questions() -> list[str]:
    """Every question of every gold set: questions, follow-ups, their histories and rewrites."""
    texts: list[str] = []
    for path in sorted(EVAL.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            texts += [item[k] for k in ("question", "followup") if k in item]
            texts += item.get("history", []) + item.get("rewrites", [])
    return texts


def _seed_passages() -> list[str]:
    """The seeds' passages as ingest cuts them, their paragraphs, and each whole article."""
    from retrieval.chunking import chunk_article
    from retrieval.parsing import parse_file

    articles = [parse_file(p) for p in sorted(SEEDS.glob("*.txt"))]
    passages = [c.text for a in articles for c in chunk_article(a, max_chars=350, overlap=1)]
    paragraphs = [p for a in articles for p in a.text.split("\n") if p.strip()]
    return passages + paragraphs + [a.text for a in articles]


@pytest.fixture(scope="module")
def onnx_embedder(model_cache: Path) -> Embedder:
    """The default encoder on the default model."""
    return load_embedder(MODEL, "onnx", model_cache)


@pytest.fixture(scope="module")
def st_embedder() -> Embedder:
    """The sentence-transformers reference on the default model (loaded once)."""
    return load_embedder(MODEL, "sentence-transformers")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _assert_matches_reference(ours: Embedder, reference: Embedder, texts: list[str]) -> None:
    one_by_one = np.stack([ours.embed_query(t) for t in texts])
    batched = ours.embed_documents(texts, batch_size=7)
    expected = reference.embed_documents(texts)
    for name, vectors in (("embed_query", one_by_one), ("embed_documents", batched)):
        cosines = _cosines(vectors, expected)
        worst = int(np.argmin(cosines))
        assert cosines[worst] >= MIN_COSINE, (
            f"{name}: cosine {cosines[worst]:.6f} for {texts[worst]!r}"
        )


TEXT_SETS = {
    "every gold question": _gold_questions,
    "the seed passages": _seed_passages,
    "odd questions": lambda: QUESTIONS,
}


@pytest.mark.slow
@pytest.mark.parametrize("texts", list(TEXT_SETS))
def test_onnx_vectors_match_sentence_transformers(
    texts: str, onnx_embedder: Embedder, st_embedder: Embedder
) -> None:
    chosen = TEXT_SETS[texts]()
    assert len(chosen) > 20
    _assert_matches_reference(onnx_embedder, st_embedder, chosen)


def test_documents_come_back_float32_unit_length_in_input_order(
    onnx_embedder: Embedder,
) -> None:
    texts = [LONG_TEXT, "Japan", "Who is Kurt Campbell?", "", "Japan"]
    vectors = onnx_embedder.embed_documents(texts, batch_size=2)
    assert vectors.shape == (5, onnx_embedder.dim) == (5, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for text, vector in zip(texts, vectors, strict=True):
        np.testing.assert_allclose(vector, onnx_embedder.embed_query(text), atol=1e-5)


def test_query_vector_is_float32_unit_length(onnx_embedder: Embedder) -> None:
    vector = onnx_embedder.embed_query("What has Japan agreed to?")
    assert vector.shape == (384,)
    assert vector.dtype == np.float32
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_embedding_is_deterministic(onnx_embedder: Embedder) -> None:
    texts = QUESTIONS[:12]
    first = onnx_embedder.embed_documents(texts)
    second = onnx_embedder.embed_documents(list(reversed(texts)))[::-1]
    np.testing.assert_allclose(onnx_embedder.embed_query(texts[0]), first[0], atol=1e-6)
    np.testing.assert_allclose(first, second, atol=1e-6)


def test_related_texts_are_closer_than_unrelated_ones(onnx_embedder: Embedder) -> None:
    query = onnx_embedder.embed_query("Who is Kurt Campbell?")
    related, unrelated = onnx_embedder.embed_documents(
        ["Kurt Campbell, the White House's Indo-Pacific coordinator", "A recipe for lemon cake"]
    )
    assert float(query @ related) > float(query @ unrelated) + 0.2


def test_a_batch_size_below_one_is_a_config_error(onnx_embedder: Embedder) -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        onnx_embedder.embed_documents(["Japan"], batch_size=0)


@pytest.mark.parametrize(
    "encoder", ["onnx", pytest.param("sentence-transformers", marks=pytest.mark.slow)]
)
def test_empty_input_gives_an_empty_matrix(encoder: str) -> None:
    vectors = load_embedder(MODEL, encoder).embed_documents([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_the_default_encoder_is_onnx_and_keeps_the_configured_model_name() -> None:
    embedder = load_embedder(MODEL)
    assert isinstance(embedder, OnnxEncoder)
    assert embedder.name == MODEL


def test_load_embedder_returns_the_same_instance_per_model_and_encoder() -> None:
    assert load_embedder(MODEL, "onnx") is load_embedder(MODEL, "onnx")


@pytest.mark.slow
def test_query_path_never_imports_torch_or_transformers(
    onnx_embedder: Embedder, model_cache: Path
) -> None:
    # The export exists (the fixture made it): answering a question only runs it.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from retrieval.embedding import load_embedder\n"
        f"load_embedder('all-MiniLM-L6-v2', 'onnx', Path({str(model_cache)!r})).embed_query('x')\n"
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
    known = ["auto", "onnx", "sentence-transformers"]
    assert sorted(info.value.known) == known
    assert encoders.names() == known


@pytest.mark.parametrize("encoder", ["onnx", "sentence-transformers"])
def test_missing_model_directory_is_a_config_error(tmp_path: Path, encoder: str) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_embedder(str(tmp_path / "no-such-model"), encoder)


def test_model_path_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"")
    with pytest.raises(ConfigError, match="is not a directory"):
        load_embedder(str(path), "onnx")


def test_onnx_refuses_a_hub_name_that_is_not_in_the_local_cache() -> None:
    with pytest.raises(ConfigError, match="nor in the local Hugging Face cache"):
        load_embedder("some-org/no-such-model", "onnx")


@pytest.mark.slow
def test_sentence_transformers_refuses_a_model_it_cannot_load_offline() -> None:
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
