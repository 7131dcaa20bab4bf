"""Airtable over HTTP: the request rate, paged listings that resume where they failed, and what a failed answer
becomes (asked again when garbled, masked when it fails for good)."""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from cucu_pipeline.clients.airtable_schema import SETUP_COMMAND
from cucu_pipeline.clients.retries import retry_garbled
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


class DeadlineExceeded(requests.exceptions.Timeout):
    """An answer still arriving at the deadline: not asked again, the step fails saying how long it waited."""


class CappedRetry(Retry):
    """urllib3's retries, obeying a `Retry-After` only up to `retry_after_cap` seconds: a server asking for minutes
    would otherwise hold the step, and the morning's run, that long."""

    retry_after_cap = 60.0

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.retry_after_cap)


def capped_retries(cap_seconds: float, **settings) -> Retry:
    return type("CappedRetry", (CappedRetry,), {"retry_after_cap": cap_seconds})(**settings)


class RequestCount:
    """Requests sent to Airtable, for the steps' metadata: what a run costs of the plan's monthly calls (a request
    urllib3 retries below the adapter counts once)."""

    def __init__(self):
        self.value, self.lock = 0, threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.value += 1


class ThrottledAdapter(HTTPAdapter):
    """Spaces requests by the rate limiter, counts them, and gives each answer's body `deadline_seconds` to arrive in
    full: the read timeout restarts with every byte, so an answer that trickles in would otherwise hold the step
    forever."""

    def __init__(self, limiter: RateLimiter, deadline_seconds: float, count: RequestCount, **kwargs):
        self.limiter, self.deadline_seconds, self.count = limiter, deadline_seconds, count
        super().__init__(**kwargs)

    def send(self, request, stream=False, **kwargs):
        self.limiter.wait()
        self.count.add()
        response = super().send(request, stream=True, **kwargs)
        if not stream:
            response._content = self._body(response)  # requests' own cache of a read body
        return response

    def _body(self, response: requests.Response) -> bytes:
        deadline, chunks = time.monotonic() + self.deadline_seconds, []
        # read1 returns what has arrived (read(n) would wait for n bytes), so the clock is checked as bytes come.
        try:
            while chunk := response.raw.read1(16_384, decode_content=True):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    response.close()
                    raise DeadlineExceeded(f"Airtable sent no full answer within {self.deadline_seconds:g} s")
        except ProtocolError as error:  # as requests itself reports a body cut short
            raise requests.exceptions.ChunkedEncodingError(error) from error
        except ReadTimeoutError as error:
            raise requests.exceptions.ConnectionError(error) from error
        body = b"".join(chunks)
        if response.ok and body.strip() in (b"", b"null"):  # a 200 with nothing in it: asked again like a 503
            raise requests.exceptions.InvalidJSONError("Airtable answered with no JSON object", response=response)
        return body


T = TypeVar("T")


class AirtableError(RuntimeError):
    """An Airtable failure with its text masked: Airtable's errors can echo the request, a member's phone and email."""


def masked_errors(call: Callable[[], T]) -> T:
    """The call's result; its error leaves with phones and emails masked and without the original exception attached
    (raised outside the handler, so not even as its context): neither the run's event log nor its console shows a
    contact (SECURITY.md)."""
    try:
        return call()
    except Exception as error:
        masked = AirtableError(f"{type(error).__name__}: {mask_text(str(error))}")
    raise masked


def _page(table, offset: str | None, number: int, formula: str | None, fields: tuple[str, ...]) -> dict[str, Any]:
    params = {
        "pageSize": 100,
        **({"offset": offset} if offset else {}),
        **({"filterByFormula": formula} if formula else {}),
        **({"fields[]": list(fields)} if fields else {}),
    }
    answer = table.api.request("get", table.urls.records, params=params)
    if not isinstance(answer, dict) or not isinstance(answer.get("records"), list):
        raise GarbledPage(f"page {number} of the Messages table was not a page of records")
    return answer


def list_all_records(
    table, page_attempts: int, formula: str | None = None, fields: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Every record the `formula` holds for (all without one), with only `fields` when given, page by page: a failed
    page is asked again from its own offset, and the listing fails only when one page keeps failing (`page_attempts`
    times, after the HTTP adapter's own retries), naming it."""
    records, offset, number = [], None, 1
    while True:
        try:
            ask = functools.partial(_page, table, offset, number, formula, fields)
            page = retry_garbled(ask, GARBLED_ANSWERS, page_attempts)
        except Exception as error:
            raise AirtableError(f"page {number} of the Messages table kept failing: {error}") from None
        records += page["records"]
        offset, number = page.get("offset"), number + 1
        if not offset:
            return records


# Airtable's answers refusing one record's values; the request wrote none of its records.
# https://airtable.com/developers/web/api/errors
REFUSALS = frozenset({"INVALID_VALUE_FOR_COLUMN", "INVALID_MULTIPLE_CHOICE_OPTIONS", "UNKNOWN_FIELD_NAME"})


def refusal(error: requests.HTTPError) -> str | None:
    """`INVALID_VALUE_FOR_COLUMN on "send_after"` (or with Airtable's message) for a refusal of values, else None."""
    try:
        detail = error.response.json().get("error") if error.response is not None else None
    except ValueError:
        return None
    if not isinstance(detail, dict) or detail.get("type") not in REFUSALS:
        return None
    message = str(detail.get("message", ""))
    # `Field "send_after" cannot accept the provided value`, `Unknown field name: "withdrawn_reason"`
    field = re.search(r'[Ff]ield(?: name:)? "([^"]+)"', message)
    found = f'{detail["type"]} on "{field.group(1)}"' if field else f"{detail['type']}: {message}"  # masked on raising
    if detail["type"] == "UNKNOWN_FIELD_NAME":  # the table lacks a field the pipeline writes: say how to add it
        found += f": the Messages table lacks it; `{SETUP_COMMAND}` adds it"
    return found


def _gone(error: requests.HTTPError) -> bool:
    """Airtable's answer for a record that is not there: 404, or 422 `ROW_DOES_NOT_EXIST` in a batch."""
    return error.response is not None and error.response.status_code in (404, 422)


def delete_records(table, ids: list[str]) -> None:
    """Delete a batch; a record already gone (a run that stopped before it noted its removals) is not an error."""
    try:
        retry_garbled(functools.partial(table.batch_delete, ids), GARBLED_ANSWERS)
    except requests.HTTPError as error:
        if not _gone(error):
            raise
        for record_id in ids:  # one by one: the answer does not say which are gone
            try:
                retry_garbled(functools.partial(table.delete, record_id), GARBLED_ANSWERS)
            except requests.HTTPError as single:
                if not _gone(single):
                    raise
