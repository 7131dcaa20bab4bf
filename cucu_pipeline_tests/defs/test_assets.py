"""The assets through Dagster on the bundled sample data, local resources, as of several campaign dates."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.definitions import ASSETS as GRAPH
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # whole-graph runs on sample dates

# The sources and profiles groups: everything up to the enriched profiles.
ASSETS = [asset for asset in GRAPH if set(asset.group_names_by_key.values()) <= {"sources", "profiles"}]
TODAY = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()
FIXED_DATES = ["2024-02-10", "2025-06-15"]
UNMASKED_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}|\+1\d{10}|\(\d{3}\) \d{3}-\d{4}")


def materialize(data_dir, partition_key: str) -> dg.ExecuteInProcessResult:
    resources = build_resources({"CUCU_DATA_DIR": str(data_dir)})
    return dg.materialize(
        ASSETS, resources=resources, partition_key=partition_key, instance=dg.DagsterInstance.ephemeral()
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dg.ExecuteInProcessResult]:
    data_dir = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE_RAW, data_dir / "raw")
    return {date: materialize(data_dir, date) for date in [TODAY, *FIXED_DATES]}


def metadata_of(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(asset)]
    return {key: getattr(value, "value", value) for key, value in event.materialization.metadata.items()}


@pytest.mark.parametrize("date", [TODAY, *FIXED_DATES])
def test_every_status_segment_and_campaign_audience_occurs(runs, date):
    members = runs[date].output_for_node("enriched_users")
    events = runs[date].output_for_node("enriched_events")
    assert set(members["primary_status"]) == {
        "new_user",
        "signed_up_online",
        "never_attended",
        "dormant_60_days",
        "active_recent",
        "active_regular",
    }
    assert set(members["engagement_tier"]) == {"high", "medium", "low"}
    assert set(members["user_segment"]) == {
        "new_online_signup",
        "new_app_user",
        "first_timer",
        "active_regular",
        "dormant",
        "churned",
    }
    # The audiences of the three campaigns: newcomers, dormant members, and events that need filling.
    assert (members["event_count"] <= 2).any() and (members["days_since_last_event"] >= 31).any()
    assert events["has_low_occupancy"].any() and not events["has_low_occupancy"].all()
    assert members["friends"].map(len).gt(0).any() and members["invited_event_names"].map(len).gt(0).any()


@pytest.mark.parametrize(
    "asset", ["raw_users", "raw_events", "raw_orders", "raw_messages", "qualified_users", "qualified_events"]
)
def test_counts_reconcile_and_name_their_reasons(runs, asset):
    metadata = metadata_of(runs[TODAY], asset)
    label = "rejected" if asset.startswith("raw_") else "excluded"
    by_reason = {
        key: value for key, value in metadata.items() if key.startswith(f"{label}_") and isinstance(value, int)
    }
    assert metadata["loaded"] == metadata["kept"] + metadata[label] == metadata["kept"] + sum(by_reason.values())
    assert metadata["dagster/row_count"] == metadata["kept"] == len(runs[TODAY].output_for_node(asset))
    assert by_reason, "the sample data holds bad records and excluded rows on purpose"


def test_sample_data_exercises_every_rejection_and_exclusion_reason(runs):
    seen = set()
    for date in runs:
        for asset in ["raw_users", "raw_events", "raw_orders", "raw_messages", "qualified_users", "qualified_events"]:
            seen |= {
                key.split("_", 1)[1]
                for key in metadata_of(runs[date], asset)
                if key.startswith(("rejected_", "excluded_"))
            }
    expected = {
        "missing_id",
        "duplicate_id",
        "invalid_email",
        "unparseable_date",
        "wrong_type",
        "not_a_document",
        "missing_user",
        "missing_date",
        "not_signed_up_yet",
        "team_member",
        "opted_out",
        "missing_interests",
        "missing_phone",
        "invalid_phone",
        "pending_queued_message",
        "cooldown",
        "duplicate_person",
        "already_started",
        "beyond_horizon",
        "not_public",
        "canceled",
        "full",
        "missing_start_date",
    }
    assert expected <= seen


def test_partitions_are_as_of_their_date(runs):
    for date in FIXED_DATES:
        reference = pd.Timestamp(f"{date}T10:00", tz="America/Los_Angeles")
        members = runs[date].output_for_node("enriched_users")
        events = runs[date].output_for_node("enriched_events")
        assert (members["last_event_date"].dropna() < reference).all()
        assert (members["last_order_date"].dropna() < reference).all()
        assert (pd.to_datetime(members["last_message_sent_date"].dropna()) < reference.tz_localize(None)).all()
        assert (events["start_date"] > reference).all()
        assert (events["start_date"] <= reference + pd.Timedelta(days=30)).all()
        assert (events["spots_left"] > 0).all()


def test_metadata_never_shows_a_phone_or_an_email(runs):
    for date, result in runs.items():
        for event in result.get_asset_materialization_events():
            text = repr(event.materialization.metadata)
            assert not UNMASKED_CONTACT.search(text), (date, event.asset_key)
        assert "•••" in repr(metadata_of(result, "enriched_users")["preview"])


def test_rerunning_a_partition_gives_the_same_tables(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    first, second = materialize(tmp_path, "2025-06-15"), materialize(tmp_path, "2025-06-15")
    for asset in ["qualified_users", "qualified_events", "enriched_users", "enriched_events"]:
        pd.testing.assert_frame_equal(first.output_for_node(asset), second.output_for_node(asset))


def test_a_broken_export_file_fails_the_run_with_a_clear_message(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    (tmp_path / "raw" / "events.json").unlink()
    result = dg.materialize(
        ASSETS,
        resources=build_resources({"CUCU_DATA_DIR": str(tmp_path)}),
        partition_key="2025-06-15",
        raise_on_error=False,
    )
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == "raw_events" and "No export at" in str(failure.step_failure_data.error)
    # A missing file is not an outage: no retry waits for it.
    assert not [event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"]


def test_sample_data_gives_every_profile_field_a_value(runs):
    from cucu_pipeline_tests.profiles.test_event_profiles import PROFILE_FIELDS as EVENT_FIELDS
    from cucu_pipeline_tests.profiles.test_member_profiles import PROFILE_FIELDS as USER_FIELDS

    # Qualification settles these for every enriched member (the Sarah golden case covers both outcomes).
    settled = {"has_queued_messages": {False}, "is_on_team": {False}, "can_send_new_message": {True}}
    for asset, fields in (("enriched_users", USER_FIELDS), ("enriched_events", EVENT_FIELDS)):
        frame = runs[TODAY].output_for_node(asset)
        for field in fields:
            column = frame[field]
            if field in settled:
                assert set(column) == settled[field], field
            elif column.dtype == bool or str(column.dtype) == "boolean":
                assert set(column.dropna()) == {True, False}, (asset, field)  # both outcomes occur
            else:
                values = column.dropna()
                assert values.map(lambda value: not isinstance(value, (list, str)) or len(value) > 0).any(), (
                    asset,
                    field,
                )
