"""The sentence-transformers encoder: the reference implementation, heavy to import.

``bf16=True`` runs it in bfloat16: fast where the CPU has AMX (it accumulates in float32,
so vectors stay within cosine 0.9999, tested), emulated and slow elsewhere, hence
:func:`retrieval.encoders.batch.has_amx_bf16`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.encoders.base import F32, normalise
from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)


def _import_offline() -> Any:
    # These variables steer the libraries' own import-time behaviour: they must never
    # reach the network, so they are set before sentence_transformers is imported.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Loading a 22M-parameter model takes a fraction of a second: a "Loading weights"
    # bar on every ingest says nothing a user needs.
    transformers_logging.disable_progress_bar()
    return SentenceTransformer


class SentenceTransformerEncoder:
    """Wraps ``SentenceTransformer`` on CPU with normalised float32 output."""

    def __init__(self, model: Path | str, name: str | None = None, bf16: bool = False) -> None:
        """Load ``model`` (a local dir or a name in the local HF cache) offline."""
        sentence_transformer = _import_offline()
        self.name = name or str(model)
        try:
            self.model = sentence_transformer(str(model), device="cpu")
        except Exception as exc:  # HF raises OSError, ValueError, its own validation errors
            raise ConfigError(
                f"cannot load embedding model {self.name!r} offline: {exc}; "
                "give a local path or install it"
            ) from exc
        # Renamed in sentence-transformers 5.x; older releases only have the long name.
        get_dim = getattr(self.model, "get_embedding_dimension", None)
        if get_dim is None:
            get_dim = self.model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ConfigError(f"embedding model {self.name!r} does not report its dimension")
        self.dim = int(dim)
        self.bf16 = bf16
        if bf16:
            import torch

            self.model = self.model.to(torch.bfloat16)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Unit-length float32 vectors, shape ``(len(texts), dim)``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if not self.bf16:
            vectors = self.model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return np.asarray(vectors, dtype=np.float32)
        # numpy has no bfloat16: take the tensor, widen it, normalise in float32.
        tensor = self.model.encode(
            list(texts), batch_size=batch_size, convert_to_tensor=True, show_progress_bar=False
        )
        return normalise(np.asarray(tensor.float().cpu().numpy(), dtype=np.float32))

    def embed_query(self, text: str) -> F32:
        """One unit-length float32 vector, shape ``(dim,)``."""
        return self.embed_documents([text])[0]
