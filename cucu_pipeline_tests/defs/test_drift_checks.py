"""Drift checks through Dagster: a week of ordinary dates passes, and a morning when the source lost a field is
flagged (WARN, the campaign still goes out) naming the figures that moved."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import dagster as dg
import pytest

from cucu_pipeline.definitions import ASSETS, defs
from cucu_pipeline.defs.drift import DRIFT_CHECKS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # weeks of materialized dates

WEEK = [(dt.date(2026, 3, 1) + dt.timedelta(days=day)).isoformat() for day in range(8)]
# `qualified_users` and everything it reads: the drift checks of the sources and of the audience.
SELECTED = {
    key.path[-1] for key in dg.AssetSelection.assets("qualified_users").upstream().resolve(defs.resolve_asset_graph())
}


def drift_results(data_dir, instance: dg.DagsterInstance, date: str) -> dict[str, dg.AssetCheckEvaluation]:
    assets = [asset for asset in ASSETS if {key.path[-1] for key in asset.keys} & SELECTED]
    checks = [check for check in DRIFT_CHECKS if {key.asset_key.path[-1] for key in check.check_keys} <= SELECTED]
    result = dg.materialize(
        [*assets, *checks],
        resources=build_resources({"CUCU_DATA_DIR": str(data_dir)}),
        partition_key=date,
        instance=instance,
    )
    return {evaluation.asset_key.path[-1]: evaluation for evaluation in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def ordinary_week(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("drift")
    shutil.copytree(SAMPLE_RAW, data_dir / "raw")
    instance = dg.DagsterInstance.ephemeral()
    return data_dir, instance, [drift_results(data_dir, instance, date) for date in WEEK]


def test_an_ordinary_week_is_not_flagged(ordinary_week):
    _, _, week = ordinary_week
    assert [sorted(results) for results in week] == [
        ["qualified_users", "raw_events", "raw_orders", "raw_users"]
    ] * len(WEEK)
    assert [results["qualified_users"].metadata["history_dates"].value for results in week] == [0, 1, 2, 3, 4, 5, 6, 7]
    assert all(result.passed for results in week for result in results.values())
    assert "too few" in week[2]["qualified_users"].description and week[3]["qualified_users"].description is None


def test_a_source_that_lost_a_field_is_flagged_the_same_morning(ordinary_week):
    data_dir, instance, _ = ordinary_week
    users = json.loads((data_dir / "raw" / "users.json").read_text())
    lost = [{**user, "occupation": None} if isinstance(user, dict) else user for user in users]  # bad ones stay bad
    (data_dir / "raw" / "users.json").write_text(json.dumps(lost))
    morning = (dt.date.fromisoformat(WEEK[-1]) + dt.timedelta(days=1)).isoformat()
    flagged = drift_results(data_dir, instance, morning)["qualified_users"]
    assert not flagged.passed and flagged.severity == dg.AssetCheckSeverity.WARN
    drifted = flagged.metadata["drifted"].value.split(", ")
    assert set(drifted) == {"qualified_members", "excluded_share_missing_occupation"}
    assert flagged.metadata["qualified_members"].value == 0
    assert "excluded_share_missing_occupation" in flagged.description
    assert flagged.metadata["compared_with"].value == f"{WEEK[1]} to {WEEK[-1]}"  # the previous 7 dates


def test_every_drift_check_runs_with_the_daily_campaign():
    job_checks = defs.resolve_job_def("daily_campaign").asset_layer.asset_graph.asset_check_keys
    expected = {
        dg.AssetCheckKey(dg.AssetKey(asset), "drift")
        for asset in ["raw_users", "raw_events", "raw_orders", "qualified_users", "event_matches", "matched_messages"]
    }
    assert expected <= job_checks
