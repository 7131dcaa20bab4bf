"""One more try for an answer that arrived garbled.

The HTTP clients retry rate limits, server errors, timeouts and dropped connections themselves, but not a 200 whose
body is cut short; every call wrapped here is safe to repeat (a read, an upsert on a deterministic key, a draft).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry_garbled(call: Callable[[], T], errors: tuple[type[BaseException], ...], attempts: int = 4) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except errors:
            if attempt == attempts:
                raise
    raise ValueError("attempts must be at least 1")
