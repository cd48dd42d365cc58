"""Read a ``.safetensors`` file as read-only numpy arrays mapped straight from the file.

Mapping instead of reading keeps a cold start cheap: ``safetensors.numpy.load_file``
copies the whole file (~0.1 s for MiniLM's 90 MB), while a map costs about a
millisecond and pages in only what is used (of the word embeddings, the rows of the
tokens actually seen). Anything the mapper does not handle falls back to
``safetensors.numpy``.
"""

from __future__ import annotations

import json
import logging
import mmap
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import ConfigError

logger = logging.getLogger(__name__)

# safetensors stores little-endian data.
_DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
}
_MAX_HEADER = 100_000_000


class _UnmappableError(Exception):
    """The file uses something the mapper does not handle; use safetensors instead."""


def _map(path: Path) -> dict[str, np.ndarray]:
    with path.open("rb") as handle:
        size = path.stat().st_size
        if size < 8:
            raise _UnmappableError("file too short")
        (header_len,) = struct.unpack("<Q", handle.read(8))
        if header_len > min(size - 8, _MAX_HEADER):
            raise _UnmappableError("header length out of range")
        header = json.loads(handle.read(header_len))
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise _UnmappableError(f"dtype {info['dtype']}")
        start, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if end - start != count * dtype.itemsize or base + end > size:
            raise _UnmappableError(f"tensor {name} has inconsistent offsets")
        array = np.frombuffer(buffer, dtype=dtype, count=count, offset=base + start)
        tensors[name] = array.reshape(info["shape"])
    return tensors


def read_safetensors(path: Path) -> Mapping[str, np.ndarray]:
    """All tensors of ``path`` by name, read-only; :class:`ConfigError` if unreadable."""
    try:
        return _map(path)
    except (_UnmappableError, ValueError, KeyError, TypeError) as exc:
        logger.debug("mapping %s failed (%s); reading it with safetensors", path, exc)
    except OSError as exc:
        raise ConfigError(f"cannot read model weights {path}: {exc}") from exc
    from safetensors.numpy import load_file

    try:
        return load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types
        raise ConfigError(f"cannot read model weights {path}: {exc}") from exc
