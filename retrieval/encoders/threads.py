"""Thread policy for the numpy encoder: one BLAS thread per worker, workers per core.

OpenBLAS's own threads spin-wait for each other, so small matrix products (a query's
dozen tokens) get slower, not faster, with more threads, and on a busy machine much
slower. The encoder therefore runs BLAS single-threaded and, for document batches,
spreads batches over a pool of Python threads (numpy releases the GIL in BLAS and in
ufuncs), which also parallelises the elementwise work BLAS threading never covers.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_depth = 0
_restore: Callable[[], Any] | None = None
_controller: Any = None


def _limit_blas_to_one_thread() -> Callable[[], Any] | None:
    """Limit the BLAS thread pools to 1; returns how to restore them, None if it cannot."""
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it the encoder is correct, only slower
        return None
    if _controller is None:
        _controller = ThreadpoolController()
    limiter = _controller.limit(limits=1, user_api="blas")
    restore: Callable[[], Any] = limiter.restore_original_limits
    return restore


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the body with BLAS limited to one thread (process-wide, re-entrant, thread-safe).

    The limit is process-wide, so concurrent users share one: the first to enter sets
    it and the last to leave restores the original thread counts.
    """
    global _depth, _restore
    with _lock:
        if _depth == 0:
            _restore = _limit_blas_to_one_thread()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore is not None:
                _restore()
                _restore = None


def worker_count() -> int:
    """How many batches to encode at once: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
