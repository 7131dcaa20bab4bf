"""The whole graph on the sample data: every text passes every hard rule, re-runs change nothing, partitions in
any order keep the cooldown, broken texts never reach Airtable, and the production clients work end to end."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.clients.prompt import STYLES
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs import campaign
from cucu_pipeline.defs.columns import COLUMNS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.conftest import SAMPLE_RAW, production_environment, reconfigured
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI

pytestmark = pytest.mark.slow  # whole-graph runs

DATE, THREE_DAYS_LATER = "2025-06-15", "2025-06-18"


def run(environ: dict, partition: str, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ASSETS,
        resources=build_resources(environ),
        partition_key=partition,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
    )


@pytest.fixture
def data_dir(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    return tmp_path


def pipeline_records(data_dir) -> list[dict]:
    """The records the runs wrote (with their checks), not the sample's past texts and simulated campaigns."""
    return [r["fields"] for r in LocalMessageStore(data_dir=str(data_dir)).fetch_records() if r["fields"].get("checks")]


def check_outcomes(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_every_text_passes_every_check_and_the_store_holds_one_row_per_member(data_dir):
    result = run({"CUCU_DATA_DIR": str(data_dir)}, DATE)
    checks = check_outcomes(result)
    assert len(checks) == 15 and all(checks.values())  # the quality gate and both parts of Claude included
    messages = result.output_for_node("matched_messages")
    # Every member gets a text: the writer's, or the template's that the quality gate put in its place and flagged.
    assert {"ready", "holdout"} <= set(messages["status"]) <= {"ready", "fallback", "holdout"}
    assert messages.loc[messages["status"].eq("fallback"), "needs_review"].all()
    assert set(messages["campaign"]) == {
        "Seat The Newcomer",
        "Return to Table",
        "Fill the Table",
    }
    assert messages["message"].str.len().max() <= 180 and messages["segments"].max() <= 2
    published = result.output_for_node("published_messages")
    records = pipeline_records(data_dir)
    assert Counter(r["message_key"] for r in records).most_common(1)[0][1] == 1
    # The sample store already holds a few texts keyed for this date: those are updated, never duplicated.
    assert len(records) == published["outcome"].isin(["created", "updated"]).sum()
    assert {r["status"] for r in records} == {"queued", "holdout"} and all(r["campaign_date"] == DATE for r in records)
    assert all(r["send_after"].startswith(f"{DATE}T10:00") and r["send_before"].startswith(f"{DATE}T") for r in records)
    # The experiment: a tenth of the matched members held out, recorded with their arm and never given a text.
    arms = Counter(r["arm"] for r in records)
    assert set(arms) == {"holdout", "warm", "playful"} and abs(arms["holdout"] / len(records) - 0.1) < 0.01
    assert all((r["status"] == "holdout") == (r["arm"] == "holdout") == (r["message"] == "") for r in records)


def test_every_table_has_exactly_its_documented_columns(data_dir):
    result = run({"CUCU_DATA_DIR": str(data_dir)}, DATE)
    for asset, columns in COLUMNS.items():
        assert list(result.asset_value(asset).columns) == list(columns), asset


def test_rerunning_a_date_changes_nothing(data_dir):
    first = run({"CUCU_DATA_DIR": str(data_dir)}, DATE)
    before = pipeline_records(data_dir)
    second = run({"CUCU_DATA_DIR": str(data_dir)}, DATE)
    pd.testing.assert_frame_equal(first.output_for_node("matched_messages"), second.output_for_node("matched_messages"))
    outcomes = second.output_for_node("published_messages")["outcome"]
    assert set(outcomes) <= {"updated", "skipped"} and (outcomes == "updated").sum() == len(before)
    assert pipeline_records(data_dir) == before


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == asset]
    return {key: getattr(value, "value", value) for key, value in event.materialization.metadata.items()}


