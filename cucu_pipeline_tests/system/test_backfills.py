"""Backfills from the CLI, exactly as the README documents them: one queued run per campaign date, run in parallel
by the daemon under this repo's `dagster.yaml`, with the same texts queued as running the dates one by one."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from cucu_pipeline.definitions import defs
from cucu_pipeline_tests.conftest import REPO, SAMPLE_RAW
from cucu_pipeline_tests.defs.test_campaign_assets import pipeline_records, run
from cucu_pipeline_tests.defs.test_definitions import ASSET_KEYS
from cucu_pipeline_tests.services import dagster_daemon, executable, finished_runs

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

DATES = ["2025-06-13", "2025-06-14", "2025-06-15"]
# Everything but the tables read from, or written to, the Messages table as it stands (its record ids are new each
# time) and the outcomes read from it.
AS_OF_DATE = sorted(ASSET_KEYS - {"raw_messages", "published_messages", "campaign_outcomes", "campaign_performance"})


def instance_folder(tmp_path: Path) -> Path:
    """This repo's dagster.yaml in a fresh folder (its paths are relative to where Dagster runs)."""
    tmp_path.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    shutil.copytree(SAMPLE_RAW, tmp_path / "data" / "raw")
    return tmp_path


def queued_by_member(data_dir: Path) -> dict[str, list[tuple[str, str]]]:
    texts: dict[str, list] = {}
    for record in pipeline_records(data_dir):
        if record["status"] == "queued":
            texts.setdefault(record["user_id"], []).append((record["campaign_date"], record["message"]))
    return texts


def test_a_three_day_cli_backfill_runs_in_parallel_and_queues_what_one_by_one_would(tmp_path):
    folder = instance_folder(tmp_path / "backfill")
    environ = {**os.environ, "DAGSTER_HOME": str(folder), "CUCU_DATA_DIR": str(folder / "data")}
    module = ["-m", "cucu_pipeline.definitions"]
    submitted = subprocess.run(
        [
            executable("dagster"),
            "job",
            "backfill",
            "-j",
            "daily_campaign",
            "--from",
            DATES[0],
            "--to",
            DATES[-1],
            "--noprompt",
            *module,
        ],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert submitted.returncode == 0, submitted.stderr[-3000:]
    with dagster_daemon(folder, environ, module) as daemon:
        runs = finished_runs(folder, len(DATES), timeout=300, daemon=daemon)
    assert sorted(r.tags["dagster/partition"] for r in runs) == DATES
    assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    assert all(r.tags.get("dagster/backfill") for r in runs)  # one run per date, grouped as one backfill

    backfilled = queued_by_member(folder / "data")
    assert len(backfilled) > 500 and all(len(texts) == 1 for texts in backfilled.values())  # cooldown 7 > 3 days
    keys = Counter((r["campaign_date"], r["user_id"]) for r in pipeline_records(folder / "data"))
    assert keys.most_common(1)[0][1] == 1  # one message per member per date at most

    one_by_one = tmp_path / "one_by_one"
    shutil.copytree(SAMPLE_RAW, one_by_one / "raw")
    for date in DATES:
        run({"CUCU_DATA_DIR": str(one_by_one)}, date)
    assert backfilled == queued_by_member(one_by_one)
    # The stored values too: every table computed as of its date is the same file content either way.
    for date in DATES:
        for asset in AS_OF_DATE:
            stored = [
                pq.read_table(data / "assets" / asset / f"{date}.parquet") for data in (folder / "data", one_by_one)
            ]
            assert stored[0].equals(stored[1]), (date, asset)


def test_ui_backfills_launch_one_run_per_campaign_date():
    # No asset sets a BackfillPolicy, so a backfill from the UI launches one run per partition: each run computes
    # exactly one campaign date, as the schedule would.
    graph = defs.resolve_asset_graph()
    assert len(graph.materializable_asset_keys) == 17
    assert all(graph.get(key).backfill_policy is None for key in graph.materializable_asset_keys)
