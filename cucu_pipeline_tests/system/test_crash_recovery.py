"""Runs that die: a publish killed with SIGKILL and run again, and a MongoDB that is down. Both through the CLI, in
processes of their own, as the schedule and the UI would run them."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.clients.test_faults import published_once
from cucu_pipeline_tests.conftest import RELIABILITY
from cucu_pipeline_tests.defs.test_campaign_assets import DATE
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.services import executable, free_port, mongodb_uri_with_password

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

MATERIALIZE = [executable("dagster"), "asset", "materialize", "-m", "cucu_pipeline.definitions", "--partition", DATE]


def instance_home(tmp_path: Path) -> Path:
    write_exports(generate(users=300, events=500, seed=11), tmp_path / "raw")
    return tmp_path


def command_environment(home: Path, **variables: str) -> dict[str, str]:
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ANTHROPIC_", "AIRTABLE_", "MONGODB_"))
    }
    return {**clean, "DAGSTER_HOME": str(home), "CUCU_DATA_DIR": str(home), **variables}


def event_log(home: Path) -> list[dg.EventLogEntry]:
    with contextlib.chdir(home):
        instance = dg.DagsterInstance.from_config(str(home))
        return [entry for run in instance.get_runs() for entry in instance.all_logs(run.run_id)]


def test_a_publish_killed_with_sigkill_then_rerun_leaves_no_duplicate_and_nothing_missing(tmp_path):
    home = instance_home(tmp_path)
    table = FakeAirtable()
    table.write_delay = 0.3  # slow writes, so the kill lands while batches are still going out
    with table.serve() as url:
        environ = command_environment(
            home,
            AIRTABLE_API_KEY="patTEST",
            AIRTABLE_BASE_ID="appB",
            AIRTABLE_TABLE="Messages",
            AIRTABLE_ENDPOINT_URL=url,
        )
        process = subprocess.Popen(
            [*MATERIALIZE, "--select", "*"],
            env=environ,
            cwd=home,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 180
        while table.writes < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        landed = len(table.records)
        table.write_delay = 0.0
        rerun = subprocess.run(
            [*MATERIALIZE, "--select", "*"], env=environ, cwd=home, capture_output=True, text=True, timeout=300
        )
    assert process.returncode == -signal.SIGKILL and landed > 0, "the kill did not land mid-publish"
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    messages = pd.read_parquet(home / "assets" / "matched_messages" / f"{DATE}.parquet")
    recorded = messages["status"].isin(["ready", "fallback", "holdout"])  # the experiment's holdouts are recorded too
    publishable = set(messages.loc[recorded, "user_id"])
    assert landed < len(publishable), "everything was published before the kill"
    published_once(table.records, {f"{DATE}:{user}" for user in publishable})
    RELIABILITY["runs under faults survived"] += 1  # the re-run after the kill


def test_mongodb_down_fails_the_raw_assets_quickly_with_a_clear_message_and_dagster_retries_them(tmp_path):
    home = instance_home(tmp_path)
    secret = "s3cret-mongo-password"
    environ = command_environment(
        home,
        MONGODB_URI=mongodb_uri_with_password("cucu", secret, f"127.0.0.1:{free_port()}/?authSource=admin"),
        MONGODB_DATABASE="cucu",
        MONGODB_TIMEOUT_MS="300",
        CUCU_SOURCE_RETRY_DELAY_SECONDS="0.1",
    )
    result = subprocess.run(
        [*MATERIALIZE, "--select", "raw_users"], env=environ, cwd=home, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    entries = event_log(home)
    kinds = Counter(entry.dagster_event.event_type_value for entry in entries if entry.dagster_event)
    assert kinds["STEP_UP_FOR_RETRY"] == 3 and kinds["STEP_FAILURE"] == 1  # three retries, then the run fails
    (failure,) = [e for e in entries if e.dagster_event and e.dagster_event.event_type_value == "STEP_FAILURE"]
    assert "Could not read MongoDB collection cucu.users: ServerSelectionTimeoutError" in str(
        failure.dagster_event.step_failure_data.error
    )
    everything = result.stdout + result.stderr + "".join(str(entry) for entry in entries)
    assert secret not in everything  # the URI's password is in no message, log or event


def test_two_dates_run_at_once_from_two_instances_text_no_member_twice(tmp_path):
    """Two machines (two DAGSTER_HOMEs, so no shared `airtable` pool) materialize two dates two days apart at once,
    writing slowly to one Airtable: members qualified on both dates are texted once, on the earlier date."""
    table = FakeAirtable()
    table.write_delay = 0.2  # both runs list the table before either has written much
    dates = [DATE, (dt.date.fromisoformat(DATE) + dt.timedelta(days=2)).isoformat()]
    homes = [instance_home(tmp_path / f"machine_{n}") for n in (1, 2)]
    with table.serve() as url:
        runs = [
            subprocess.Popen(
                [*MATERIALIZE[:-1], date, "--select", "*"],
                env=command_environment(
                    home,
                    AIRTABLE_API_KEY="patTEST",
                    AIRTABLE_BASE_ID="appB",
                    AIRTABLE_TABLE="Messages",
                    AIRTABLE_ENDPOINT_URL=url,
                ),
                cwd=home,
                stdout=subprocess.DEVNULL,
                stderr=(home / "stderr.log").open("w"),  # a file, not a pipe: a full pipe would stop the run
            )
            for home, date in zip(homes, dates)
        ]
        finished = [
            (run.wait(timeout=300), (home / "stderr.log").read_text()[-3000:]) for run, home in zip(runs, homes)
        ]
    assert [code for code, _ in finished] == [0, 0], finished
    live = [row["fields"] for row in table.records if row["fields"].get("status") == "queued"]
    texted = Counter(fields["user_id"] for fields in live)
    assert len(texted) > 100 and max(texted.values()) == 1  # within the 7-day cooldown: one text per member
    withdrawn = [row["fields"] for row in table.records if row["fields"].get("status") == "superseded"]
    assert withdrawn and {fields["campaign_date"] for fields in withdrawn} == {dates[1]}  # the later date gave way
