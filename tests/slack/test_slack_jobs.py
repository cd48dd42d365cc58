"""The worker pool: bounded, ordered, and honest about queue positions."""

from __future__ import annotations

import threading

import pytest

from bot.slack.jobs import JobPool, QueueFullError, Ticket


@pytest.fixture
def pool() -> JobPool:
    pool = JobPool(2, max_queued=3)
    yield pool
    pool.shutdown()


def _blocker(pool: JobPool) -> tuple[threading.Event, threading.Event]:
    started, release = threading.Event(), threading.Event()
    pool.submit(lambda _t: (started.set(), release.wait()))
    started.wait()
    return started, release


def test_a_job_runs_at_once_when_a_worker_is_free(pool: JobPool) -> None:
    done = threading.Event()
    ticket = pool.submit(lambda _t: done.set())
    assert ticket.position == 0
    assert done.wait(10)


def test_positions_count_the_jobs_ahead_once_every_worker_is_busy(pool: JobPool) -> None:
    _, release_a = _blocker(pool)
    _, release_b = _blocker(pool)
    positions = [pool.submit(lambda _t: None).position for _ in range(3)]
    assert positions == [1, 2, 3]
    assert pool.waiting == 3
    release_a.set()
    release_b.set()


def test_a_full_queue_refuses_more(pool: JobPool) -> None:
    _, release_a = _blocker(pool)
    _, release_b = _blocker(pool)
    for _ in range(3):
        pool.submit(lambda _t: None)
    with pytest.raises(QueueFullError):
        pool.submit(lambda _t: None)
    release_a.set()
    release_b.set()


def test_a_failing_job_does_not_kill_its_worker() -> None:
    pool = JobPool(1)
    pool.submit(lambda _t: 1 / 0)
    done = threading.Event()
    pool.submit(lambda _t: done.set())
    assert done.wait(10)
    pool.shutdown()


def test_jobs_run_in_order_on_one_worker() -> None:
    pool = JobPool(1)
    order: list[int] = []
    for i in range(10):
        pool.submit(lambda _t, i=i: order.append(i))
    pool.shutdown(wait=True)
    assert order == list(range(10))


def test_a_notice_is_shown_only_while_the_job_waits() -> None:
    ticket = Ticket(position=1)
    assert ticket.announce(lambda: "ts-1") is True
    assert ticket.start() == "ts-1"
    late = Ticket(position=1)
    late.start()
    assert late.announce(lambda: "never") is False
    assert late.notice is None
