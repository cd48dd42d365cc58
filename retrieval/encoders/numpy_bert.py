"""A BERT sentence encoder in pure numpy: the query path's way around importing torch.

It reproduces sentence-transformers' ``Transformer -> Pooling(mean) -> Normalize``
pipeline for BERT-architecture model directories, reading ``model.safetensors`` and
``tokenizer.json`` directly. Anything it cannot reproduce exactly (another
architecture, another pooling, extra modules such as ``Dense``) raises
:class:`ConfigError`, so callers can fall back to sentence-transformers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

F32 = npt.NDArray[np.float32]

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
# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below float32 resolution near 1.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)
_INV_SQRT2 = np.float32(1.0 / np.sqrt(2.0))
_MASKED = np.float32(-1e9)


def erf(x: F32) -> F32:
    """The error function, elementwise, absolute error below 1.5e-7 (numpy has none)."""
    z = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * z)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t
    y = 1.0 - poly * np.exp(-z * z)
    return np.copysign(y, x).astype(np.float32, copy=False)


def gelu(x: F32) -> F32:
    """Exact (erf-based) GELU, as BERT's ``hidden_act="gelu"``; overwrites ``x``."""
    # Work in place: the intermediate activations are the largest arrays in a batch.
    z = np.multiply(x, _INV_SQRT2)
    np.abs(z, out=z)
    t = np.multiply(z, _ERF_P)
    t += 1.0
    np.reciprocal(t, out=t)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = t * a5
    for a in (a4, a3, a2, a1):
        poly += a
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x|/sqrt2)
    # 0.5 * x * (1 + erf(x/sqrt2)): for x >= 0 that is x * (1 - poly/2), else x * poly/2.
    poly *= 0.5
    half = np.where(x >= 0, 1.0 - poly, poly).astype(np.float32, copy=False)
    x *= half
    return x


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(np.square(centred), axis=-1, keepdims=True)
    centred /= np.sqrt(var + np.float32(eps))
    centred *= weight
    centred += bias
    return centred


@dataclass(frozen=True)
class _Layer:
    """One encoder layer's weights, laid out for ``x @ w`` (pre-transposed, QKV fused)."""

    qkv_w: F32
    qkv_b: F32
    out_w: F32
    out_b: F32
    ln1_w: F32
    ln1_b: F32
    inter_w: F32
    inter_b: F32
    ffn_w: F32
    ffn_b: F32
    ln2_w: F32
    ln2_b: F32


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def check_supported(model_dir: Path) -> tuple[dict[str, Any], int]:
    """The BERT config and max sequence length of ``model_dir``, or :class:`ConfigError`.

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
    st_config = model_dir / "sentence_bert_config.json"
    if st_config.is_file():
        max_len = min(max_len, int(_read_json(st_config).get("max_seq_length") or max_len))
    return config, max_len


class NumpyBertEncoder:
    """Sentence embeddings from a BERT sentence-transformers model dir, computed in numpy."""

    def __init__(self, model_dir: Path, name: str | None = None) -> None:
        """Load weights and tokenizer from ``model_dir``; :class:`ConfigError` if unsupported."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config, self.max_seq_length = check_supported(model_dir)
        self.name = name or str(model_dir)
        self.dim = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        try:
            weights = load_file(str(model_dir / "model.safetensors"))
            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except Exception as exc:  # safetensors/tokenizers raise their own error types
            raise ConfigError(f"cannot load numpy encoder from {model_dir}: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._unpack(weights, int(config["num_hidden_layers"]))

    def _unpack(self, weights: dict[str, np.ndarray], n_layers: int) -> None:
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def get(key: str) -> F32:
            try:
                return np.asarray(weights[prefix + key], dtype=np.float32)
            except KeyError:
                raise ConfigError(f"numpy encoder: weight {prefix + key} missing") from None

        def dense(key: str) -> tuple[F32, F32]:
            return np.ascontiguousarray(get(key + ".weight").T), get(key + ".bias")

        self._word = get("embeddings.word_embeddings.weight")
        self._pos = get("embeddings.position_embeddings.weight")
        self._type0 = get("embeddings.token_type_embeddings.weight")[0]
        self._emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self._layers: list[_Layer] = []
        for i in range(n_layers):
            p = f"encoder.layer.{i}."
            att = p + "attention.self."
            qkv_w = np.concatenate(
                [get(att + n + ".weight") for n in ("query", "key", "value")], axis=0
            ).T
            qkv_b = np.concatenate([get(att + n + ".bias") for n in ("query", "key", "value")])
            out_w, out_b = dense(p + "attention.output.dense")
            inter_w, inter_b = dense(p + "intermediate.dense")
            ffn_w, ffn_b = dense(p + "output.dense")
            self._layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w),
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

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text (with [CLS]/[SEP], truncated), as sentence-transformers makes."""
        # sentence-transformers strips each text before tokenising; do the same.
        encodings = self._tokenizer.encode_batch([str(t).strip() for t in texts])
        return [e.ids for e in encodings]

    def _forward(self, ids: npt.NDArray[np.int64], mask: F32) -> F32:
        """Mean-pooled, unnormalised sentence vectors for a padded batch ``(b, L)``."""
        b, length = ids.shape
        h, d = self._heads, self.dim // self._heads
        x = self._word[ids] + self._pos[:length] + self._type0
        x = _layer_norm(x, *self._emb_ln, self._eps)
        # Padding keys get a large negative score so softmax gives them ~0 weight.
        bias = ((1.0 - mask) * _MASKED)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(d))
        for layer in self._layers:
            qkv = x @ layer.qkv_w
            qkv += layer.qkv_b
            qkv = qkv.reshape(b, length, 3, h, d).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b, length, self.dim)
            att = ctx @ layer.out_w
            att += layer.out_b
            att += x
            x = _layer_norm(att, layer.ln1_w, layer.ln1_b, self._eps)
            inter = x @ layer.inter_w
            inter += layer.inter_b
            ffn = gelu(inter) @ layer.ffn_w
            ffn += layer.ffn_b
            ffn += x
            x = _layer_norm(ffn, layer.ln2_w, layer.ln2_b, self._eps)
        summed = np.einsum("bld,bl->bd", x, mask)
        return summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))

    def _encode_ids(self, batch: Sequence[list[int]]) -> F32:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        return self._forward(ids, mask)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Unit-length float32 vectors, shape ``(len(texts), dim)``, in input order."""
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokenised = self.tokenize(texts)
        # Batching texts of similar length keeps padding (wasted compute) small.
        order = sorted(range(len(texts)), key=lambda i: len(tokenised[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._encode_ids([tokenised[i] for i in chunk])
        return _normalise(out)

    def embed_query(self, text: str) -> F32:
        """One unit-length float32 vector, shape ``(dim,)``."""
        return _normalise(self._encode_ids(self.tokenize([text])))[0]


def _normalise(vectors: F32) -> F32:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)
