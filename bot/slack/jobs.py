"""A bounded worker pool that knows each job's place in the queue.

Slack needs an acknowledgement within 3 seconds, so answering runs here, in a fixed
number of threads; a burst of questions waits in a bounded queue and each asker can be
told their position instead of waiting in silence.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval.errors import ChipbotError

logger = logging.getLogger(__name__)

Job = Callable[["Ticket"], None]


class QueueFullError(ChipbotError):
    """Too many questions are waiting; the asker should try again shortly."""


@dataclass
class Ticket:
    """A queued job's handle: its position, and the queue notice shown to the asker, if any."""

    position: int
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _started: bool = False
    notice: object | None = None

    def announce(self, post: Callable[[], object]) -> bool:
        """Run ``post`` (which shows the queue notice) unless the job has already started.

        Its result is kept in :attr:`notice` for the job to replace. Holding the lock
        while posting makes the job wait for the notice, so it can never be left behind.
        """
        with self._lock:
            if self._started:
                return False
            self.notice = post()
            return True

    def start(self) -> object | None:
        """Mark the job as started; returns the notice posted while it waited, if any."""
        with self._lock:
            self._started = True
            return self.notice


class JobPool:
    """``workers`` threads taking jobs from a queue of at most ``max_queued`` waiting jobs."""

    def __init__(self, workers: int, max_queued: int = 100, name: str = "chipbot-worker") -> None:
        self.workers = workers
        self.max_queued = max_queued
        self._queue: queue.Queue[tuple[Job, Ticket] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._waiting = 0
        self._idle = workers
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job) -> Ticket:
        """Queue ``job``; its ticket's position is 0 when a worker is free, else 1, 2, …

        Raises :class:`QueueFullError` when ``max_queued`` jobs are already waiting.
        """
        with self._lock:
            if self._waiting >= self.max_queued:
                raise QueueFullError("too many questions are waiting; please ask again shortly")
            position = 0 if self._idle > self._waiting else self._waiting - self._idle + 1
            self._waiting += 1
            ticket = Ticket(position=position)
            self._queue.put((job, ticket))
        return ticket

    @property
    def waiting(self) -> int:
        """Jobs queued and not yet taken by a worker."""
        with self._lock:
            return self._waiting

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, ticket = item
            with self._lock:
                self._waiting -= 1
                self._idle -= 1
            try:
                job(ticket)
            except Exception:
                # Jobs report their own failures to the user; this only keeps the worker alive.
                logger.exception("a Slack job failed")
            finally:
                with self._lock:
                    self._idle += 1

    def shutdown(self, wait: bool = True) -> None:
        """Stop the workers after the jobs already queued."""
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
