"""The benchmark command end to end at a tiny size: data generated once and cached, one report per run."""

from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import TARGETS, cached_data, main
from benchmarks.measure import STEP_ASSETS
from cucu_pipeline.defs.schedules import daily_campaign_job
from cucu_pipeline_tests.defs.test_definitions import ASSET_KEYS

pytestmark = pytest.mark.slow  # the benchmark


def test_the_benchmark_reports_every_asset_and_every_target(tmp_path, capsys):
    arguments = [
        "--users",
        "400",
        "--events",
        "300",
        "--repeat",
        "1",
        "--cache",
        str(tmp_path / "cache"),
        "--out",
        str(tmp_path / "out"),
        "--legacy-users",
        "200",
        "--claude-members",
        "20",
        "--claude-latency",
        "0.05",
        "--airtable-per-day",
        "30",
        "--million",  # here ten times 400 members
    ]
    main(arguments)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(report["targets"]) == set(TARGETS)
    assert all(set(target) == {"measured", "target", "met"} for target in report["targets"].values())
    baseline, full = report["sizes"]["baseline"], report["sizes"]["full"]
    assert report["sizes"]["legacy"]["users"] == 200 and report["legacy"]["rows"]["enriched_users"] > 0
    assert report["targets"]["cli_sample_data_seconds"]["measured"] > 1
    assert full["allocation_seconds"] > 0 and 0 < full["texts_per_open_seat_max"] <= 5  # the seat caps hold
    assert "seat allocation s" in (tmp_path / "out" / "report.md").read_text()
    assert full["one_segment_share"] >= 0.9 and 0 < full["cost_per_1000_texts_usd"] < 2 * 8.3  # template: SMS only
    assert "one-segment share" in (tmp_path / "out" / "report.md").read_text()
    claude = report["claude"]
    assert (
        10 <= claude["members"] <= 20 and claude["concurrent"]["calls_per_message"] >= 1
    )  # matched of 400, at most 20
    assert claude["one_segment_share"] >= 0.9 and claude["sms_and_claude_per_1000_texts_usd"] > 8.3
    assert claude["concurrent"]["judge_calls_per_message"] >= 1  # every text judged, its cost counted
    assert (
        0
        < claude["concurrent"]["judge_cost_per_1000_messages_usd"]
        < claude["concurrent"]["cost_per_1000_messages_usd"]
    )
    assert claude["batch"]["cost_per_1000_messages_usd"] == pytest.approx(
        claude["concurrent"]["cost_per_1000_messages_usd"] / 2
    )
    assert (baseline["users"], full["users"], report["sizes"]["million"]["users"]) == (40, 400, 4000)
    growth = report["sizes"]["million"]["all_assets_seconds"] / full["all_assets_seconds"]
    assert report["targets"]["scaling_to_million"]["measured"] == round(growth, 2)
    assert "growth × |" in (tmp_path / "out" / "report.md").read_text()
    reads = report["airtable"]  # a run's Airtable requests do not grow with the table's age
    assert reads["same_outcomes"] and report["targets"]["airtable_requests_year_to_week"]["met"]
    assert reads["full_listing_requests_1_year"] == 110 and reads["requests_1_year"] <= 3 * reads["requests_1_week"]
    assert set(full["seconds"]) == set(STEP_ASSETS) and set(full["rows"]) == ASSET_KEYS  # a step may compute several
    assert full["job"] == daily_campaign_job.name and full["asset_check_seconds"] > 0  # the scheduled job, checks too
    assert full["rows"]["raw_users"] > baseline["rows"]["raw_users"] and full["peak_rss_mib"] > 100
    step_peaks = full["step_peak_rss_mib"]  # which step set the peak: sampled while each step ran
    assert set(step_peaks) == set(STEP_ASSETS) and 100 < max(step_peaks.values()) <= full["peak_rss_mib"]
    assert min(step_peaks.values()) > 100  # a step shorter than the sampling interval reads the sample before it
    assert "| matched_messages |" in capsys.readouterr().out
    assert set(full["storage_seconds"]) == ASSET_KEYS  # every stored value, timed both ways
    assert all(seconds > 0 for steps in full["storage_seconds"].values() for seconds in steps.values())
    assert "| all assets |" in (tmp_path / "out" / "report.md").read_text()
    assert (tmp_path / "out" / "report.md").read_text().startswith("Campaign date 2025-06-15")
    cached = sorted(path.name for path in (tmp_path / "cache").iterdir())
    assert cached == [
        "users200-events150-seed7",
        "users40-events30-seed7",
        "users400-events300-seed7",
        "users4000-events3000-seed7",
    ]
    exported = tmp_path / "cache" / "users400-events300-seed7" / "raw" / "users.json"
    written = exported.stat().st_mtime_ns
    assert cached_data(tmp_path / "cache", 400, 300, 7) == exported.parents[1]  # a second run reuses the data
    assert exported.stat().st_mtime_ns == written
