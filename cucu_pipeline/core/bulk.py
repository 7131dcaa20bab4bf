"""Building many objects at once: a collection's decoded documents and their validated rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a step builds hundreds of thousands of objects that form no cycles
    (decoded JSON, validated rows): every pass of the collector walks all the objects built so far, and reading a
    collection spends a quarter of its time there. Reference counting still frees each object as it goes; the
    collector is back as it was on the way out (https://docs.python.org/3/library/gc.html#gc.disable)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
