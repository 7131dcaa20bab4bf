"""Faults survived: Airtable and the Messages API answering with rate limits, server errors, stalls, dropped
connections, garbled bodies and failed batch entries; Claude down altogether. Every ready text is still published
exactly once, and an outage makes the run fall back to the template and say so."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from itertools import chain

import dagster as dg
import pytest

from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.campaign.test_publishing import DAY, airtable, record
from cucu_pipeline_tests.clients.test_claude import brief, writer
from cucu_pipeline_tests.conftest import RELIABILITY, production_environment, reconfigured
from cucu_pipeline_tests.defs.test_campaign_assets import DATE, check_outcomes
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.faults import AIRTABLE_KINDS, BODY_FAULTS, FAULT_KINDS, FaultPlan
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI
from cucu_pipeline_tests.services import free_port

STALL = 0.6  # seconds a stalled answer takes, twice the clients' read timeout below


def every_kind_then(kinds: tuple[str, ...], rate: float, seed: int) -> FaultPlan:
    """Each kind once, between successful requests (so no request exhausts its retries), then `rate` at random."""
    script = list(chain.from_iterable((kind, None) for kind in kinds))
    return FaultPlan(rate=rate, kinds=kinds, seed=seed, script=script, stall_seconds=STALL)


def tally(*plans: FaultPlan) -> int:
    injected = sum(plan.total for plan in plans)
    RELIABILITY["faults injected"] += injected
    return injected


def published_once(records: list[dict], expected_keys: set[str]) -> None:
    """Every expected text in the store exactly once: counts what was lost and duplicated, then insists on none."""
    keys = Counter(item["fields"]["message_key"] for item in records)
    RELIABILITY["records lost"] += len(expected_keys - set(keys))
    RELIABILITY["duplicates"] += sum(count - 1 for count in keys.values())
    assert set(keys) == expected_keys, "a text is missing from Airtable, or one that should not be there is"
    assert max(keys.values()) == 1, "a text is in Airtable twice"


def faulty_store(url: str):
    return reconfigured(airtable(url), read_timeout_seconds=STALL / 2)


@pytest.mark.parametrize("kind", AIRTABLE_KINDS)
def test_each_airtable_fault_is_survived_on_a_read_and_a_write(kind):
    """The publish's listing, its write, and a later fetch each meet the fault once."""
    fake = FakeAirtable(faults=FaultPlan(script=[kind, None, kind, None, kind], stall_seconds=STALL))
    records = [record(f"u{n}") for n in range(5)]
    with fake.serve() as url:
        outcomes = faulty_store(url).publish(records, DAY, 7)
        fetched = faulty_store(url).fetch_records()
    assert sorted(item["fields"]["message_key"] for item in fake.records) == sorted(r["message_key"] for r in records)
    assert len(outcomes) == len(fetched) == 5 and fake.faults.injected == {kind: 3}
    tally(fake.faults)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_messages_api_fault_is_survived(kind):
    fake = FakeMessagesAPI(faults=FaultPlan(script=[kind], stall_seconds=STALL))
    with fake.serve() as url:
        (draft,) = writer(url, timeout_seconds=STALL / 2).write([brief()])
    assert draft.error is None and fake.faults.injected == {kind: 1}
    tally(fake.faults)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_airtable_under_faults_publishes_each_record_exactly_once(seed):
    fake = FakeAirtable(faults=every_kind_then(AIRTABLE_KINDS, rate=0.2, seed=seed))
    records = [record(f"u{n:03d}") for n in range(95)]
    with fake.serve() as url:
        outcomes = faulty_store(url).publish(records, DAY, 7)
        fetched = faulty_store(url).fetch_records()
    published_once(fake.records, {r["message_key"] for r in records})
    assert {o.message_key for o in outcomes} == {r["message_key"] for r in records} and {
        o.outcome for o in outcomes
    } <= {"created", "updated"}
    assert len(fetched) == 95
    assert set(fake.faults.injected) == set(AIRTABLE_KINDS) and tally(fake.faults) >= len(AIRTABLE_KINDS)


def test_claude_under_faults_answers_every_brief():
    fake = FakeMessagesAPI(faults=every_kind_then(FAULT_KINDS, rate=0.2, seed=4))
    with fake.serve() as url:
        drafts = writer(url, max_retries=6, timeout_seconds=STALL / 2, max_concurrency=4).write(
            [brief(f"user_{n:02d}") for n in range(30)]
        )
    assert [d.error for d in drafts] == [None] * 30 and not any(d.unavailable for d in drafts)
    assert set(fake.faults.injected) == set(FAULT_KINDS) and tally(fake.faults) >= 8


