"""A sentence-transformers BERT model directory, read without torch.

Shared by the encoders that reproduce sentence-transformers' ``Transformer ->
Pooling(mean) -> Normalize`` pipeline themselves (:mod:`.numpy_bert`, :mod:`.onnx_bert`):
what is supported (:func:`check_supported`), the weights laid out for the forward pass
(:func:`bert_weights`), tokenising as sentence-transformers does, and the batching that
turns a forward pass over padded ids into unit-length vectors in input order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.encoders.bert_math import F32, BertLayer, BertWeights
from retrieval.encoders.threads import worker_count
from retrieval.encoders.weights import read_safetensors
from retrieval.errors import ConfigError

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_POOLING_FLAGS = (
    "pooling_mode_cls_token",
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


@dataclass(frozen=True)
class ModelSpec:
    """What the encoder needs to know about a supported model dir."""

    config: dict[str, Any]  # the BERT config.json
    max_seq_length: int
    lower_case: bool  # sentence-transformers lowercases texts itself before tokenising


def check_supported(model_dir: Path) -> ModelSpec:
    """The spec of ``model_dir``, or :class:`ConfigError` when numpy cannot reproduce it.

    Supported: a sentence-transformers dir whose modules are Transformer (BERT,
    absolute positions, GELU), mean pooling and optionally Normalize.
    """
    if not model_dir.is_dir():
        raise ConfigError(f"embedding model directory {model_dir} does not exist")
    for needed in ("config.json", "model.safetensors", "tokenizer.json", "modules.json"):
        if not (model_dir / needed).is_file():
            raise ConfigError(f"numpy encoder needs {needed} in {model_dir}")
    modules = _read_json(model_dir / "modules.json")
    kinds = [m.get("type") for m in modules] if isinstance(modules, list) else []
    if kinds not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
        raise ConfigError(f"numpy encoder supports Transformer+Pooling(+Normalize), not {kinds}")
    pooling_dir = model_dir / next(m.get("path", "") for m in modules if m["type"] == _POOLING)
    pooling = _read_json(pooling_dir / "config.json")
    if not pooling.get("pooling_mode_mean_tokens") or any(pooling.get(f) for f in _POOLING_FLAGS):
        raise ConfigError("numpy encoder supports mean pooling only")
    config = _read_json(model_dir / "config.json")
    if config.get("model_type") != "bert":
        raise ConfigError(f"numpy encoder supports BERT, not {config.get('model_type')!r}")
    if config.get("hidden_act") != "gelu":
        raise ConfigError(f"numpy encoder supports GELU, not {config.get('hidden_act')!r}")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ConfigError("numpy encoder supports absolute position embeddings only")
    max_len = int(config.get("max_position_embeddings", 512))
    st_path = model_dir / "sentence_bert_config.json"
    st_config = _read_json(st_path) if st_path.is_file() else {}
    max_len = min(max_len, int(st_config.get("max_seq_length") or max_len))
    return ModelSpec(config, max_len, bool(st_config.get("do_lower_case", False)))


def _check_tokenizer(tokenizer: Any, model_dir: Path) -> None:
    """Refuse a tokenizer.json that transformers would reconfigure from tokenizer_config.json."""
    path = model_dir / "tokenizer_config.json"
    wanted = _read_json(path).get("do_lower_case") if path.is_file() else None
    lowercase = getattr(tokenizer.normalizer, "lowercase", None)
    if wanted is not None and lowercase is not None and bool(wanted) != bool(lowercase):
        raise ConfigError(
            "numpy encoder: tokenizer.json and tokenizer_config.json disagree on case"
        )


def bert_weights(tensors: Mapping[str, np.ndarray], config: dict[str, Any]) -> BertWeights:
    """Lay out a BERT checkpoint's tensors for :func:`encode`."""
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in tensors else ""
    heads = int(config["num_attention_heads"])
    scale = np.float32(1.0 / np.sqrt(int(config["hidden_size"]) // heads))

    def get(key: str) -> F32:
        try:
            return np.asarray(tensors[prefix + key], dtype=np.float32)
        except KeyError:
            raise ConfigError(f"numpy encoder: weight {prefix + key} missing") from None

    def dense(key: str) -> tuple[F32, F32]:
        return np.ascontiguousarray(get(key + ".weight")), get(key + ".bias")

    layers = []
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        att = p + "attention.self."
        # Folding the 1/sqrt(d) attention scale into the query projection saves a pass.
        q_w, q_b = get(att + "query.weight") * scale, get(att + "query.bias") * scale
        qkv_w = np.concatenate([q_w, get(att + "key.weight"), get(att + "value.weight")])
        qkv_b = np.concatenate([q_b, get(att + "key.bias"), get(att + "value.bias")])
        out_w, out_b = dense(p + "attention.output.dense")
        inter_w, inter_b = dense(p + "intermediate.dense")
        ffn_w, ffn_b = dense(p + "output.dense")
        layers.append(
            BertLayer(
                qkv_w=qkv_w,
                qkv_b=qkv_b,
                out_w=out_w,
                out_b=out_b,
                ln1_w=get(p + "attention.output.LayerNorm.weight"),
                ln1_b=get(p + "attention.output.LayerNorm.bias"),
                inter_w=inter_w,
                inter_b=inter_b,
                ffn_w=ffn_w,
                ffn_b=ffn_b,
                ln2_w=get(p + "output.LayerNorm.weight"),
                ln2_b=get(p + "output.LayerNorm.bias"),
            )
        )
    return BertWeights(
        word=get("embeddings.word_embeddings.weight"),
        position=get("embeddings.position_embeddings.weight"),
        token_type0=get("embeddings.token_type_embeddings.weight")[0],
        emb_ln_w=get("embeddings.LayerNorm.weight"),
        emb_ln_b=get("embeddings.LayerNorm.bias"),
        layers=tuple(layers),
        heads=heads,
        eps=float(config.get("layer_norm_eps", 1e-12)),
    )


def _normalise(vectors: F32) -> F32:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, np.float32(1e-12))).astype(np.float32)


