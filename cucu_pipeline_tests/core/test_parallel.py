"""`mapped`: the same results as one process, the shares computed by forked children, and a child that fails or dies
leaves its share to the parent."""

from __future__ import annotations

import gc
import os

import pytest

from cucu_pipeline.core import parallel
from cucu_pipeline.core.parallel import mapped

PARENT = os.getpid()


def _squares_and_pids(item):
    return item * item, os.getpid()


@pytest.fixture
def four_cores(monkeypatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)


def test_each_share_is_computed_by_its_own_process_and_the_results_keep_their_order(four_cores):
    results = mapped(_squares_and_pids, list(range(10)), min_share=2)
    assert [square for square, _ in results] == [item * item for item in range(10)]
    pids = list(dict.fromkeys(pid for _, pid in results))
    assert len(pids) == 4 and pids[0] == PARENT  # the parent computes the first share, a child each other
    assert sorted(map(len, ([r for r in results if r[1] == pid] for pid in pids))) == [2, 2, 3, 3]
    # Dealt in turn: the costly items at one end of a list are shared out, not left to one process.
    assert [pid for _, pid in results] == [pids[index % 4] for index in range(10)]


def test_too_few_items_for_a_share_each_stay_in_this_process(four_cores):
    assert {pid for _, pid in mapped(_squares_and_pids, list(range(10)), min_share=6)} == {PARENT}
    assert mapped(_squares_and_pids, []) == []


def test_one_usable_core_never_forks(monkeypatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    assert {pid for _, pid in mapped(_squares_and_pids, list(range(10)), min_share=1)} == {PARENT}


def _dies_in_a_child(item):
    if os.getpid() != PARENT:
        os._exit(3)  # killed, say, by the kernel's out-of-memory killer
    return item + 1


def _raises_in_a_child(item):
    if os.getpid() != PARENT:
        raise ValueError("only in the child")
    return item + 1


@pytest.mark.parametrize("function", [_dies_in_a_child, _raises_in_a_child])
def test_a_failed_child_leaves_its_share_to_the_parent(four_cores, function, caplog):
    assert mapped(function, list(range(8)), min_share=2) == list(range(1, 9))
    assert caplog.text.count("a forked share failed") == 3
    assert not _children_left()


def _fails_in_the_parent(item):
    if os.getpid() == PARENT:
        raise ValueError("the parent's own share")
    return item


def test_an_error_in_the_parent_is_raised_and_no_child_is_left_behind(four_cores):
    with pytest.raises(ValueError, match="the parent's own share"):
        mapped(_fails_in_the_parent, list(range(8)), min_share=2)
    assert not _children_left()
    assert gc.get_freeze_count() == 0  # the heap is unfrozen again


def test_the_heap_is_frozen_while_children_share_it(four_cores):
    counts = mapped(lambda _: gc.get_freeze_count(), list(range(4)), min_share=2)
    assert min(counts) > 0 and gc.get_freeze_count() == 0


def _children_left() -> bool:
    try:
        return os.waitpid(-1, os.WNOHANG) != (0, 0)
    except ChildProcessError:  # no child at all
        return False


def _blas_threads(_=None) -> set[int]:
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_every_process_computes_on_one_blas_thread_and_the_pool_is_restored_after(four_cores):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):  # numpy's OpenBLAS, as on a machine of two cores or more
        assert _blas_threads() == {2}
        assert mapped(_blas_threads, list(range(4)), min_share=1) == [{1}] * 4
        assert _blas_threads() == {2}
