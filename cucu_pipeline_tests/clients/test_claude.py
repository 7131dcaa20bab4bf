"""The production writer: the Anthropic SDK against a fake Messages API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.writing.briefs import Brief, EventFacts
from cucu_pipeline.clients.claude import ClaudeWriter
from cucu_pipeline.quality.rubric import Review
from cucu_pipeline_tests.fakes.faults import FaultPlan
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI, estimated_tokens

EVENTS = (
    EventFacts(
        id="event_004",
        name="Dumpling Workshop",
        campaign=SEAT_THE_NEWCOMER,
        when="Friday at 7:30pm",
        evening=True,
        link="https://cucu.li/bookings/event_004",
        venue="The Vault",
        neighborhood="SoMa",
        host="Chef Ploy",
        spots_left=7,
        participant_count=5,
        max_participants=12,
        summary="A hands-on dumpling class.",
        hook="cooking",
    ),
    EventFacts(
        id="event_009",
        name="Vegan Feast",
        campaign=FILL_THE_TABLE,
        when="Sun Feb 18 at 6pm",
        evening=True,
        link="https://cucu.li/bookings/event_009",
        venue="Castro Table",
        neighborhood="Castro",
        host=None,
        spots_left=9,
        participant_count=1,
        max_participants=10,
        summary="A plant-based dinner.",
    ),
)


def brief(user_id: str = "user_001") -> Brief:
    return Brief(
        user_id=user_id,
        first_name="Sarah",
        member_summary="Sarah is a 32-year-old engineer who loves cooking.",
        candidates=EVENTS,
        needs_opt_out=True,
        brand="Cuculi:",
        campaign_date=dt.date(2024, 2, 14),
        seed="2024-02-14:user_001",
    )


def writer(url: str, **options) -> ClaudeWriter:
    return ClaudeWriter(api_key="sk-test-not-a-key", base_url=url, **{"max_retries": 2, **options})


def test_a_valid_answer_becomes_a_draft_with_usage_and_cost():
    fake = FakeMessagesAPI()
    with fake.serve() as url:
        (draft,) = writer(url).write([brief()])
    assert draft.error is None and draft.event_id == "event_004"
    assert draft.body == "Sarah, Dumpling Workshop is Friday at 7:30pm. Save a seat:"
    (request,) = fake.requests
    # The fake counts four characters a token: the instructions reach Sonnet's cacheable minimum, so the first call
    # writes them to the cache (1.25x input) and the member's brief is plain input.
    written = estimated_tokens(request["system"][0]["text"])
    brief_tokens = estimated_tokens(request["messages"][0]["content"])
    assert (draft.input_tokens, draft.cache_write_tokens, draft.cache_read_tokens) == (brief_tokens, written, 0)
    assert draft.output_tokens > 10 and written >= 2048
    assert draft.cost_usd == pytest.approx((brief_tokens * 3 + written * 3.75 + draft.output_tokens * 15) / 1e6)
    assert request["model"] == "claude-sonnet-4-6"
    assert request["system"][0]["cache_control"] == {"type": "ephemeral"}  # fixed instructions are cached
    assert request["output_config"]["format"]["type"] == "json_schema"
    assert set(request["output_config"]["format"]["schema"]["required"]) == {
        "event_id",
        "message",
        "reasoning",
        "confidence",
    }
    assert fake.headers[0]["Authorization"] == "Bearer sk-test-not-a-key"
    prompt = json.loads(request["messages"][0]["content"])
    assert [c["event_id"] for c in prompt["candidates"]] == ["event_004", "event_009"]  # the short list only
    # One segment's worth once code adds "Cuculi: ", " <link>" and " Reply STOP to opt out"; today's date and when.
    assert prompt["candidates"][0]["character_budget"] == 160 - 8 - 1 - len("https://cucu.li/bookings/event_004") - 22
    assert prompt["today"] == "Wednesday Feb 14, 2024"
    assert [c["when"] for c in prompt["candidates"]] == ["Friday at 7:30pm", "Sun Feb 18 at 6pm"]
    assert [c["hook"] for c in prompt["candidates"]] == ["cooking", None]


@pytest.mark.parametrize(
    ("step", "error"),
    [
        (("text", "Sure! Here is your SMS: Hi Sarah"), "invalid JSON"),
        (("text", '{"event_id": "event_004", "message": "Hi"'), "invalid JSON"),  # truncated
        (("refusal",), "stopped: refusal"),
        (("draft", {"event_id": "event_777", "message": "Hi", "reasoning": "", "confidence": 50}), "not a candidate"),
    ],
)
def test_unusable_answers_become_errors_not_crashes(step, error):
    fake = FakeMessagesAPI([step])
    with fake.serve() as url:
        (draft,) = writer(url).write([brief()])
    assert draft.body is None and error in draft.error
    assert draft.input_tokens + draft.cache_write_tokens > 2000  # usage is still counted


@pytest.mark.parametrize("status,kind", [(429, "rate_limit_error"), (529, "overloaded_error"), (500, "api_error")])
def test_the_sdk_retries_rate_limits_overload_and_server_errors(status, kind):
    fake = FakeMessagesAPI([(status, kind)])
    with fake.serve() as url:
        (draft,) = writer(url).write([brief()])
    assert draft.error is None and len(fake.requests) == 2


def test_an_outage_ends_in_an_error_after_the_retries():
    fake = FakeMessagesAPI([(529, "overloaded_error")] * 3)
    with fake.serve() as url:
        (draft,) = writer(url, max_retries=2).write([brief()])
    assert "OverloadedError" in draft.error and len(fake.requests) == 3


def test_answers_that_trickle_in_end_the_round_at_the_deadline_naming_claude():
    # One byte every 0.1 s: each arrives well inside the 2 s read timeout, the answer never does (23 s).
    fake = FakeMessagesAPI(faults=FaultPlan(rate=1.0, kinds=("trickle",), stall_seconds=0.1))
    with fake.serve() as url:
        slow = writer(url, timeout_seconds=2.0, deadline_seconds=0.5, max_concurrency=4, outage_after_failures=3)
        started = time.monotonic()
        drafts = slow.write([brief(f"user_{n}") for n in range(12)])
        waited = time.monotonic() - started
    assert all(d.unavailable and d.body is None for d in drafts)
    assert drafts[0].error == "ClaudeDeadlineExceeded: Claude sent no full answer within 0.5 s"
    # The first round of 4 calls, and at most 2 more before the third failure opens the breaker; none asked again.
    assert 4 <= fake.faults.requests <= 6
    assert waited < 2  # one deadline, not one per retry, nor the 23 s the answers take


def test_retry_after_is_obeyed_only_up_to_its_cap():
    fake = FakeMessagesAPI(faults=FaultPlan(script=["429"], retry_after="120"))
    with fake.serve() as url:
        started = time.monotonic()
        (draft,) = writer(url, retry_after_cap_seconds=0.2).write([brief()])
    assert draft.error is None and fake.faults.requests == 2
    assert 0.2 <= time.monotonic() - started < 5  # waited the cap, not two minutes


def test_calls_run_concurrently_within_the_limit():
    fake = FakeMessagesAPI(latency=0.1)
    with fake.serve() as url:
        drafts = writer(url, max_concurrency=4).write([brief(f"user_{n}") for n in range(16)])
    assert all(d.error is None for d in drafts) and [d.user_id for d in drafts] == [f"user_{n}" for n in range(16)]
    assert 2 <= fake.max_in_flight <= 4


class MemoryLedger(dict):
    def get(self, key):
        return super().get(key)

    def set(self, key, value):
        self[key] = value


def batch_writer(url: str, **options) -> ClaudeWriter:
    return writer(url, batch_above_members=2, batch_poll_seconds=0.01, **options)


def test_above_the_threshold_one_message_batch_at_half_the_price():
    briefs = [brief(f"user_{index:03d}") for index in range(5)]
    fake = FakeMessagesAPI(batch_polls_until_ended=3)
    with fake.serve() as url:
        drafts = batch_writer(url).write(briefs, MemoryLedger())
        (direct,) = writer(url).write(briefs[:1])
    batch_posts = [request for request in fake.requests if "requests" in request]
    assert len(batch_posts) == 1 and len(batch_posts[0]["requests"]) == 5  # one batch, no single calls
    assert len(fake.requests) == 2
    assert [draft.user_id for draft in drafts] == [b.user_id for b in briefs]
    assert all(draft.error is None and draft.event_id == "event_004" for draft in drafts)
    assert drafts[1].cost_usd == pytest.approx(direct.cost_usd / 2)  # the batch discount, both reading the cache


def test_a_crashed_run_resumes_polling_its_batch_instead_of_submitting_again():
    briefs = [brief(f"user_{index:03d}") for index in range(3)]
    fake, ledger = FakeMessagesAPI(batch_polls_until_ended=1000), MemoryLedger()
    with fake.serve() as url:
        with pytest.raises(TimeoutError, match="re-run"):
            batch_writer(url, batch_timeout_seconds=0.05).write(briefs, ledger)
        (batch_id,) = ledger.values()
        fake.batch_polls_until_ended = 0  # the batch ends while nobody watches
        drafts = batch_writer(url).write(briefs, ledger)
    assert len(fake.batches) == 1 and batch_id in fake.batches
    assert all(draft.body for draft in drafts)


def test_unusable_batch_results_become_errors_for_the_regeneration_round():
    bad = {"event_id": "event_777", "message": "Hi", "reasoning": "", "confidence": 50}
    fake = FakeMessagesAPI([("text", "not json"), ("draft", bad), (500, "api_error")])
    with fake.serve() as url:
        drafts = batch_writer(url).write([brief(f"user_{index}") for index in range(4)], MemoryLedger())
    assert "invalid JSON" in drafts[0].error and "not a candidate" in drafts[1].error
    assert drafts[2].error == "batch result errored" and drafts[3].error is None


def review(body: str = "Sarah, cooking fans start here: Dumpling Workshop, Friday at 7:30pm. Save a seat:"):
    return Review(brief(), EVENTS[0], body)


def test_the_judge_asks_the_judge_model_for_a_validated_verdict_at_its_prices():
    verdict = {"tone": 5, "personal": 2, "natural": 7, "call_to_action": 0, "fit": 4, "issues": ["personal: thin"],
               "approved": False, "improved_message": " Sarah, a better one: "}  # fmt: skip
    fake = FakeMessagesAPI(judge_script=[verdict])
    with fake.serve() as url:
        (judgement,) = writer(url).judge([review()])
    (request,) = fake.requests
    assert request["model"] == "claude-haiku-4-5" and request["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert set(request["output_config"]["format"]["schema"]["required"]) >= {"approved", "improved_message", "issues"}
    assert judgement.scores == {"tone": 5, "personal": 2, "natural": 5, "call_to_action": 1, "fit": 4}  # clamped
    assert judgement.issues == ("personal: thin",) and not judgement.approved and judgement.model == "claude-haiku-4-5"
    assert judgement.improved_message == "Sarah, a better one:" and judgement.error is None
    # Below Haiku's 4,096-token cacheable minimum: every token is plain input, at $1 / $5 per million.
    assert judgement.cache_write_tokens == judgement.cache_read_tokens == 0 and judgement.calls == 1
    assert judgement.cost_usd == pytest.approx((judgement.input_tokens * 1 + judgement.output_tokens * 5) / 1e6)


def test_a_judge_that_cannot_answer_leaves_the_local_signals_verdict_and_says_why():
    fake = FakeMessagesAPI(judge_script=[{"approved": "maybe"}])
    with fake.serve() as url:
        (judgement,) = writer(url).judge([review("Sarah, Dumpling Workshop, Friday at 7:30pm:")])
    assert "invalid JSON" in judgement.error and judgement.model == "local" and judgement.calls == 1
    assert judgement.scores["call_to_action"] <= 2  # the bare facts, as the local judge reads them
    assert "call_to_action: ends without an invitation" in judgement.issues


def test_above_the_threshold_the_judge_sends_one_message_batch():
    fake = FakeMessagesAPI(batch_polls_until_ended=1)
    with fake.serve() as url:
        judgements = batch_writer(url).judge([review() for _ in range(4)], MemoryLedger())
    assert len(fake.batches) == 1 and len(fake.reviews) == 4
    assert all(j.approved and j.error is None and j.cost_usd > 0 for j in judgements)
