"""Seats and audience through the whole graph: on sample dates and generated data, no event gets more texts than its
cap, no singles event reaches a member who is not single, no alcohol-focused event a member not known to be 21+."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.campaign.matching import features
from cucu_pipeline.campaign.matching import matches as matching
from cucu_pipeline.campaign.matching.audience import SINGLE_STATUSES, alcohol_events, singles_events
from cucu_pipeline.campaign.matching.matches import caps_by_event
from cucu_pipeline.campaign.writing.attempts import publishable
from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.defs.test_campaign_assets import run

pytestmark = pytest.mark.slow  # whole-graph runs on sample dates

TODAY = dt.datetime.now(PACIFIC).date().isoformat()
DATES = ["2024-07-04", "2025-06-15", "2025-12-20", "2026-02-10", TODAY]


NONE = {"over_cap": [], "singles_to_others": [], "alcohol_to_unknown_or_under_21": []}


def _texted(result: dg.ExecuteInProcessResult) -> pd.DataFrame:
    """The publishable texts with the member's status and age, and whether the event is for singles or alcohol."""
    texts = publishable(result.output_for_node("matched_messages"))
    events = result.output_for_node("enriched_events")
    members = result.output_for_node("enriched_users").set_index("id")
    return texts.join(members[["relationship_status", "age"]], on="user_id").assign(
        singles_event=texts["event_id"].isin(events.loc[singles_events(events), "id"]),
        alcohol_event=texts["event_id"].isin(events.loc[alcohol_events(events), "id"]),
    )


def violations(result: dg.ExecuteInProcessResult) -> dict[str, list[str]]:
    """Texts that break a seat or audience rule, by rule."""
    texted = _texted(result)
    caps = caps_by_event(result.output_for_node("event_matches"))
    single = texted["relationship_status"].fillna("").str.lower().isin(SINGLE_STATUSES)
    adult = texted["age"].ge(21).fillna(False)
    return {
        "over_cap": sorted(event for event, count in texted["event_id"].value_counts().items() if count > caps[event]),
        "singles_to_others": sorted(texted.loc[texted["singles_event"] & ~single, "user_id"]),
        "alcohol_to_unknown_or_under_21": sorted(texted.loc[texted["alcohol_event"] & ~adult, "user_id"]),
    }


@pytest.mark.parametrize("date", DATES)
def test_sample_dates_keep_every_seat_and_audience_rule(sample_data_dir, date):
    result = run({"CUCU_DATA_DIR": str(sample_data_dir)}, date)
    found = violations(result)
    assert (
        found["over_cap"] == [] and found["singles_to_others"] == [] and found["alcohol_to_unknown_or_under_21"] == []
    )
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["event_capacity"]


def test_the_rules_bind_on_the_sample_data(sample_data_dir):
    """On this date singles and alcohol-focused events are texted (to their audience only) and seats run out."""
    result = run({"CUCU_DATA_DIR": str(sample_data_dir)}, "2026-02-10")
    texted = _texted(result)
    assert texted["singles_event"].sum() > 20 and texted["alcohol_event"].sum() > 100
    # 29 members on this date find every fitting table full (over 30 before paid orders counted as having been).
    assert result.output_for_node("event_matches")["skip_reason"].eq("event_capacity_reached").sum() > 20
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "event_matches"]
    metadata = event.materialization.metadata
    assert metadata["texts_per_open_seat_max"].value <= 5.0  # CUCU_INVITES_PER_SEAT
    assert metadata["excluded_pairs_audience_singles_only"].value > 0
    assert metadata["total_score"].value < metadata["uncapped_total_score"].value


def test_generated_data_keeps_every_seat_and_audience_rule(tmp_path):
    write_exports(generate(users=700, events=600, seed=23), tmp_path / "raw")
    found = violations(run({"CUCU_DATA_DIR": str(tmp_path)}, "2025-03-01"))
    assert (
        found["over_cap"] == [] and found["singles_to_others"] == [] and found["alcohol_to_unknown_or_under_21"] == []
    )


def test_broken_audience_rules_are_caught(sample_data_dir, monkeypatch):
    """With the audience rules switched off, the same measures find singles and alcohol texts to the wrong members."""
    monkeypatch.setattr(features, "single_members", lambda members: members["id"].notna().to_numpy())
    monkeypatch.setattr(features, "adult_members", lambda members: members["id"].notna().to_numpy())
    found = violations(run({"CUCU_DATA_DIR": str(sample_data_dir)}, "2026-02-10"))
    assert found["singles_to_others"] and found["alcohol_to_unknown_or_under_21"]


def test_a_broken_allocation_is_stopped_by_the_blocking_capacity_check(sample_data_dir, monkeypatch):
    """Every member given their top candidate, caps ignored: the check fails and nothing is published."""
    monkeypatch.setattr(
        matching, "allocate_seats", lambda candidates, scores, room: candidates.map(lambda c: 0 if c else -1)
    )
    result = run({"CUCU_DATA_DIR": str(sample_data_dir)}, "2026-02-10", raise_on_error=False)
    assert violations(result)["over_cap"]
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["event_capacity"] is False
    assert "published_messages" not in {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