def queued_texts(data_dir) -> dict[str, tuple]:
    """The texts the runs queued, with those a later run withdrew because their event had started by then."""
    return {
        r["message_key"]: (r["event_id"], r["message"], r["send_after"])
        for r in pipeline_records(data_dir)
        if r["status"] == "queued" or r.get("withdrawn_reason") == "event_started"
    }


def test_partitions_in_any_order_never_text_one_member_twice_and_the_earlier_date_keeps_its_texts(tmp_path):
    queued, still_queued = {}, {}
    for order in [(DATE, THREE_DAYS_LATER), (THREE_DAYS_LATER, DATE)]:
        data_dir = tmp_path / order[0]
        shutil.copytree(SAMPLE_RAW, data_dir / "raw")
        results = [run({"CUCU_DATA_DIR": str(data_dir)}, date) for date in order]
        queued[order] = queued_texts(data_dir)
        still_queued[order] = [r["message_key"] for r in pipeline_records(data_dir) if r["status"] == "queued"]
        if order[0] < order[1]:  # the later date sees the earlier texts (still queued) as history
            assert metadata(results[1], "qualified_users")["excluded_pending_queued_message"] > 500
            # ...and their invitations as outstanding: its caps leave room for them
            events = metadata(results[1], "event_matches")["events"]
            assert sum(record.data["outstanding"] for record in events.records) > 0
            # ...and withdraws the earlier texts for events that have started since: they can no longer be sent
            assert metadata(results[1], "published_messages")["withdrawn_event_started"] > 0
        else:  # the earlier date cannot see later texts (point in time): the publisher supersedes them
            assert metadata(results[1], "published_messages")["superseded_later_texts"] > 500
    forward, backward = queued.values()
    earlier = {key: text for key, text in forward.items() if key.startswith(DATE)}
    assert len(earlier) > 500 and earlier == {key: text for key, text in backward.items() if key.startswith(DATE)}
    for keys in still_queued.values():  # a withdrawn text never went out: its member may be texted later
        members = Counter(key.split(":")[1] for key in keys)
        assert members.most_common(1)[0][1] == 1


