"""Shared helpers for benchmarks: a throwaway test database and timing summaries."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from queue import Empty


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create the test database for the configured DATABASE_URL, destroy it afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    old_name = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def collect_results(queue, processes, *, timeout: float, poll: float = 0.5) -> list:
    """One result from each child process, failing fast: a child that dies without
    sending its result (killed, or an exception) raises at once instead of leaving the
    parent waiting for the whole timeout."""
    results: list = []
    deadline = time.monotonic() + timeout
    while len(results) < len(processes):
        try:
            results.append(queue.get(timeout=poll))
            continue
        except Empty:
            pass
        dead = [p for p in processes if p.exitcode not in (None, 0)]
        if dead:
            codes = ", ".join(f"pid {p.pid}: exit code {p.exitcode}" for p in dead)
            raise RuntimeError(f"a child process died before sending its result ({codes})")
        if all(p.exitcode == 0 for p in processes):
            try:  # each put before exiting: drain what is still in the pipe
                results.append(queue.get(timeout=poll))
                continue
            except Empty:
                raise RuntimeError("every child exited but some sent no result") from None
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(processes) - len(results)} child processes sent nothing")
    return results


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def summary_ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"
