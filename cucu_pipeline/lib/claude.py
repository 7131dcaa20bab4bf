"""The production writer: Claude through the Anthropic SDK, structured output validated by pydantic."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import anthropic
from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from cucu_pipeline.lib.prompts import SYSTEM_PROMPT
from cucu_pipeline.lib.writers import Brief, Draft, MessageWriter


class ClaudeDraft(BaseModel):
    """The JSON Claude must return; business rules (length, facts, link) are checked afterwards by code."""

    event_id: str = Field(description="The id of the chosen candidate event.")
    message: str = Field(description="The SMS text between the brand prefix and the booking link.")
    reasoning: str = Field(description="One sentence: why this event for this member.")
    confidence: int = Field(description="0 to 100.")


OUTPUT_SCHEMA = anthropic.transform_schema(ClaudeDraft)


def brief_prompt(brief: Brief) -> str:
    """The per-member part of the prompt: only what the message needs, never a phone number or email."""
    payload = {
        "member": {"first_name": brief.first_name, "profile": brief.member_summary},
        "character_budget": brief.body_budget(),
        "candidates": [
            {
                "event_id": event.id, "name": event.name, "campaign": event.campaign, "weekday": event.day,
                "start_time": event.time, "venue": event.venue, "neighborhood": event.neighborhood,
                "host": event.host, "seats_left": event.spots_left, "guests_in": event.participant_count,
                "capacity": event.max_participants, "about": event.summary,
            }  # fmt: skip
            for event in brief.candidates
        ],
    }
    if brief.feedback:
        payload["feedback_on_previous_draft"] = list(brief.feedback)
    return json.dumps(payload, ensure_ascii=False)


class ClaudeWriter(MessageWriter):
    """Claude picks among each member's short list and writes the text; calls run concurrently, retried by the SDK."""

    api_key: str
    model: str = "claude-sonnet-4-6"
    base_url: str | None = None
    max_concurrency: int = 8
    max_retries: int = 4
    timeout_seconds: float = 60.0
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
                api_key=self.api_key, base_url=self.base_url, max_retries=self.max_retries, timeout=self.timeout_seconds
            )
        return self._client

    def write(self, briefs: list[Brief]) -> list[Draft]:
        with ThreadPoolExecutor(max_workers=max(1, self.max_concurrency)) as pool:
            return list(pool.map(self._write_one, briefs))

    def _cost(self, usage: anthropic.types.Usage) -> float:
        read, written = usage.cache_read_input_tokens or 0, usage.cache_creation_input_tokens or 0
        input_cost = (usage.input_tokens + 1.25 * written + 0.1 * read) * self.input_price_per_mtok
        return (input_cost + usage.output_tokens * self.output_price_per_mtok) / 1_000_000

    def _write_one(self, brief: Brief) -> Draft:
        draft = Draft(user_id=brief.user_id, event_id=None, body=None, model=self.model, calls=1)
        try:
            response = self.client().messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=[{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": brief_prompt(brief)}],
                output_config={"format": {"type": "json_schema", "schema": OUTPUT_SCHEMA}},
            )
        except anthropic.APIError as error:  # after the SDK's own retries
            draft.error = f"{type(error).__name__}: {getattr(error, 'status_code', '') or error}"[:300]
            return draft
        usage = response.usage
        if usage is not None:
            draft.input_tokens = usage.input_tokens
            draft.output_tokens = usage.output_tokens
            draft.cache_read_tokens = usage.cache_read_input_tokens or 0
            draft.cache_write_tokens = usage.cache_creation_input_tokens or 0
            draft.cost_usd = self._cost(usage)
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
