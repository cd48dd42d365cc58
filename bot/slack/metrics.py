"""Prometheus metrics of the Slack app, served at ``/metrics`` (prometheus-client).

Counters are per process, as Prometheus expects (scrape every app process). Questions,
declines and answer latency are measured around the engine (:class:`MeteredEngine`), so
every kind of question (mention, DM, ``/ask``, assistant thread) is counted the same way;
errors are every failure the app logs (each one also reaches the asker as an apology);
the queue depth is read from the worker pools when scraped.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.slack.jobs import JobPool
from bot.slack.services import Engine
from retrieval.models import Answer, Citation, SearchFilter

if TYPE_CHECKING:
    from retrieval.timeline import Timeline

#: The loggers whose ERROR records count as errors.
APP_LOGGER = "bot.slack"

QUESTIONS = Counter("chipbot_questions", "Questions the engine was asked to answer.")
DECLINES = Counter(
    "chipbot_declines", "Questions answered with a decline (nothing in the articles supports one)."
)
ERRORS = Counter(
    "chipbot_errors",
    "Failures logged by the Slack app (the asker got an apology), by the module that logged it.",
    ["component"],
)
DUPLICATES = Counter(
    "chipbot_duplicate_deliveries",
    "Slack deliveries dropped because the event was already claimed (by any process).",
)
ANSWER_SECONDS = Histogram(
    "chipbot_answer_seconds",
    "Time to compute an answer (retrieval and generation; not the Slack round trips).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)


class _QueueDepth(Collector):
    """Questions waiting for a worker, summed over this process's pools when scraped."""

    def __init__(self) -> None:
        self.pools: weakref.WeakSet[JobPool] = weakref.WeakSet()

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "chipbot_queue_depth",
            "Questions waiting for a worker.",
            value=sum(pool.waiting for pool in list(self.pools)),
        )


class _ErrorCounter(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        ERRORS.labels(component=record.name.rsplit(".", 1)[-1]).inc()


_QUEUE = _QueueDepth()
REGISTRY.register(_QUEUE)
_install_lock = threading.Lock()
_error_handler: _ErrorCounter | None = None


def watch(pool: JobPool) -> None:
    """Count ``pool``'s waiting jobs in ``chipbot_queue_depth`` (and count logged errors)."""
    global _error_handler
    _QUEUE.pools.add(pool)
    with _install_lock:
        if _error_handler is None:
            _error_handler = _ErrorCounter(level=logging.ERROR)
            logging.getLogger(APP_LOGGER).addHandler(_error_handler)


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """The current value of a sample in this process (0 when it has none yet)."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


class MeteredEngine:
    """An :class:`~bot.slack.services.Engine` that counts and times its answers.

    Anything else is passed through to the wrapped engine, so code that needs more of it
    (``/healthz`` reads the index and the model) still finds it.
    """

    def __init__(self, inner: Engine) -> None:
        self.inner = inner

    def ask(
        self,
        question: str,
        *,
        history: Sequence[str] = (),
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer through the wrapped engine, counting the question and timing it."""
        # on_token only when streaming, so engines that cannot stream are called as before.
        streaming: dict[str, Any] = {} if on_token is None else {"on_token": on_token}
        QUESTIONS.inc()
        started = time.perf_counter()
        answer = self.inner.ask(question, history=history, **streaming)
        ANSWER_SECONDS.observe(time.perf_counter() - started)
        if answer.abstained:
            DECLINES.inc()
        return answer

    def context(self, citation: Citation, chars: int = 400) -> tuple[str, str, str]:
        """The wrapped engine's context of ``citation``."""
        return self.inner.context(citation, chars)

    def timeline(
        self, topic: str, *, flt: SearchFilter | None = None, k: int | None = None
    ) -> Timeline:
        """The wrapped engine's timeline of ``topic``."""
        return self.inner.timeline(topic, flt=flt, k=k)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
