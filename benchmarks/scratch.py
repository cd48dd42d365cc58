"""Scratch folders for benchmark runs.

A full speed run writes gigabytes of indexes; left in the system temp folder after
every run they fill the disk (the CI machine ran out of space that way). A folder
the user names with ``--work`` is theirs and is kept; one made here is removed.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def scratch_dir(work: Path | None, prefix: str) -> Iterator[Path]:
    """Yield ``work`` (created if needed, kept) or a temporary folder removed on exit."""
    if work is not None:
        work.mkdir(parents=True, exist_ok=True)
        yield work
        return
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as tmp:
        yield Path(tmp)
