"""The BERT encoder forward pass in float32 numpy, with mean pooling.

Pure functions over :class:`BertWeights`; the layout (fused QKV with the attention
scale folded in) is made once at load time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7 in exact arithmetic.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)
# The same, rescaled for GELU's argument x/sqrt2 and its factor 1/2 (see gelu_).
_GELU_P = np.float32(0.3275911 / np.sqrt(2.0))
_GELU_A = tuple(np.float32(0.5 * float(a)) for a in _ERF_A)
_MASKED = np.float32(-1e9)
# Rows per feed-forward block: a (rows, intermediate) float32 block stays in L2 cache,
# which matters because GELU makes many elementwise passes over it.
_FFN_BLOCK_ROWS = 128
# Up to this many rows a dense layer computes (w @ x.T).T rather than x @ w.T.
_FEW_ROWS = 96


@dataclass(frozen=True)
class BertLayer:
    """One encoder layer; dense weights as stored, ``(out, in)``, C-contiguous."""

    qkv_w: F32  # (3*hidden, hidden), query rows pre-scaled by 1/sqrt(head_dim)
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


@dataclass(frozen=True)
class BertWeights:
    """Everything the forward pass needs."""

    word: F32
    position: F32
    token_type0: F32
    emb_ln_w: F32
    emb_ln_b: F32
    layers: tuple[BertLayer, ...]
    heads: int
    eps: float

    @property
    def hidden(self) -> int:
        """The hidden (and sentence-vector) size."""
        return int(self.word.shape[1])


def erf(x: F32) -> F32:
    """The error function, elementwise, absolute error below 1.5e-7 (numpy has none)."""
    z = np.abs(x).astype(np.float32)
    t = 1.0 / (1.0 + _ERF_P * z)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t
    return np.copysign(1.0 - poly * np.exp(-z * z), x).astype(np.float32)


def gelu_(x: F32) -> F32:
    """Exact (erf) GELU as BERT's ``hidden_act="gelu"``, computed in place over ``x``.

    With ``q = (1 - erf(|x|/sqrt2)) / 2``, GELU is ``max(x, 0) - |x| * q``; the 1/2
    and 1/sqrt2 are folded into the constants to save passes over the array.
    """
    z = np.abs(x)
    t = np.multiply(z, _GELU_P)
    t += 1.0
    np.reciprocal(t, out=t)
    a1, a2, a3, a4, a5 = _GELU_A
    q = np.multiply(t, a5)
    for a in (a4, a3, a2, a1):
        q += a
        q *= t
    np.multiply(z, np.float32(-0.5), out=t)
    t *= z
    np.exp(t, out=t)
    q *= t
    q *= z
    np.maximum(x, 0.0, out=x)
    x -= q
    return x


def layer_norm_(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    """LayerNorm over the last axis, computed in place over ``x``."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.mean(np.square(x), axis=-1, keepdims=True)
    var += np.float32(eps)
    np.sqrt(var, out=var)
    x /= var
    x *= weight
    x += bias
    return x


def _linear(x: F32, w: F32, b: F32) -> F32:
    """``x @ w.T + b`` for ``x (rows, in)`` and ``w (out, in)``, contiguous result."""
    # With few rows, BLAS runs markedly faster with the weight as the left operand.
    y = np.ascontiguousarray((w @ x.T).T) if len(x) <= _FEW_ROWS else x @ w.T
    y += b
    return y


def _attention(x: F32, layer: BertLayer, key_bias: F32, b: int, heads: int) -> F32:
    """Self-attention output plus residual, shape ``(b*L, hidden)`` like ``x``."""
    rows, hidden = x.shape
    length, head_dim = rows // b, hidden // heads
    qkv = _linear(x, layer.qkv_w, layer.qkv_b)
    q, k, v = qkv.reshape(b, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
    scores = q @ k.transpose(0, 1, 3, 2)
    scores += key_bias
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    context = (scores @ v).transpose(0, 2, 1, 3).reshape(rows, hidden)
    out = _linear(context, layer.out_w, layer.out_b)
    out += x
    return out


def _feed_forward(x: F32, layer: BertLayer) -> F32:
    """``x + W2 gelu(W1 x + b1) + b2`` over row blocks."""
    out = np.empty_like(x)
    for start in range(0, len(x), _FFN_BLOCK_ROWS):
        stop = start + _FFN_BLOCK_ROWS
        inter = gelu_(_linear(x[start:stop], layer.inter_w, layer.inter_b))
        out[start:stop] = _linear(inter, layer.ffn_w, layer.ffn_b)
    out += x
    return out


def embed_tokens(weights: BertWeights, ids: npt.NDArray[np.int64]) -> F32:
    """The embedding layer's output for a padded batch ``ids (b, L)``: ``(b, L, hidden)``."""
    x = weights.word[ids] + weights.position[: ids.shape[1]]
    x += weights.token_type0
    return layer_norm_(x, weights.emb_ln_w, weights.emb_ln_b, weights.eps)


def mean_pool(hidden: F32, mask: F32) -> F32:
    """The mean of each row's real-token vectors, ``(b, L, hidden) -> (b, hidden)``."""
    summed = np.einsum("bld,bl->bd", hidden, mask)
    counts = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
    return (summed / counts).astype(np.float32)


def encode(weights: BertWeights, ids: npt.NDArray[np.int64], mask: F32) -> F32:
    """Mean-pooled (not normalised) sentence vectors for a padded batch ``ids (b, L)``."""
    b, length = ids.shape
    # Dense layers run on (b*L, hidden): numpy's 2-D matmul is far faster than stacked 3-D.
    x = embed_tokens(weights, ids).reshape(b * length, -1)
    # Padding keys get a large negative score, so softmax gives them no weight.
    key_bias = ((1.0 - mask) * _MASKED)[:, None, None, :].astype(np.float32)
    for layer in weights.layers:
        x = _attention(x, layer, key_bias, b, weights.heads)
        x = layer_norm_(x, layer.ln1_w, layer.ln1_b, weights.eps)
        x = _feed_forward(x, layer)
        x = layer_norm_(x, layer.ln2_w, layer.ln2_b, weights.eps)
    return mean_pool(x.reshape(b, length, -1), mask)
