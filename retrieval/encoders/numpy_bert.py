"""A BERT sentence encoder in pure numpy: the query path's way around importing torch.

It reproduces sentence-transformers' ``Transformer -> Pooling(mean) -> Normalize``
pipeline for BERT-architecture model directories (see :mod:`.bert_model`). Anything it
cannot reproduce exactly (another architecture, another pooling, extra modules such as
``Dense``) raises :class:`ConfigError`, so callers can fall back to sentence-transformers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from retrieval.encoders.bert_math import F32, encode
from retrieval.encoders.bert_model import BertModelDir, embed_batches, normalise, pad
from retrieval.encoders.threads import single_threaded_blas

logger = logging.getLogger(__name__)

# Texts per forward pass at most: smaller batches measured faster (cache) on 2 cores.
_MAX_BATCH = 32


class NumpyBertEncoder:
    """Sentence embeddings from a BERT sentence-transformers model dir, computed in numpy."""

    def __init__(self, model_dir: Path, name: str | None = None) -> None:
        """Load weights and tokenizer from ``model_dir``; :class:`ConfigError` if unsupported."""
        self._model = BertModelDir(model_dir)
        self.max_seq_length = self._model.spec.max_seq_length
        self.name = name or str(model_dir)
        self._weights = self._model.weights
        self.dim = self._weights.hidden

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids per text (with [CLS]/[SEP], truncated) as sentence-transformers makes."""
        return self._model.tokenize(texts)

    def _encode_ids(self, batch: Sequence[list[int]]) -> F32:
        return encode(self._weights, *pad(batch))

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Unit-length float32 vectors, shape ``(len(texts), dim)``, in input order.

        ``batch_size`` bounds how many texts go through one forward pass (memory);
        batches run concurrently, one per core, each with single-threaded BLAS.
        """
        tokenised = self.tokenize(texts)
        with single_threaded_blas():
            return embed_batches(tokenised, self._encode_ids, self.dim, batch_size, _MAX_BATCH)

    def embed_query(self, text: str) -> F32:
        """One unit-length float32 vector, shape ``(dim,)``."""
        with single_threaded_blas():
            return normalise(self._encode_ids(self.tokenize([text])))[0]
