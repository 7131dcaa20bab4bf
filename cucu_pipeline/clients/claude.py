"""The `claude` resource: Claude through the Anthropic SDK (structured output validated by pydantic), beside its
local stand-in, the deterministic template writer. Both take briefs and return drafts."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import anthropic
import dagster as dg
from pydantic import PrivateAttr, ValidationError

from cucu_pipeline.campaign.briefs import Brief, Draft
from cucu_pipeline.campaign.templates import TEMPLATE_MODEL, template_writes
from cucu_pipeline.clients.claude_http import BoundedHttpClient
from cucu_pipeline.clients.prompt import OUTPUT_SCHEMA, SYSTEM_PROMPT, ClaudeDraft, brief_prompt
from cucu_pipeline.clients.retries import retry_garbled

BATCH_PRICE_FACTOR = 0.5  # Message Batches cost half the standard price
# Errors about one request; every other API error (connection, timeout, rate limit, 5xx, overload, a key or model
# refused) means Claude cannot write right now, and the template takes over.
REQUEST_ERRORS = (anthropic.BadRequestError, anthropic.UnprocessableEntityError, anthropic.ContentTooLargeError)
GARBLED_ANSWERS = (json.JSONDecodeError,)  # a 200 whose body is cut short: the SDK raises it without retrying


class BatchLedger(Protocol):
    """Where a writer records the id of a submitted batch, so a re-run finds it (the Dagster instance in a run)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class MessageWriter(dg.ConfigurableResource):
    """The `claude` resource's interface: picks one event of each brief's short list and writes the text."""

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        raise NotImplementedError


class TemplateWriter(MessageWriter):
    """Local stand-in: the scorer's top pick and campaign templates with varied phrasing; no credentials, no cost."""

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        return template_writes(briefs)

    @property
    def model_name(self) -> str:
        return TEMPLATE_MODEL


class CircuitBreaker:
    """After `threshold` answers in a row that say Claude is unavailable, the rest of the round is not sent: an
    outage costs a few calls' retries, not every member's."""

    def __init__(self, threshold: int):
        self.threshold, self.in_a_row, self.last_error = threshold, 0, ""
        self.lock = threading.Lock()

    @property
    def open(self) -> bool:
        return self.in_a_row >= self.threshold

    def record(self, error: str | None) -> None:
        with self.lock:
            self.in_a_row = self.in_a_row + 1 if error else 0
            self.last_error = error or self.last_error


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {getattr(error, 'status_code', '') or error}"


