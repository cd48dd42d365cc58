"""A standard ONNX export of a sentence-transformers model, made once and cached.

``torch.onnx.export`` of the model's transformer, mean pooling and L2 normalisation
(sentence-transformers' ``Transformer -> Pooling(mean) -> Normalize``), the tokenizer
sentence-transformers uses saved beside it. Made where torch is loaded anyway (ingest)
or on first use, and kept only if it reproduces sentence-transformers' vectors on probe
texts: a model it does not reproduce (other pooling, extra modules) is a ConfigError.

Exports live in ``<cache_dir>/onnx/<key>/``, ``key`` hashing the model files' contents.
That costs ~0.1 s for 90 MB, so it is taken once and memoised under the files' paths,
sizes and times (as git's index does): a cold start only reads stats. A file lock keeps
processes from exporting a model twice; ``encoder.json``, written last, marks an export
complete, so readers need no lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

#: Bumped when the exported graph changes, so that older exports are not reused.
EXPORT_VERSION = 2
MODEL_FILE = "model.onnx"
#: Weights beside the graph: onnxruntime maps them, halving session creation and memory.
WEIGHTS_FILE = "model.onnx.data"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "encoder.json"
_OPSET = 17
#: The export must give the reference's vectors up to float rounding.
MIN_COSINE = 0.9999
_PROBES = (
    "Has Japan agreed to match the US export controls?",
    "  The Netherlands restricted ASML's deep-ultraviolet lithography tools.  ",
    "x",
    "Export licences for advanced computing items " * 40,  # longer than max_seq_length
)


def fingerprint(model_dir: Path, *, contents: bool = True) -> str:
    """Hash of the export version and each file's name and contents (or path, size, time)."""
    digest = hashlib.sha256(f"v{EXPORT_VERSION}\n".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        if contents:
            with path.open("rb") as handle:
                part = hashlib.file_digest(handle, "sha256").hexdigest()
        else:
            stat = path.stat()
            part = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
        digest.update(f"{path.relative_to(model_dir)}\0{part}\n".encode())
    return digest.hexdigest()[:24]


def export_dir(model_dir: Path, cache_dir: Path) -> Path:
    """Where the export of ``model_dir`` lives (complete once ``encoder.json`` is there)."""
    memo = cache_dir / "onnx" / "keys" / fingerprint(model_dir, contents=False)
    key = memo.read_text("ascii") if memo.is_file() else ""
    if len(key) != 24:
        key = fingerprint(model_dir)
        # Unwritable: a hash per start. Torn by a concurrent write: shorter, so rehashed.
        with contextlib.suppress(OSError):
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo.write_text(key, "ascii")
    return cache_dir / "onnx" / key


def ensure_export(model_dir: Path, cache_dir: Path) -> Path:
    """The directory of ``model_dir``'s export, made now (under a file lock) if missing."""
    from retrieval.once import made_once

    target = export_dir(model_dir, cache_dir)
    made_once(target, META_FILE, lambda: _export(model_dir, target), f"export {model_dir}")
    return target


def mean_pooled(model: Any) -> Any:
    """The transformer, mean pooling over real tokens and L2 normalisation, as one module."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            summed = (hidden.last_hidden_state * mask).sum(dim=1)
            pooled = summed / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return MeanPooled().eval()


def _save_with_external_weights(exported: Path, target: Path) -> None:
    import onnx

    (target / WEIGHTS_FILE).unlink(missing_ok=True)  # onnx appends to an existing file
    onnx.save_model(
        onnx.load(str(exported)),
        str(target / MODEL_FILE),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=WEIGHTS_FILE,
        size_threshold=1024,
    )
    shutil.copymode(target / MODEL_FILE, target / WEIGHTS_FILE)  # onnx makes it owner-only
    exported.unlink()


def _export(model_dir: Path, target: Path) -> None:
    """Export ``model_dir`` into ``target``, check it against sentence-transformers, keep it."""
    import torch

    from retrieval.encoders.onnx_encoder import OnnxEncoder
    from retrieval.encoders.st import SentenceTransformerEncoder

    logger.info("exporting %s to ONNX in %s (once per model)", model_dir, target)
    reference = SentenceTransformerEncoder(model_dir)
    transformer = reference.model[0]
    meta = {
        "dim": reference.dim,
        "max_seq_length": int(reference.model.max_seq_length),
        "do_lower_case": bool(getattr(transformer, "do_lower_case", False)),
        "source": str(model_dir),
    }
    auto_model = getattr(transformer, "auto_model", None)
    if auto_model is None:
        raise ConfigError(f"{model_dir} does not start with a transformer; cannot export it")
    example = torch.ones((2, 8), dtype=torch.long)
    partial = target / (MODEL_FILE + ".partial")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # The TorchScript exporter warns that it is legacy; the torch.export-based one
            # needs onnxscript, one more dependency for the same graph.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                mean_pooled(auto_model),
                (example, example),
                str(partial),
                input_names=["input_ids", "attention_mask"],
                output_names=["sentence_embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "sentence_embedding": {0: "batch"},
                },
                opset_version=_OPSET,
                dynamo=False,
            )
    except Exception as exc:  # the exporter raises many types for what it cannot trace
        raise ConfigError(
            f"cannot export {model_dir} to ONNX ({exc}); use the sentence-transformers encoder"
        ) from exc
    _save_with_external_weights(partial, target)
    tokenizer = getattr(reference.model.tokenizer, "backend_tokenizer", None)
    if tokenizer is None:
        raise ConfigError(f"{model_dir} has no fast (tokenizers) tokenizer; cannot export it")
    tokenizer.save(str(target / TOKENIZER_FILE))
    exported = OnnxEncoder(target, name=str(model_dir), meta=meta)
    cosine = float(
        np.min(
            np.sum(exported.embed_documents(_PROBES) * reference.embed_documents(_PROBES), axis=1)
        )
    )
    if cosine < MIN_COSINE:
        raise ConfigError(
            f"the ONNX export of {model_dir} does not reproduce sentence-transformers "
            f"(cosine {cosine:.5f}); use the sentence-transformers encoder for this model"
        )
    partial_meta = target / (META_FILE + ".partial")
    partial_meta.write_text(json.dumps({**meta, "probe_cosine": cosine}), encoding="utf-8")
    os.replace(partial_meta, target / META_FILE)
    logger.info("ONNX export of %s kept (probe cosine %.6f)", model_dir, cosine)
