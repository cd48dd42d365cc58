"""The BERT encoder as an ONNX graph run by onnxruntime: the fast path for ingest.

The graph is built here, from the same weights :mod:`.numpy_bert` reads, with
``onnx.helper`` (no torch, no export step, nothing downloaded), once per process.
Embedding lookup and mean pooling stay in numpy; the graph holds the encoder layers,
with onnxruntime's fused attention kernel (``com.microsoft.MultiHeadAttention``). In
float32 its vectors equal sentence-transformers' (cosine >= 0.99999, tested) and it
runs ~1.3x faster than the numpy encoder on 2 cores; it is the default for ingest.

With ``quantize=True`` the six dense layers of every encoder layer run in int8: weights
quantized symmetrically per output column at build time, activations per batch at run
time (``DynamicQuantizeLinear -> MatMulInteger``, the pattern onnxruntime fuses into
its int8 kernels); see :data:`QUANTIZED`. Attention, LayerNorm and GELU stay float32.
Vectors then differ slightly from sentence-transformers'; ``benchmarks/encoders.py``
and the gold-set evaluation measure how much that costs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.encoders.bert_math import F32, BertLayer, BertWeights, embed_tokens, mean_pool
from retrieval.encoders.bert_model import BertModelDir, embed_batches, normalise, pad
from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

_OPSET = 17  # LayerNormalization arrived in 17; onnxruntime 1.15+ runs it
# Texts per forward pass at most (measured on 2 cores: 16-32 best, 128 slower).
_MAX_BATCH = 32
#: The dense layers run in int8 when quantizing. The second feed-forward layer stays in
#: float32: its input (GELU's output) is skewed, and quantizing it cost most accuracy.
QUANTIZED = frozenset({"qkv", "out", "inter"})


def _import_onnx() -> tuple[Any, Any]:
    try:
        import onnx
        import onnxruntime
    except ImportError as exc:
        raise ConfigError(f"the onnx encoders need onnx and onnxruntime installed ({exc})") from exc
    return onnx, onnxruntime


class _GraphBuilder:
    """Accumulates nodes and initializers; names are made unique by a counter."""

    def __init__(self, onnx: Any) -> None:
        self.onnx = onnx
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value: np.ndarray, hint: str = "c") -> str:
        name = self.name(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], n_out: int = 1, **attrs: Any) -> Any:
        outputs = [self.name(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), outputs, **attrs))
        return outputs[0] if n_out == 1 else outputs

    def dense(self, x: str, w: F32, b: F32, quantize: bool) -> str:
        """``x @ w.T + b`` for a weight stored ``(out, in)``."""
        w_t = np.ascontiguousarray(w.T)  # (in, out)
        if not quantize:
            return self.op("Add", [self.op("MatMul", [x, self.const(w_t, "w")]), self.const(b)])
        scale = np.maximum(np.abs(w_t).max(axis=0), np.float32(1e-8)) / np.float32(127.0)
        w_q = np.clip(np.rint(w_t / scale), -127, 127).astype(np.int8)
        x_q, x_scale, x_zero = self.op("DynamicQuantizeLinear", [x], n_out=3)
        zero = self.const(np.zeros(w_q.shape[1], dtype=np.int8), "wzero")
        product = self.op("MatMulInteger", [x_q, self.const(w_q, "wq"), x_zero, zero])
        both_scales = self.op("Mul", [x_scale, self.const(scale.astype(np.float32), "ws")])
        y = self.op(
            "Mul", [self.op("Cast", [product], to=self.onnx.TensorProto.FLOAT), both_scales]
        )
        return self.op("Add", [y, self.const(b)])

    def layer_norm(self, x: str, w: F32, b: F32, eps: float) -> str:
        return self.op(
            "LayerNormalization", [x, self.const(w), self.const(b)], axis=-1, epsilon=eps
        )


def _gelu(g: _GraphBuilder, x: str) -> str:
    """Exact GELU, ``x/2 * (1 + erf(x/sqrt2))``, in the form onnxruntime fuses."""
    erf = g.op("Erf", [g.op("Div", [x, g.const(np.array(np.sqrt(2.0), dtype=np.float32))])])
    plus_one = g.op("Add", [erf, g.const(np.array(1.0, dtype=np.float32))])
    return g.op("Mul", [g.op("Mul", [x, plus_one]), g.const(np.array(0.5, dtype=np.float32))])


def _layer(
    g: _GraphBuilder,
    x: str,
    mask: str,
    layer: BertLayer,
    heads: int,
    eps: float,
    q: frozenset[str],
) -> str:
    hidden = layer.out_w.shape[0]
    qkv = g.dense(x, layer.qkv_w, layer.qkv_b, "qkv" in q)  # (b, L, 3*hidden)
    sizes = g.const(np.array([hidden] * 3, np.int64))
    query, key, value = g.op("Split", [qkv, sizes], n_out=3, axis=-1)
    # onnxruntime's fused attention (one kernel: scores, mask, softmax, context); the
    # 1/sqrt(head_dim) scale is already folded into the query weights, hence scale=1.
    attention = g.op(
        "MultiHeadAttention",
        [query, key, value, "", mask],
        domain="com.microsoft",
        num_heads=heads,
        scale=1.0,
    )
    attended = g.op("Add", [g.dense(attention, layer.out_w, layer.out_b, "out" in q), x])
    x = g.layer_norm(attended, layer.ln1_w, layer.ln1_b, eps)
    inter = _gelu(g, g.dense(x, layer.inter_w, layer.inter_b, "inter" in q))
    out = g.op("Add", [g.dense(inter, layer.ffn_w, layer.ffn_b, "ffn" in q), x])
    return g.layer_norm(out, layer.ln2_w, layer.ln2_b, eps)


def build_graph(weights: BertWeights, quantize: bool = False) -> Any:
    """The encoder layers as an ONNX model: ``(embeddings (b, L, h) float32, mask (b, L)
    int32, 1 for real tokens) -> hidden states (b, L, h)``."""
    onnx, _ = _import_onnx()
    g = _GraphBuilder(onnx)
    float_t = onnx.TensorProto.FLOAT
    inputs = [
        onnx.helper.make_tensor_value_info("embeddings", float_t, ["b", "L", weights.hidden]),
        onnx.helper.make_tensor_value_info("mask", onnx.TensorProto.INT32, ["b", "L"]),
    ]
    x = "embeddings"
    kinds = QUANTIZED if quantize else frozenset()
    for layer in weights.layers:
        x = _layer(g, x, "mask", layer, weights.heads, weights.eps, kinds)
    g.nodes.append(onnx.helper.make_node("Identity", [x], ["hidden"]))
    output = onnx.helper.make_tensor_value_info("hidden", float_t, ["b", "L", weights.hidden])
    graph = onnx.helper.make_graph(g.nodes, "bert_encoder", inputs, [output], g.initializers)
    opsets = [onnx.helper.make_opsetid("", _OPSET), onnx.helper.make_opsetid("com.microsoft", 1)]
    model = onnx.helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8  # the newest onnx writes a version older runtimes refuse
    return model


class OnnxBertEncoder:
    """Sentence embeddings from a BERT sentence-transformers model dir, run by onnxruntime."""

    def __init__(self, model_dir: Path, quantize: bool = False, name: str | None = None) -> None:
        """Read ``model_dir`` and build the session; :class:`ConfigError` if unsupported."""
        _, onnxruntime = _import_onnx()
        self._model = BertModelDir(model_dir)
        self._weights = self._model.weights
        self.name = name or str(model_dir)
        self.dim = self._weights.hidden
        self.quantized = quantize
        options = onnxruntime.SessionOptions()
        # One thread per session run; concurrent runs (one per core) share the cores,
        # as the numpy encoder does: small matrices gain little from splitting.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        graph = build_graph(self._weights, quantize).SerializeToString()
        self._session = onnxruntime.InferenceSession(
            graph, options, providers=["CPUExecutionProvider"]
        )

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text, as sentence-transformers makes them."""
        return self._model.tokenize(texts)

    def _encode_ids(self, batch: Sequence[list[int]]) -> F32:
        ids, mask = pad(batch)
        feed = {"embeddings": embed_tokens(self._weights, ids), "mask": mask.astype(np.int32)}
        (hidden,) = self._session.run(None, feed)
        return mean_pool(hidden, mask)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Unit-length float32 vectors, shape ``(len(texts), dim)``, in input order."""
        return embed_batches(
            self.tokenize(texts), self._encode_ids, self.dim, batch_size, _MAX_BATCH
        )

    def embed_query(self, text: str) -> F32:
        """One unit-length float32 vector, shape ``(dim,)``."""
        return normalise(self._encode_ids(self.tokenize([text])))[0]
