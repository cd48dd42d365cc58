"""Questions through the adapted model, passages and sentences through the shipped one.

The adapter (:mod:`retrieval.query_adapter.fit`) is a LoRA fitted on SelQA so
that a question's vector lies closest to the sentences that answer it; documents keep
the shipped model's vectors, so an index built without it stays valid. On first use the
adapter is merged into a copy of the model (``<cache_dir>/adapted/<key>/``, under a file
lock, ``key`` hashing the adapter's files and the base model's files' stats), which is
then exported to ONNX like any model: a cold start after that only checks both exist.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from retrieval.encoders.base import F32, Embedder
from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

#: The adapters shipped in the package, by name.
ADAPTERS = {"selqa": Path(__file__).resolve().parent / "selqa"}
#: Written last: marks a merged model complete.
_DONE = "modules.json"
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def adapter_dir(name: str) -> Path:
    """The shipped adapter called ``name`` (a :class:`ConfigError` naming the known ones)."""
    path = ADAPTERS.get(name)
    if path is None:
        known = ", ".join(["none", *sorted(ADAPTERS)])
        raise ConfigError(f"unknown query adapter {name!r} (known: {known})")
    if not (path / "adapter_config.json").is_file():
        raise ConfigError(f"the query adapter {name!r} is missing from {path}")
    return path


def applies_to(adapter: Path, model: str) -> bool:
    """Whether ``adapter`` was fitted on ``model`` (an adapter fits one model only)."""
    import json

    fitted = json.loads((adapter / "fit.json").read_text("utf-8")).get("model")
    return bool(fitted == model)


def _key(adapter: Path, base: Path) -> str:
    from retrieval.encoders.onnx_export import fingerprint

    digest = hashlib.sha256(fingerprint(base, contents=False).encode())
    for path in sorted(p for p in adapter.iterdir() if p.is_file() and p.name != "fit.json"):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def merged_model_dir(adapter: Path, base: Path, cache_dir: Path) -> Path:
    """A model directory holding ``base`` with ``adapter`` merged in, made if missing."""
    from retrieval.once import made_once

    target = cache_dir / "adapted" / _key(adapter, base)
    made_once(target, _DONE, lambda: _merge(adapter, base, target), f"merge {adapter}")
    return target


def _merge(adapter: Path, base: Path, target: Path) -> None:
    from peft import PeftModel
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    logger.info("merging the query adapter %s into %s (once)", adapter, target)
    # A one-off step in a user's first answer: no progress bars or deprecation notices.
    transformers_logging.disable_progress_bar()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PeftModel.from_pretrained(AutoModel.from_pretrained(str(base)), str(adapter))
        model.merge_and_unload().save_pretrained(str(target))
    # Tokenizer and sentence-transformers' module files come from the base model.
    for path in base.iterdir():
        if path.name in _WEIGHTS or path.name in ("config.json", _DONE):
            continue
        dest = target / path.name
        if path.is_dir():
            shutil.copytree(path, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(path, dest)
    shutil.copy2(base / _DONE, target / _DONE)


def load_adapted(
    adapter: Path, cache_dir: Path | None = None, model: str | None = None, encoder: str = "onnx"
) -> Embedder:
    """``encoder``'s embedder of the base model with ``adapter`` merged in."""
    from retrieval.embedding import (
        DEFAULT_MODEL,
        default_cache_dir,
        load_embedder,
        resolve_model_path,
    )

    cache = cache_dir or default_cache_dir()
    base = resolve_model_path(model or DEFAULT_MODEL)
    if not isinstance(base, Path):
        raise ConfigError(f"the query adapter needs the model files of {model} on disk")
    return load_embedder(str(merged_model_dir(adapter, base, cache)), encoder, cache)


#: How a question or a request opens (or it ends with "?"): the adapter was fitted on
#: questions and requests ("Name the…", "List…") only.
_QUESTION = re.compile(
    r"^\W*(?:(?:in|on|at|for|from|by|to|with|since|until)\s+)?"
    r"(?:what|who|whom|whose|when|where|which|why|how|is|are|was|were|do|does|did|"
    r"has|have|had|can|could|will|would|should|shall|may|might|must|"
    r"name|give|list|explain|tell|describe|identify|please)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """Whether ``text`` is worded as a question (what the adapter was fitted on)."""
    return text.rstrip().endswith("?") or _QUESTION.match(text) is not None


class QueryAdaptedEmbedder:
    """Questions through the adapted model, anything else — documents, and queries that
    are not questions (a claim to check, a timeline topic) — through the base one, which
    is loaded when first needed: at question time sentence vectors come from the cache
    ingest fills. The adapter moves questions towards their answers; on SciFact's claims
    it cost 0.03 of dense nDCG@10, so statements keep the plain model's vectors."""

    #: Query vectors kept: one question is embedded for retrieval and again by the reader
    #: (5-6 ms each on two cores), and its parts, if it asks two things. Few are kept:
    #: enough for one question, not for a benchmark cycling through its questions.
    RECENT = 4

    def __init__(self, queries: Embedder, documents: Callable[[], Embedder], name: str) -> None:
        self.queries = queries
        self._documents = documents
        self._loaded: Embedder | None = None
        self.name = name
        self.dim = queries.dim
        self._recent: OrderedDict[str, F32] = OrderedDict()
        self._recent_lock = threading.Lock()

    @property
    def documents(self) -> Embedder:
        """The base model's encoder."""
        if self._loaded is None:
            self._loaded = self._documents()
        return self._loaded

    def adapts(self, text: str) -> bool:
        """Whether ``text`` goes through the adapted model (it is a question)."""
        return is_question(text)

    def embed_query(self, text: str) -> F32:
        """The adapted model's vector for a question, the base model's for a statement
        (read-only: the same array is handed out again for the same text)."""
        with self._recent_lock:
            vector = self._recent.get(text)
            if vector is not None:
                self._recent.move_to_end(text)
                return vector
        vector = (self.queries if self.adapts(text) else self.documents).embed_query(text)
        vector.setflags(write=False)
        with self._recent_lock:
            self._recent[text] = vector
            while len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
        return vector

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """The base model's vectors for passages or sentences."""
        return self.documents.embed_documents(texts, batch_size)


def load_query_embedder(
    model: str, encoder: str, adapter: str, cache_dir: Path | None = None
) -> Embedder:
    """The encoder for questions: ``model`` run by ``encoder``, through the shipped query
    ``adapter`` when it fits that model (``"none"``: no adapter)."""
    from retrieval.embedding import load_embedder

    def plain() -> Embedder:
        return load_embedder(model, encoder, cache_dir)

    if adapter == "none":
        return plain()
    path = adapter_dir(adapter)
    if not applies_to(path, model):
        logger.info("query adapter %s does not fit %s: not used", adapter, model)
        return plain()
    return QueryAdaptedEmbedder(load_adapted(path, cache_dir, model, encoder), plain, model)
