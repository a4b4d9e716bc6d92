"""Garbage collection once per batch (rehab.core.batching), and the weekly evaluation
batches that use it."""

from __future__ import annotations

import gc
import weakref

import pytest

from rehab.core.batching import one_collection_per_batch


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_no_collection_inside_and_the_batchs_cycles_are_freed_after():
    assert gc.isenabled()
    with one_collection_per_batch():
        assert not gc.isenabled()
        alive = [weakref.ref(Node()) for _ in range(5 * gc.get_threshold()[0])]
        # Far more new objects than the collector's threshold, and none was collected.
        assert all(ref() is not None for ref in alive)

    assert gc.isenabled()
    assert all(ref() is None for ref in alive)


def test_collection_is_back_on_after_an_error():
    with pytest.raises(RuntimeError), one_collection_per_batch():
        raise RuntimeError("batch failed")

    assert gc.isenabled()


def test_a_caller_that_turned_collection_off_keeps_it_off():
    gc.disable()
    try:
        with one_collection_per_batch():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_the_weekly_evaluation_runs_each_batch_without_automatic_collections(monkeypatch):
    from programs.logbook import weekly

    seen = []
    monkeypatch.setattr(weekly, "_claim", lambda now, batch: seen.append(gc.isenabled()) or [])

    weekly.progressions_dispatch_due()

    assert seen == [False]
    assert gc.isenabled()