def normalise(vectors: F32) -> F32:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, np.float32(1e-12))).astype(np.float32)


def pad(batch: Sequence[list[int]]) -> tuple[npt.NDArray[np.int64], F32]:
    """Token ids right-padded with 0 to the longest, and the float mask of real tokens."""
    length = max(len(ids) for ids in batch)
    ids = np.zeros((len(batch), length), dtype=np.int64)
    mask = np.zeros((len(batch), length), dtype=np.float32)
    for row, seq in enumerate(batch):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1.0
    return ids, mask


class BertModelDir:
    """The parts of a supported model dir an encoder needs: spec, tokenizer, weights."""

    def __init__(self, model_dir: Path) -> None:
        """Read ``model_dir``; :class:`ConfigError` when it is not supported."""
        from tokenizers import Tokenizer

        self.spec = check_supported(model_dir)
        tensors = read_safetensors(model_dir / "model.safetensors")
        try:
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises its own error type
            raise ConfigError(f"cannot read {model_dir / 'tokenizer.json'}: {exc}") from exc
        _check_tokenizer(self._tokenizer, model_dir)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.spec.max_seq_length)
        self.weights = bert_weights(tensors, self.spec.config)

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text (with [CLS]/[SEP], truncated) as sentence-transformers makes."""
        # sentence-transformers strips (and may lowercase) each text first; so must we.
        clean = [str(t).strip() for t in texts]
        if self.spec.lower_case:
            clean = [t.lower() for t in clean]
        return [e.ids for e in self._tokenizer.encode_batch(clean)]


def embed_batches(
    tokenised: Sequence[list[int]],
    encode_ids: Callable[[Sequence[list[int]]], F32],
    dim: int,
    batch_size: int,
    max_batch: int,
) -> F32:
    """Unit-length vectors for ``tokenised`` texts, in input order.

    Texts are grouped by length (padding is wasted compute) into batches of at most
    ``batch_size`` (nor more than the encoder's ``max_batch``); one batch per core runs
    at a time.
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    batch_size = min(batch_size, max_batch)
    out = np.zeros((len(tokenised), dim), dtype=np.float32)
    if not tokenised:
        return out
    order = sorted(range(len(tokenised)), key=lambda i: len(tokenised[i]))
    chunks = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    workers = min(worker_count(), len(chunks))

    def run(chunk: list[int]) -> None:
        out[chunk] = encode_ids([tokenised[i] for i in chunk])

    if workers <= 1:
        for chunk in chunks:
            run(chunk)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
            list(pool.map(run, chunks))
    return normalise(out)