def production(monkeypatch, data_dir, claude_url: str, airtable_url: str, **claude_options) -> dict:
    """Both production clients, pointed at the fakes; secrets reach the resources only through the environment."""
    environ = production_environment(monkeypatch, data_dir, claude_url, airtable_url)
    resources = build_resources(environ)
    resources["airtable"] = faulty_store(airtable_url)
    resources["claude"] = reconfigured(
        resources["claude"], timeout_seconds=STALL / 2, batch_poll_seconds=0.01, **claude_options
    )
    return resources


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    write_exports(generate(users=300, events=500, seed=11), folder / "raw")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("batch_above", [-1, 20], ids=["single_calls", "message_batches"])
def test_the_whole_graph_under_twenty_percent_faults_publishes_every_ready_text_exactly_once(
    monkeypatch, small_data, batch_above
):
    claude = FakeMessagesAPI(faults=every_kind_then(FAULT_KINDS, rate=0.2, seed=5))
    table = FakeAirtable(faults=every_kind_then(AIRTABLE_KINDS, rate=0.2, seed=6))
    with claude.serve() as claude_url, table.serve() as airtable_url:
        resources = production(
            monkeypatch, small_data, claude_url, airtable_url, max_retries=6, batch_above_members=batch_above
        )
        runs = [dg.materialize(ASSETS, resources=resources, partition_key=DATE) for _ in range(2)]  # and a re-run
    assert all(result.success for result in runs)
    RELIABILITY["runs under faults survived"] += len(runs)
    messages = runs[0].output_for_node("matched_messages")
    recorded = messages["status"].isin(["ready", "fallback", "holdout"])  # the experiment's holdouts are recorded too
    publishable = set(messages.loc[recorded, "user_id"])
    assert len(publishable) > 50
    published_once(table.records, {f"{DATE}:{user}" for user in publishable})
    assert {item["fields"]["status"] for item in table.records} == {"queued", "holdout"}
    # Every hard rule and the writer hold; a judge answer lost in a batch's faults is scored by the local judge, and
    # the judge's WARN counts exactly those texts.
    judged_locally = ("judge_available", "quality_gate")
    for result in runs:
        outcomes = check_outcomes(result)
        assert all(passed for name, passed in outcomes.items() if name not in judged_locally), outcomes
        stood_in = int(result.output_for_node("matched_messages")["judge_unavailable"].sum())
        (judge,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "judge_available"]
        assert judge.passed == (stood_in == 0) and judge.metadata["judge_unavailable"].value == stood_in
    assert tally(claude.faults, table.faults) >= 40


def outage_run(monkeypatch, small_data, claude_url: str, airtable_url: str, **claude_options):
    resources = production(monkeypatch, small_data, claude_url, airtable_url, max_retries=2, **claude_options)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(ASSETS, resources=resources, partition_key=DATE, instance=instance)
    return result, instance


def assert_fell_back_and_said_so(
    result: dg.ExecuteInProcessResult, table: FakeAirtable, instance: dg.DagsterInstance
) -> None:
    matched = result.output_for_node("matched_messages")
    messages = matched[matched["status"] != "holdout"]  # the experiment's holdout is never written
    assert result.success and len(messages) > 50
    skipped = messages.loc[messages["status"] == "skipped", "skip_reason"].tolist()
    assert set(messages["status"]) == {"fallback"} and messages["writer_unavailable"].all(), skipped[:3]
    (warning,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "writer_available"]
    assert not warning.passed and warning.severity == dg.AssetCheckSeverity.WARN
    assert warning.metadata["writer_unavailable"].value == len(messages) and warning.metadata["most_common_error"].value
    materialization = result.asset_materializations_for_node("matched_messages")[0]
    assert materialization.metadata["writer_unavailable"].value == len(messages)
    assert len(table.records) == len(matched)  # the template texts were published, the holdouts recorded
    # The judge was down too: the local judge scored every text, and the run says so for both.
    assert messages["judge_unavailable"].all() and messages["quality_score"].notna().all()
    assert materialization.metadata["judge_unavailable"].value == len(messages)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["judge_available"].passed and checks["judge_available"].severity == dg.AssetCheckSeverity.WARN
    assert not checks["quality_gate"].passed and checks["quality_gate"].metadata["judge_unavailable"].value > 0
    warned = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING and entry.step_key == "matched_messages"
    ]
    assert [m for m in warned if "writer was unavailable" in m] and [m for m in warned if "judge was unavailable" in m]
    assert len(warned) == 2, warned  # one line each, not one per text


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["529", "stall"])
def test_a_claude_outage_falls_back_to_the_template_without_calling_for_every_member(monkeypatch, small_data, kind):
    claude, table = FakeMessagesAPI(faults=FaultPlan(rate=1.0, kinds=(kind,), stall_seconds=STALL)), FakeAirtable()
    with claude.serve() as claude_url, table.serve() as airtable_url:
        result, instance = outage_run(monkeypatch, small_data, claude_url, airtable_url, max_concurrency=4)
    assert_fell_back_and_said_so(result, table, instance)
    RELIABILITY["runs under faults survived"] += 1
    # The breaker opens after five unavailable answers: at most the calls already in flight follow, each with
    # the SDK's retries, instead of three tries for each of the members.
    assert claude.faults.requests <= (5 + 4) * 3 < 3 * len(result.output_for_node("matched_messages"))
    tally(claude.faults)


