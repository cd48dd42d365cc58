"""What every encoder is: the :class:`Embedder` protocol, and unit-length rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Vectors for ``texts``, shape ``(len(texts), dim)``, rows of unit length."""
        ...

    def embed_query(self, text: str) -> F32:
        """The vector for one query, shape ``(dim,)``, unit length."""
        ...


def normalise(vectors: F32) -> F32:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
