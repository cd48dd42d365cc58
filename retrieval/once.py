"""A cache directory filled once: by one process at a time, under a file lock, complete
when its marker file (written last) is there, so readers need no lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from retrieval.errors import ConfigError

LOCK_TIMEOUT_S = 900.0


def made_once(target: Path, marker: str, make: Callable[[], None], what: str) -> None:
    """Run ``make`` to fill ``target`` unless ``target/marker`` (written last) is there;
    one process at a time, under a file lock beside ``target``."""
    if (target / marker).is_file():
        return
    from filelock import FileLock, Timeout

    target.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(target) + ".lock", timeout=LOCK_TIMEOUT_S):
            # Another process may have finished while this one waited.
            if not (target / marker).is_file():
                make()
    except Timeout as exc:
        raise ConfigError(f"timed out waiting for another process to {what}") from exc