@pytest.mark.slow
def test_claude_answers_that_trickle_in_end_the_step_at_the_deadline(monkeypatch, small_data):
    """One byte every 0.1 s, each inside the 0.3 s read timeout: each answer would take 23 s to arrive."""
    claude, table = FakeMessagesAPI(faults=FaultPlan(rate=1.0, kinds=("trickle",), stall_seconds=0.1)), FakeAirtable()
    instance = dg.DagsterInstance.ephemeral()
    with claude.serve() as claude_url, table.serve() as airtable_url:
        resources = production(
            monkeypatch, small_data, claude_url, airtable_url, max_concurrency=4, deadline_seconds=0.5
        )
        result = dg.materialize(ASSETS, resources=resources, partition_key=DATE, instance=instance)
    assert_fell_back_and_said_so(result, table, instance)
    RELIABILITY["runs under faults survived"] += 1
    (warning,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "writer_available"]
    assert "Claude sent no full answer within 0.5 s" in warning.metadata["most_common_error"].value
    assert claude.faults.requests <= 5 + 4  # until the breaker opened, and none asked again
    (step,) = [s for s in instance.get_run_step_stats(result.run_id) if s.step_key == "matched_messages"]
    assert step.end_time - step.start_time < 15  # one deadline, not the 23 s of a single answer
    tally(claude.faults)


@pytest.mark.slow
def test_claude_unreachable_falls_back_to_the_template(monkeypatch, small_data):
    table = FakeAirtable()
    with table.serve() as airtable_url:
        result, instance = outage_run(monkeypatch, small_data, f"http://127.0.0.1:{free_port()}", airtable_url)
    assert_fell_back_and_said_so(result, table, instance)
    RELIABILITY["runs under faults survived"] += 1


@pytest.mark.slow
def test_a_failed_message_batch_falls_back_to_the_template(monkeypatch, small_data):
    claude, table = FakeMessagesAPI(faults=FaultPlan(rate=1.0, kinds=("500",))), FakeAirtable()
    with claude.serve() as claude_url, table.serve() as airtable_url:
        result, instance = outage_run(monkeypatch, small_data, claude_url, airtable_url, batch_above_members=20)
    assert_fell_back_and_said_so(result, table, instance)
    RELIABILITY["runs under faults survived"] += 1
    tally(claude.faults)


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_a_date_its_rerun_and_the_next_date_under_faults_of_every_kind_publish_each_text_exactly_once(
    monkeypatch, small_data, rate
):
    """Airtable answers 429s, 5xx, stalls, drops, garbled, empty, truncated and `null` bodies; the Messages API its
    own faults. The table starts empty; the re-run updates, the next date respects the cooldown."""
    claude = FakeMessagesAPI(faults=FaultPlan(rate=rate, kinds=FAULT_KINDS, seed=7, stall_seconds=STALL))
    kinds = (*AIRTABLE_KINDS, *BODY_FAULTS)
    table = FakeAirtable(faults=FaultPlan(rate=rate, kinds=kinds, seed=8, stall_seconds=STALL))
    next_date = (dt.date.fromisoformat(DATE) + dt.timedelta(days=1)).isoformat()
    with claude.serve() as claude_url, table.serve() as airtable_url:
        resources = production(monkeypatch, small_data, claude_url, airtable_url, max_retries=6)
        runs = [dg.materialize(ASSETS, resources=resources, partition_key=day) for day in (DATE, DATE, next_date)]
    assert all(result.success for result in runs)
    RELIABILITY["runs under faults survived"] += len(runs)
    expected = set()
    for result, day in zip(runs, (DATE, DATE, next_date)):
        messages = result.output_for_node("matched_messages")
        published = result.output_for_node("published_messages")
        written = published.loc[published["outcome"].isin(["created", "updated"]), "user_id"]
        expected |= {f"{day}:{user}" for user in written}
        assert set(written) == set(messages.loc[messages["status"].isin(["ready", "fallback", "holdout"]), "user_id"])
    published_once(table.records, expected)
    assert tally(claude.faults, table.faults) >= 10