def test_a_broken_text_fails_its_checks_and_never_reaches_airtable(data_dir, monkeypatch):
    real = campaign.produce_messages

    def with_one_broken_text(matches, composer, writer, ledger=None, arms=None, threshold=3.5):
        messages = real(matches, composer, writer, ledger, arms, threshold)
        first = messages.index[messages["status"] == "ready"][0]
        messages.loc[first, "message"] = messages.loc[first, "message"].replace("Cuculi: ", "Cuculi: FREE MONEY!! ")
        return messages

    monkeypatch.setattr(campaign, "produce_messages", with_one_broken_text)
    result = run({"CUCU_DATA_DIR": str(data_dir)}, DATE, raise_on_error=False)
    checks = check_outcomes(result)
    assert not checks["clean_content"] and checks["facts_match_event"]
    assert not result.success
    assert "published_messages" not in {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert pipeline_records(data_dir) == []


def test_production_clients_end_to_end_against_local_peers(tmp_path, monkeypatch):
    # A smaller generated data set: Airtable's 5 requests/second is honoured here too.
    data_dir = tmp_path
    write_exports(generate(users=300, events=500, seed=11), data_dir / "raw")
    claude, table = FakeMessagesAPI(), FakeAirtable()
    with claude.serve() as claude_url, table.serve() as airtable_url:
        environ = production_environment(monkeypatch, data_dir, claude_url, airtable_url)
        result = run(environ, DATE)
        before_rerun = len(table.requests)
        rerun = run(environ, DATE)
    matched = result.output_for_node("matched_messages")
    messages = matched[matched["status"] != "holdout"]  # the experiment's holdout is never written
    assert len(messages) > 50 and (matched["status"] == "holdout").sum() > 0
    assert set(messages["status"]) == {"ready"} and set(messages["model"]) == {"claude-sonnet-4-6"}
    # One call to write and one to judge per written member per run.
    assert len(claude.requests) - len(claude.reviews) == len(claude.reviews) == 2 * len(messages)
    styles = {json.loads(request["messages"][0]["content"])["style"] for request in claude.requests}
    assert styles == set(STYLES)  # each variant of the experiment asks for its own style
    assert all("@" not in request["messages"][0]["content"] for request in claude.requests)
    assert metadata(result, "matched_messages")["input_tokens"] == messages["input_tokens"].sum() > 500 * len(messages)
    assert metadata(result, "matched_messages")["cost_usd"] > 0
    assert len(table.records) == len(matched)  # Airtable started empty: one record per member, held out or texted
    assert set(rerun.output_for_node("published_messages")["outcome"]) == {"updated"}
    # What each read cost of the plan's monthly requests: the steps' metadata counts the requests they sent.
    gets = [path for method, path in table.requests if method == "GET"]
    assert metadata(result, "raw_messages")["airtable_requests"] >= 1
    published, read = (metadata(rerun, name)["airtable_requests"] for name in ("published_messages", "raw_messages"))
    assert published >= 3 and read >= 1 and published + read <= len(table.requests) - before_rerun
    assert any("filterByFormula" in path for path in gets)


def test_no_orders_and_no_texts_yet_give_empty_histories_not_a_crash(data_dir):
    for name in ("orders", "messages"):
        (data_dir / "raw" / f"{name}.json").write_text("[]")
    result = run({"CUCU_DATA_DIR": str(data_dir)}, DATE)
    assert len(result.output_for_node("raw_orders")) == len(result.output_for_node("raw_messages")) == 0
    assert len(result.output_for_node("published_messages")) > 0  # members without history are still texted


@pytest.mark.parametrize("emptied", ["users", "events"])
def test_no_members_or_no_events_fail_the_run_instead_of_texting_nobody(data_dir, emptied):
    (data_dir / "raw" / f"{emptied}.json").write_text("[]")
    result = run({"CUCU_DATA_DIR": str(data_dir)}, DATE, raise_on_error=False)
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == f"raw_{emptied}"
    assert f"No {emptied}: the {emptied} collection (or its export) is empty" in str(failure.step_failure_data.error)
    assert "published_messages" not in {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}


def test_a_large_run_sends_one_message_batch_and_a_rerun_resumes_it_instead_of_paying_twice(data_dir, monkeypatch):
    claude = FakeMessagesAPI()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    with claude.serve() as url:
        environ = {
            "CUCU_DATA_DIR": str(data_dir),
            "ANTHROPIC_API_KEY": "sk-test",
            "ANTHROPIC_BASE_URL": url,
            "CUCU_CLAUDE_BATCH_ABOVE": "10",
        }
        resources = build_resources(environ)
        resources["claude"] = reconfigured(resources["claude"], batch_poll_seconds=0.01)
        with dg.DagsterInstance.ephemeral() as instance:  # one instance: its key-value store holds the batch id
            first, rerun = (
                dg.materialize(ASSETS, resources=resources, partition_key=DATE, instance=instance) for _ in range(2)
            )
            messages = first.output_for_node("matched_messages")
            assert rerun.output_for_node("matched_messages")["message"].tolist() == messages["message"].tolist()
    assert len(messages) > 10 and set(messages["status"]) == {"ready", "holdout"}
    # One batch to write and one to judge for the partition, both resumed on the re-run.
    assert len(claude.batches) == 2 and len(claude.requests) == 2
    assert messages["cost_usd"].sum() == pytest.approx(sum(batch_cost(batch) for batch in claude.batches.values()))


def batch_cost(batch: dict) -> float:
    """What a batch's answers cost at its model's list price, with the batch discount."""
    total = 0.0
    for result in batch["results"]:
        message = result["result"]["message"]
        prices = (1.0, 5.0) if message["model"] == "claude-haiku-4-5" else (3.0, 15.0)
        usage = message["usage"]
        uncached = usage["input_tokens"] + 1.25 * usage["cache_creation_input_tokens"]
        tokens = uncached + 0.1 * usage["cache_read_input_tokens"]
        total += (tokens * prices[0] + usage["output_tokens"] * prices[1]) / 1e6
    return total / 2
