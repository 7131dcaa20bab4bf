"""Pure Python work over many items on every core of the machine: a step runs in one process (the in-process
executor), and a loop of a hundred microseconds an item (checking a text, writing a summary) holds one core while the
other waits.

The items are dealt into one share per core, in turn (item i to share i mod n: wherever the costly items sit in the
list, each share gets as many of them); each share past the first is computed by a forked child, which inherits the
items and everything they refer to without copying (https://docs.python.org/3/library/os.html#os.fork), and sends
back only its results, pickled, through a pipe. The parent computes the first share meanwhile. A child that fails or
dies leaves its share to the parent, which computes it again: the results never depend on the fork.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import TypeVar

from threadpoolctl import threadpool_limits

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a share, the fork and the pickled results cost more than the work they split.
MIN_SHARE = 1000

logger = logging.getLogger(__name__)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container's limit sets), at least one."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def mapped(function: Callable[[Item], Result], items: Sequence[Item], min_share: int | None = None) -> list[Result]:
    """`[function(item) for item in items]`, in shares of at least `min_share` items (`MIN_SHARE`) computed at once
    on the usable cores."""
    shares = min(usable_cores(), len(items) // max(MIN_SHARE if min_share is None else min_share, 1))
    if shares < 2 or not hasattr(os, "fork"):
        return _each(function, items)
    chunks = [items[share::shares] for share in range(shares)]
    # A collection walks every object and writes to its header, copying each page the processes still share;
    # frozen, the objects the children inherit are never walked (https://docs.python.org/3/library/gc.html#gc.freeze).
    gc.freeze()
    pending = []
    try:
        # Each process computes on one core: a BLAS pool of a thread per core in every process (OpenBLAS's default)
        # oversubscribes the machine, and its spinning threads made the scorer's shared chunks slower than one
        # process alone. The children inherit the limit (https://github.com/joblib/threadpoolctl).
        with threadpool_limits(limits=1, user_api="blas"):
            pending = [(chunk, _forked(function, chunk)) for chunk in chunks[1:]]
            results = [None] * len(items)
            results[::shares] = _each(function, chunks[0])
            for share in range(1, shares):
                chunk, child = pending.pop(0)
                found = _collected(*child) if child else None
                results[share::shares] = _each(function, chunk) if found is None else found
    finally:
        for _, child in pending:  # the parent failed: no child outlives the work it was given
            if child:
                _stopped(*child)
        gc.unfreeze()
    return results


def _each(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    return [function(item) for item in items]


def _forked(function: Callable, chunk: Sequence) -> tuple[int, int] | None:
    """A child computing `function` of each item of `chunk` and writing the pickled results to a pipe: (its pid,
    the pipe's read end), or None when the system refuses the fork."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError as error:
        os.close(read_end)
        os.close(write_end)
        logger.warning("computing every share in this process: fork failed (%s)", error)
        return None
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers or flushes its buffers
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(_each(function, chunk), pipe, pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collected(pid: int, read_end: int) -> list | None:
    """The child's results, or None when it failed (the parent then computes its share and meets the error itself)."""
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not payload:
        logger.warning("a forked share failed (exit status %s); computing it in this process", status)
        return None
    return pickle.loads(payload)


def _stopped(pid: int, read_end: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.close(read_end)
    os.waitpid(pid, 0)