class ClaudeWriter(MessageWriter):
    """Claude picks among each member's short list and writes the text; calls run concurrently, retried by the SDK."""

    api_key: str
    model: str = "claude-sonnet-4-6"
    base_url: str | None = None
    max_concurrency: int = 8
    # Above this many briefs in one round, one Message Batch (half price, answers within hours); -1 never batches.
    batch_above_members: int = 2000
    batch_poll_seconds: float = 30.0
    batch_timeout_seconds: float = 6 * 3600
    max_retries: int = 4
    timeout_seconds: float = 60.0
    deadline_seconds: float = 60.0  # for a whole answer, however slowly its bytes arrive
    retry_after_cap_seconds: float = 60.0
    # Unavailable answers in a row (each after the SDK's retries) that stop the round's remaining calls.
    outage_after_failures: int = 5
    max_tokens: int = 400
    # USD per million tokens, from Anthropic's price list for the configured model.
    input_price_per_mtok: float = 3.0
    output_price_per_mtok: float = 15.0
    _client: anthropic.Anthropic | None = PrivateAttr(default=None)

    @property
    def model_name(self) -> str:
        return self.model

    def client(self) -> anthropic.Anthropic:
        if self._client is None:
            self._client = anthropic.Anthropic(
                api_key=self.api_key,
                base_url=self.base_url,
                max_retries=self.max_retries,
                timeout=self.timeout_seconds,
                http_client=BoundedHttpClient(self.deadline_seconds, self.retry_after_cap_seconds),
            )
        return self._client

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        """Concurrent calls; above `batch_above_members` briefs, one Message Batch at half the price."""
        if len(briefs) > self.batch_above_members >= 0:
            return self._write_batch(briefs, ledger)
        breaker = CircuitBreaker(self.outage_after_failures)
        with ThreadPoolExecutor(max_workers=max(1, self.max_concurrency)) as pool:
            return list(pool.map(lambda brief: self._write_one(brief, breaker), briefs))

    def _params(self, brief: Brief) -> dict:
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": [{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": brief_prompt(brief)}],
            "output_config": {"format": {"type": "json_schema", "schema": OUTPUT_SCHEMA}},
        }

    def _cost(self, usage: anthropic.types.Usage, price_factor: float = 1.0) -> float:
        read, written = usage.cache_read_input_tokens or 0, usage.cache_creation_input_tokens or 0
        input_cost = (usage.input_tokens + 1.25 * written + 0.1 * read) * self.input_price_per_mtok
        return price_factor * (input_cost + usage.output_tokens * self.output_price_per_mtok) / 1_000_000

    def _write_one(self, brief: Brief, breaker: CircuitBreaker) -> Draft:
        if breaker.open:
            return self._failed(brief, f"not sent, Claude unavailable: {breaker.last_error}", calls=0, unavailable=True)
        create = self.client().messages.create
        try:  # the SDK retries statuses, timeouts and dropped connections; a garbled body is tried again here
            response = retry_garbled(lambda: create(**self._params(brief)), GARBLED_ANSWERS, self.max_retries + 1)
        except REQUEST_ERRORS as error:
            breaker.record(None)
            return self._failed(brief, _describe(error))
        except (anthropic.APIError, *GARBLED_ANSWERS) as error:
            breaker.record(_describe(error))
            return self._failed(brief, _describe(error), unavailable=True)
        breaker.record(None)
        return self._draft(brief, response)

    def _failed(self, brief: Brief, error: str, calls: int = 1, unavailable: bool = False) -> Draft:
        return Draft(
            user_id=brief.user_id,
            event_id=None,
            body=None,
            model=self.model,
            calls=calls,
            error=error[:300],
            unavailable=unavailable,
        )

    def _draft(self, brief: Brief, response: anthropic.types.Message, price_factor: float = 1.0) -> Draft:
        """Validate one answer: usage and cost always, the event and text only when they are usable."""
        draft = Draft(user_id=brief.user_id, event_id=None, body=None, model=self.model, calls=1)
        usage = response.usage
        if usage is not None:
            draft.input_tokens = usage.input_tokens
            draft.output_tokens = usage.output_tokens
            draft.cache_read_tokens = usage.cache_read_input_tokens or 0
            draft.cache_write_tokens = usage.cache_creation_input_tokens or 0
            draft.cost_usd = self._cost(usage, price_factor)
        if response.stop_reason != "end_turn":
            draft.error = f"stopped: {response.stop_reason}"
            return draft
        text = "".join(block.text for block in response.content if block.type == "text")
        try:
            parsed = ClaudeDraft.model_validate_json(text)
        except ValidationError as error:
            draft.error = f"invalid JSON: {error.errors()[0]['msg']}"[:300]
            return draft
        if parsed.event_id not in {event.id for event in brief.candidates}:
            draft.error = f"picked {parsed.event_id!r}, not a candidate"
            return draft
        draft.event_id, draft.body = parsed.event_id, parsed.message
        draft.reasoning, draft.confidence = parsed.reasoning, max(0, min(100, parsed.confidence))
        return draft

    def _write_batch(self, briefs: list[Brief], ledger: BatchLedger | None) -> list[Draft]:
        """One Message Batch for all briefs. Its id is recorded under a key derived from the requests, so a run that
        crashed while waiting resumes polling the same batch instead of paying for a second one."""
        requests = [
            {"custom_id": f"brief-{index}", "params": self._params(brief)} for index, brief in enumerate(briefs)
        ]
        key = "claude-batch:" + hashlib.sha256(json.dumps(requests, sort_keys=True).encode()).hexdigest()[:32]
        batches = self.client().messages.batches
        try:
            batch_id = ledger.get(key) if ledger is not None else None
            if batch_id is None:  # a garbled answer is asked again: at worst one unused batch, never a lost one
                batch_id = retry_garbled(lambda: batches.create(requests=requests), GARBLED_ANSWERS).id
                if ledger is not None:
                    ledger.set(key, batch_id)
            deadline = time.monotonic() + self.batch_timeout_seconds
            while retry_garbled(lambda: batches.retrieve(batch_id), GARBLED_ANSWERS).processing_status != "ended":
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"Message Batch {batch_id} has not ended; re-run the partition to resume polling it"
                    )
                time.sleep(self.batch_poll_seconds)
            entries = retry_garbled(lambda: list(batches.results(batch_id)), GARBLED_ANSWERS)
        except (anthropic.APIError, *GARBLED_ANSWERS) as error:
            return [self._failed(brief, _describe(error), unavailable=True) for brief in briefs]
        drafts: dict[str, Draft] = {}
        for entry in entries:
            index = int(entry.custom_id.removeprefix("brief-"))
            if entry.result.type == "succeeded":
                drafts[entry.custom_id] = self._draft(briefs[index], entry.result.message, BATCH_PRICE_FACTOR)
            else:  # errored, canceled or expired: the regeneration round and the template take over
                drafts[entry.custom_id] = self._failed(briefs[index], f"batch result {entry.result.type}")
        return [
            drafts.get(request["custom_id"]) or self._failed(brief, "missing from the batch results")
            for request, brief in zip(requests, briefs)
        ]
