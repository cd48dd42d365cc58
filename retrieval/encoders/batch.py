"""An embedder that sends big batches to a faster encoder, loaded on first need.

A small ingest is best served by an encoder that loads in a fraction of a second; a big
one by the fastest per passage (bfloat16 where the CPU has AMX: :func:`has_amx_bf16`),
whose seconds of loading torch are repaid. Both give the same vectors up to rounding.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from retrieval.encoders.base import F32, Embedder

logger = logging.getLogger(__name__)

#: From this many texts in one call, the big-batch encoder takes over.
BIG_BATCH = 256


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags of the first processor in ``/proc/cpuinfo`` (empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return frozenset(flags.partition(":")[2].split())


def has_amx_bf16() -> bool:
    """Whether bfloat16 matrix products run in hardware (AMX tiles), not emulated."""
    return {"amx_bf16", "amx_tile"} <= cpu_flags()


class BatchRouter:
    """``small`` for queries and small batches, ``load_big()`` for big batches."""

    def __init__(
        self, small: Embedder, load_big: Callable[[], Embedder], big_batch: int = BIG_BATCH
    ) -> None:
        """Route by batch size; ``load_big`` runs once, on the first big batch."""
        self._small = small
        self._load_big = load_big
        self._big: Embedder | None = None
        self._lock = threading.Lock()
        self.big_batch = big_batch
        self.name = small.name
        self.dim = small.dim

    @property
    def big(self) -> Embedder:
        """The big-batch encoder (loaded now if it was not yet)."""
        with self._lock:
            if self._big is None:
                self._big = self._load_big()
                logger.info("big batches go to %s", type(self._big).__name__)
            return self._big

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Unit-length float32 vectors; big calls go to the big-batch encoder."""
        encoder = self.big if len(texts) >= self.big_batch else self._small
        return encoder.embed_documents(texts, batch_size=batch_size)

    def embed_query(self, text: str) -> F32:
        """One unit-length float32 vector, by the small encoder."""
        return self._small.embed_query(text)
