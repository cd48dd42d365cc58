"""The default encoder: a model's cached ONNX export (:mod:`.onnx_export`), run by
onnxruntime without torch. Texts are prepared as sentence-transformers does: stripped,
lowercased if the model says so, tokenised by its tokenizer, truncated to its
``max_seq_length``. Load and query times: docs/configuration.md.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.encoders.base import F32
from retrieval.encoders.onnx_export import META_FILE, MODEL_FILE, TOKENIZER_FILE
from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

# Texts per session run at most (measured on 2 cores: 16-32 best, 128 slower).
_MAX_BATCH = 32


# The cores this process may use (its affinity on Linux, the machine's elsewhere).
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


class OnnxEncoder:
    """Unit-length sentence vectors from an export made by :func:`.ensure_export`."""

    def __init__(self, directory: Path, name: str, meta: dict[str, Any] | None = None) -> None:
        """Open the export in ``directory`` (``meta``: its ``encoder.json``, read if None)."""
        try:
            import onnxruntime
        except ImportError as exc:
            raise ConfigError(f"the onnx encoder needs onnxruntime installed ({exc})") from exc
        from tokenizers import Tokenizer

        if meta is None:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        # One thread per run: a question's few tokens gain nothing from splitting, and
        # document batches run concurrently instead, one per core.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        self._lower_case = bool(meta["do_lower_case"])
        self.dim = int(meta["dim"])
        self.name = name

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        clean = [str(text).strip() for text in texts]
        if self._lower_case:
            clean = [text.lower() for text in clean]
        return [encoding.ids for encoding in self._tokenizer.encode_batch(clean)]

    def _run(self, batch: Sequence[list[int]]) -> F32:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.int64)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> F32:
        """Unit-length float32 vectors, shape ``(len(texts), dim)``, in input order.

        Texts are grouped by length (padding is wasted work) into batches of at most
        ``batch_size``; one batch per core runs at a time.
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokenised = self._token_ids(texts)
        order = sorted(range(len(tokenised)), key=lambda i: len(tokenised[i]))
        size = min(batch_size, _MAX_BATCH)
        chunks = [order[start : start + size] for start in range(0, len(order), size)]

        def run(chunk: list[int]) -> None:
            out[chunk] = self._run([tokenised[i] for i in chunk])

        workers = min(_CORES or 1, len(chunks))
        if workers == 1:
            for chunk in chunks:
                run(chunk)
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
                list(pool.map(run, chunks))
        return out

    def embed_query(self, text: str) -> F32:
        """One unit-length float32 vector, shape ``(dim,)``."""
        return self._run(self._token_ids([text]))[0]
