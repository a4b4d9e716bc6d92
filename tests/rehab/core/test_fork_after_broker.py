"""A process forked after the broker was used does not hang, and a parent waiting on
children learns at once when one dies (make bench forks evaluating processes)."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from bench.support import collect_results
from rehab.celery import release_connections_before_fork

TIMEOUT = 30  # seconds; the test fails instead of hanging


def _publish(app, queue) -> None:
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        app.send_task("rehab.chaos.never_registered", queue="default", connection=connection)
    queue.put(os.getpid())


def _die(queue) -> None:
    os._exit(3)


@pytest.mark.celery_worker
def test_a_child_forked_after_a_broker_connection_publishes_and_exits(broker):
    broker.send_task("rehab.chaos.never_registered", queue="default")  # opens the pool
    assert broker._pool is not None
    release_connections_before_fork()
    assert broker._pool is None
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_publish, args=(broker, queue)) for _ in range(2)]
    for child in children:
        child.start()
    pids = collect_results(queue, children, timeout=TIMEOUT)
    for child in children:
        child.join(TIMEOUT)
    assert sorted(pids) == sorted(child.pid for child in children)
    assert [child.exitcode for child in children] == [0, 0]
    broker.send_task("rehab.chaos.never_registered", queue="default")  # the parent still can


def test_a_dead_child_fails_the_wait_at_once():
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_die, args=(queue,))
    child.start()
    with pytest.raises(RuntimeError, match="exit code 3"):
        collect_results(queue, [child], timeout=3600)
    child.join(TIMEOUT)
