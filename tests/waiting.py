"""Waiting on a stand-in's condition variable until something has happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def wait_until(
    cond: threading.Condition,
    predicate: Callable[[], Any],
    timeout: float,
    describe: Callable[[], str],
    poll: float = 0.2,
) -> Any:
    """Wait, holding ``cond``, until ``predicate()`` is truthy; returns its value.

    ``predicate`` is re-checked on every notify and at least every ``poll`` seconds; on
    timeout the AssertionError says what was seen (``describe()``).
    """
    deadline = time.monotonic() + timeout
    with cond:
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting; {describe()}")
            cond.wait(min(remaining, poll))
