"""The benchmark command end to end at a tiny size: data generated once and cached, one report per run."""

from __future__ import annotations

import json

from cucu_pipeline.bench.__main__ import cached_data, main
from cucu_pipeline_tests.test_definitions import ASSET_KEYS


def test_the_benchmark_reports_every_asset_and_every_target(tmp_path, capsys):
    arguments = ["--users", "400", "--events", "300", "--repeat", "1", "--cache", str(tmp_path / "cache"),
                 "--out", str(tmp_path / "out")]  # fmt: skip
    main(arguments)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(report["targets"]) == {"raw_to_enriched_seconds", "matching_writer_checks_seconds", "peak_rss_mib",
                                      "scaling_10x_members"}  # fmt: skip
    baseline, full = report["sizes"]["baseline"], report["sizes"]["full"]
    assert (baseline["users"], full["users"]) == (40, 400)
    assert set(full["seconds"]) == set(full["rows"]) == ASSET_KEYS
    assert full["rows"]["raw_users"] > baseline["rows"]["raw_users"] and full["peak_rss_mib"] > 100
    assert "| matched_messages |" in capsys.readouterr().out
    assert (tmp_path / "out" / "report.md").read_text().startswith("Campaign date 2025-06-15")
    cached = sorted(path.name for path in (tmp_path / "cache").iterdir())
    assert cached == ["users40-events30-seed7", "users400-events300-seed7"]
    exported = tmp_path / "cache" / cached[1] / "raw" / "users.json"
    written = exported.stat().st_mtime_ns
    assert cached_data(tmp_path / "cache", 400, 300, 7) == exported.parents[1]  # a second run reuses the data
    assert exported.stat().st_mtime_ns == written
