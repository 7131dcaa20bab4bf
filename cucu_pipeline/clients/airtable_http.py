"""Airtable over HTTP: the request rate, and what a failed answer becomes (asked again when garbled, masked when it
fails for good)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import requests
from requests.adapters import HTTPAdapter

from cucu_pipeline.core.privacy import mask_text


class GarbledPage(ValueError):
    """A 200 whose body is not a page of records (empty, `null`, or JSON of another shape)."""


# Answers cut short, empty or not JSON: asked again like a 503 (the HTTP adapter retries statuses and timeouts).
GARBLED_ANSWERS = (requests.exceptions.InvalidJSONError, requests.exceptions.ChunkedEncodingError, GarbledPage)


class RateLimiter:
    """At most `per_second` requests per second across threads: Airtable allows 5 per second per base."""

    def __init__(self, per_second: float):
        self.interval, self.next_slot, self.lock = 1.0 / per_second, 0.0, threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
        time.sleep(max(0.0, slot - now))


class ThrottledAdapter(HTTPAdapter):
    def __init__(self, limiter: RateLimiter, **kwargs):
        self.limiter = limiter
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        self.limiter.wait()
        return super().send(request, **kwargs)


T = TypeVar("T")


class AirtableError(RuntimeError):
    """An Airtable failure with its text masked: Airtable's errors can echo the request, a member's phone and email."""


def masked_errors(call: Callable[[], T]) -> T:
    """The call's result; its error leaves with phones and emails masked and without the original exception attached
    (raised outside the handler, so not even as its context): neither the run's event log nor its console shows a
    contact (README: "Security and privacy")."""
    try:
        return call()
    except Exception as error:
        masked = AirtableError(f"{type(error).__name__}: {mask_text(str(error))}")
    raise masked
