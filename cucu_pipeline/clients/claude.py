"""The `claude` resource: Claude through the Anthropic SDK (structured output validated by pydantic) writes each text
and judges it; its local stand-in writes from the deterministic templates and judges from measurable signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import BaseModel, PrivateAttr, ValidationError

from cucu_pipeline.campaign.writing.briefs import Brief, Draft
from cucu_pipeline.campaign.writing.templates import TEMPLATE_MODEL, template_writes
from cucu_pipeline.clients.judge_prompt import JUDGE_SYSTEM_PROMPT, ClaudeJudgement, judge_schema, review_prompt
from cucu_pipeline.clients.prompt import SYSTEM_PROMPT, ClaudeDraft, brief_prompt, output_schema
from cucu_pipeline.quality.judge import local_judgement, local_judgements
from cucu_pipeline.quality.rubric import CRITERIA, Judgement, Review

if TYPE_CHECKING:
    from cucu_pipeline.clients.claude_calls import Answer, BatchLedger


class MessageWriter(dg.ConfigurableResource):
    """The `claude` resource's interface: picks one event of each brief's short list and writes the text, and judges
    a written text (docs/quality.md)."""

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        raise NotImplementedError

    def judge(self, reviews: list[Review], ledger: BatchLedger | None = None) -> list[Judgement]:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        raise NotImplementedError


class TemplateWriter(MessageWriter):
    """Local stand-in: the scorer's top pick and campaign templates with varied phrasing, judged by the local signals;
    no credentials, no cost."""

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        return template_writes(briefs)

    def judge(self, reviews: list[Review], ledger: BatchLedger | None = None) -> list[Judgement]:
        return local_judgements(reviews)

    @property
    def model_name(self) -> str:
        return TEMPLATE_MODEL


class ClaudeWriter(MessageWriter):
    """Claude picks among each member's short list and writes the text, then a second, cheaper model judges it; calls
    run concurrently, retried by the SDK, or as one Message Batch for a large round."""

    api_key: str
    model: str = "claude-sonnet-4-6"
    judge_model: str = "claude-haiku-4-5"
    base_url: str | None = None
    max_concurrency: int = 8
    # Above this many requests in one round, one Message Batch (half price, answers within hours); -1 never batches.
    batch_above_members: int = 2000
    batch_poll_seconds: float = 30.0
    batch_timeout_seconds: float = 6 * 3600
    max_retries: int = 4
    timeout_seconds: float = 60.0
    deadline_seconds: float = 60.0  # for a whole answer, however slowly its bytes arrive
    retry_after_cap_seconds: float = 60.0
    # Unavailable answers in a row (each after the SDK's retries) that stop the calls for `outage_pause_seconds`.
    outage_after_failures: int = 5
    outage_pause_seconds: float = 300.0
    max_tokens: int = 400
    judge_max_tokens: int = 300
    # USD per million tokens, from Anthropic's price list for the configured models.
    input_price_per_mtok: float = 3.0
    output_price_per_mtok: float = 15.0
    judge_input_price_per_mtok: float = 1.0
    judge_output_price_per_mtok: float = 5.0
    # The SDK's client and the circuit breaker, made on first use: the SDK is imported only where Claude is asked.
    _client: Any = PrivateAttr(default=None)
    _breaker: Any = PrivateAttr(default=None)

    @property
    def model_name(self) -> str:
        return self.model

    def client(self):
        if self._client is None:
            import anthropic

            from cucu_pipeline.clients.claude_http import BoundedHttpClient

            self._client = anthropic.Anthropic(
                api_key=self.api_key,
                base_url=self.base_url,
                max_retries=self.max_retries,
                timeout=self.timeout_seconds,
                http_client=BoundedHttpClient(self.deadline_seconds, self.retry_after_cap_seconds),
            )
        return self._client

    def _ask(self, requests: list[dict], ledger: BatchLedger | None) -> list[Answer]:
        """Concurrent calls; above `batch_above_members` requests, one Message Batch at half the price."""
        from cucu_pipeline.clients.claude_calls import CircuitBreaker, call_batch, call_each

        if len(requests) > self.batch_above_members >= 0:
            batches = self.client().messages.batches
            return call_batch(batches, requests, ledger, self.batch_poll_seconds, self.batch_timeout_seconds)
        if self._breaker is None:  # one for the writer and the judge: an outage is Claude's, not a round's
            self._breaker = CircuitBreaker(self.outage_after_failures, self.outage_pause_seconds)
        create = self.client().messages.create
        return call_each(create, requests, self.max_concurrency, self._breaker, self.max_retries + 1)

    @staticmethod
    def _params(model: str, max_tokens: int, system: str, content: str, schema: dict) -> dict:
        return {
            "model": model,
            "max_tokens": max_tokens,
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": content}],
            "output_config": {"format": {"type": "json_schema", "schema": schema}},
        }

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        requests = [
            self._params(self.model, self.max_tokens, SYSTEM_PROMPT, brief_prompt(brief), output_schema())
            for brief in briefs
        ]
        return [self._draft(brief, answer) for brief, answer in zip(briefs, self._ask(requests, ledger))]

    def judge(self, reviews: list[Review], ledger: BatchLedger | None = None) -> list[Judgement]:
        """Claude's verdict on each text; where it cannot answer, the local signals fill the fields (`error` says
        why), so every text still carries a score."""
        requests = [
            self._params(self.judge_model, self.judge_max_tokens, JUDGE_SYSTEM_PROMPT, review_prompt(r), judge_schema())
            for r in reviews
        ]
        return [self._judgement(review, answer) for review, answer in zip(reviews, self._ask(requests, ledger))]

    def _usage(self, answer: Answer, judge: bool) -> dict:
        """Calls, tokens and cost of one answer at the model's prices (cache writes 1.25x, reads 0.1x input)."""
        usage = answer.message.usage if answer.message is not None else None
        counted = {"calls": answer.calls}
        if usage is None:
            return counted
        read, written = usage.cache_read_input_tokens or 0, usage.cache_creation_input_tokens or 0
        input_price = self.judge_input_price_per_mtok if judge else self.input_price_per_mtok
        output_price = self.judge_output_price_per_mtok if judge else self.output_price_per_mtok
        cost = (usage.input_tokens + 1.25 * written + 0.1 * read) * input_price + usage.output_tokens * output_price
        return counted | {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_read_tokens": read,
            "cache_write_tokens": written,
            "cost_usd": answer.price_factor * cost / 1_000_000,
        }

    @staticmethod
    def _parsed(answer: Answer, schema: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
        if answer.message is None:
            return None, (answer.error or "no answer")[:300]
        if answer.message.stop_reason != "end_turn":
            return None, f"stopped: {answer.message.stop_reason}"
        text = "".join(block.text for block in answer.message.content if block.type == "text")
        try:
            return schema.model_validate_json(text), None
        except ValidationError as error:
            return None, f"invalid JSON: {error.errors()[0]['msg']}"[:300]

    def _draft(self, brief: Brief, answer: Answer) -> Draft:
        """Validate one answer: usage and cost always, the event and text only when they are usable."""
        draft = Draft(brief.user_id, None, None, model=self.model, unavailable=answer.unavailable)
        for name, value in self._usage(answer, judge=False).items():
            setattr(draft, name, value)
        parsed, draft.error = self._parsed(answer, ClaudeDraft)
        if parsed is None:
            return draft
        if parsed.event_id not in {event.id for event in brief.candidates}:
            draft.error = f"picked {parsed.event_id!r}, not a candidate"
            return draft
        draft.event_id, draft.body = parsed.event_id, parsed.message
        draft.reasoning, draft.confidence = parsed.reasoning, max(0, min(100, parsed.confidence))
        draft.lead = parsed.lead_reason
        return draft

    def _judgement(self, review: Review, answer: Answer) -> Judgement:
        usage = self._usage(answer, judge=True)
        parsed, error = self._parsed(answer, ClaudeJudgement)
        if parsed is None:
            judgement = local_judgement(review)
            judgement.error = error
        else:
            judgement = Judgement(
                scores={criterion: max(1, min(5, getattr(parsed, criterion))) for criterion in CRITERIA},
                issues=tuple(parsed.issues),
                approved=parsed.approved,
                improved_message="" if parsed.approved else parsed.improved_message.strip(),
                model=self.judge_model,
            )
        for name, value in usage.items():
            setattr(judgement, name, value)
        return judgement
