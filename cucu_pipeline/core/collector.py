"""The cyclic collector paused for work that builds trees, never cycles: decoded JSON, a date's texts and their
checks. Left on, it walks the new objects each time 50,000 more are made (`cucu_pipeline.GC_THRESHOLDS`) and finds
nothing to free (https://docs.python.org/3/library/gc.html#gc.disable)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block (and in the children `core.parallel` forks meanwhile), as it was after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
