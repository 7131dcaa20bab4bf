"""How the `claude` resource calls the Messages API, whatever it asks: concurrent single calls behind a circuit
breaker, or one Message Batch whose id is kept so a re-run resumes it; each answer is a message or an error."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import anthropic

from cucu_pipeline.clients.retries import retry_garbled

BATCH_PRICE_FACTOR = 0.5  # Message Batches cost half the standard price
# Errors about one request; every other API error (connection, timeout, rate limit, 5xx, overload, a key or model
# refused) means Claude cannot answer right now, and the template or the local judge takes over.
REQUEST_ERRORS = (anthropic.BadRequestError, anthropic.UnprocessableEntityError, anthropic.ContentTooLargeError)
GARBLED_ANSWERS = (json.JSONDecodeError,)  # a 200 whose body is cut short: the SDK raises it without retrying


class BatchLedger(Protocol):
    """Where a caller records the id of a submitted batch, so a re-run finds it (the Dagster instance in a run)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class Answer:
    """One request's answer: the message, or why there is none (and whether Claude is unreachable)."""

    message: anthropic.types.Message | None = None
    error: str | None = None
    unavailable: bool = False
    calls: int = 1
    price_factor: float = 1.0


class CircuitBreaker:
    """After `threshold` answers in a row that say Claude is unavailable, nothing more is sent for `cooldown_seconds`
    (the writer's rounds and the judge's alike): an outage costs a few calls' retries, not every member's. Then one
    call is tried again, and one more failure opens it again."""

    def __init__(self, threshold: int, cooldown_seconds: float):
        self.threshold, self.cooldown_seconds = threshold, cooldown_seconds
        self.in_a_row, self.last_error, self.opened_at = 0, "", 0.0
        self.lock = threading.Lock()

    @property
    def open(self) -> bool:
        with self.lock:
            if self.in_a_row >= self.threshold and time.monotonic() - self.opened_at > self.cooldown_seconds:
                self.in_a_row = self.threshold - 1  # half open: the next answer decides
            return self.in_a_row >= self.threshold

    def record(self, error: str | None) -> None:
        with self.lock:
            self.in_a_row = self.in_a_row + 1 if error else 0
            self.last_error = error or self.last_error
            if self.in_a_row == self.threshold:
                self.opened_at = time.monotonic()


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {getattr(error, 'status_code', '') or error}"


def call_each(
    create: Callable[..., anthropic.types.Message],
    requests: list[dict],
    concurrency: int,
    breaker: CircuitBreaker,
    attempts: int,
) -> list[Answer]:
    """Every request as its own call, `concurrency` at a time; the SDK retries statuses, timeouts and dropped
    connections, a garbled body is tried again here."""

    def one(params: dict) -> Answer:
        if breaker.open:
            return Answer(error=f"not sent, Claude unavailable: {breaker.last_error}", unavailable=True, calls=0)
        try:
            message = retry_garbled(lambda: create(**params), GARBLED_ANSWERS, attempts)
        except REQUEST_ERRORS as error:
            breaker.record(None)
            return Answer(error=describe(error))
        except (anthropic.APIError, *GARBLED_ANSWERS) as error:
            breaker.record(describe(error))
            return Answer(error=describe(error), unavailable=True)
        breaker.record(None)
        return Answer(message=message)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, requests))


def call_batch(
    batches: anthropic.resources.messages.Batches,
    requests: list[dict],
    ledger: BatchLedger | None,
    poll_seconds: float,
    timeout_seconds: float,
) -> list[Answer]:
    """All requests as one Message Batch. Its id is recorded under a key derived from the requests, so a run that
    crashed while waiting resumes polling the same batch instead of paying for a second one."""
    entries = [{"custom_id": f"request-{index}", "params": params} for index, params in enumerate(requests)]
    key = "claude-batch:" + hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:32]
    try:
        batch_id = ledger.get(key) if ledger is not None else None
        if batch_id is None:  # a garbled answer is asked again: at worst one unused batch, never a lost one
            batch_id = retry_garbled(lambda: batches.create(requests=entries), GARBLED_ANSWERS).id
            if ledger is not None:
                ledger.set(key, batch_id)
        deadline = time.monotonic() + timeout_seconds
        while retry_garbled(lambda: batches.retrieve(batch_id), GARBLED_ANSWERS).processing_status != "ended":
            if time.monotonic() > deadline:
                raise TimeoutError(f"Message Batch {batch_id} has not ended; re-run the partition to resume polling it")
            time.sleep(poll_seconds)
        results = retry_garbled(lambda: list(batches.results(batch_id)), GARBLED_ANSWERS)
    except (anthropic.APIError, *GARBLED_ANSWERS) as error:
        return [Answer(error=describe(error), unavailable=True) for _ in requests]
    answers = {}
    for result in results:
        if result.result.type == "succeeded":
            answers[result.custom_id] = Answer(message=result.result.message, price_factor=BATCH_PRICE_FACTOR)
        else:  # errored, canceled or expired: the next round, the template or the local judge take over
            answers[result.custom_id] = Answer(error=f"batch result {result.result.type}")
    return [answers.get(entry["custom_id"]) or Answer(error="missing from the batch results") for entry in entries]
