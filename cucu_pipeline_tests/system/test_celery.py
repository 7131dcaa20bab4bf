"""A distributed engine, proven: the whole graph for two dates with every step a Celery task, executed by a worker
process on Debian's redis-server as broker, the production instance on PostgreSQL, the asset values shared as Parquet
by path (docs/production.md: "When one machine is not enough")."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.conftest import REPO
from cucu_pipeline_tests.services import SYSTEM_PACKAGES_REQUIRED, executable, postgres_bin, postgresql, redis_server
from cucu_pipeline_tests.system.test_crash_recovery import command_environment

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

DATES = ["2025-06-15", "2025-06-16"]
WORKER = "cucu-celery-test"
STEPS = {asset.node_def.name for asset in ASSETS}  # one step computes the people, the history and the standing


@contextlib.contextmanager
def celery_worker(environ: dict[str, str], log):
    """One worker started as the README says, one task at a time in its own process (`--pool=solo`)."""
    command = [executable("dagster-celery"), "worker", "start", "-A", "dagster_celery.app", "-n", WORKER]
    command += ["-y", str(REPO / "deploy" / "celery" / "celery.yaml"), "--", "--pool=solo"]
    worker = subprocess.Popen(command, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield worker
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


@pytest.mark.skipif(
    (shutil.which("redis-server") is None or postgres_bin() is None) and not SYSTEM_PACKAGES_REQUIRED,
    reason="Debian's redis-server or postgresql is not installed (.ci/run installs them)",
)
def test_a_celery_worker_runs_every_step_of_two_dates_sharing_parquet_by_path(tmp_path, monkeypatch):
    data, home = tmp_path / "data", tmp_path / "dagster_home"
    write_exports(generate(users=300, events=500, seed=11), data / "raw")
    home.mkdir()
    shutil.copy(REPO / "deploy" / "production" / "dagster.yaml", home / "dagster.yaml")
    with postgresql() as database, redis_server() as broker, (tmp_path / "worker.log").open("w") as log:
        instance_settings = {f"DAGSTER_PG_{name.upper()}": value for name, value in database.items()}
        for name, value in instance_settings.items():
            monkeypatch.setenv(name, value)  # this process reads the same instance
        environ = command_environment(
            home, CUCU_DATA_DIR=str(data), CUCU_CELERY_BROKER=broker, CUCU_MODE="local", **instance_settings
        )
        with celery_worker(environ, log):
            for date in DATES:
                command = [executable("dagster"), "asset", "materialize", "-m", "cucu_pipeline.definitions"]
                finished = subprocess.run(
                    [*command, "--select", "*", "--partition", date],
                    env=environ,
                    cwd=home,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                assert finished.returncode == 0, finished.stderr[-3000:]
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = sorted(instance.get_runs(), key=lambda run: run.tags["dagster/partition"])
            assert [(run.tags["dagster/partition"], run.status) for run in runs] == [
                (date, dg.DagsterRunStatus.SUCCESS) for date in DATES
            ]
            for run in runs:
                logs = instance.all_logs(run.run_id)
                run_process = {entry.dagster_event.pid for entry in logs if entry.dagster_event_type == "RUN_START"}
                steps = [entry for entry in logs if entry.dagster_event_type == "STEP_SUCCESS"]
                handed_to = {
                    str(entry.dagster_event.engine_event_data.metadata["Celery worker"].value)
                    for entry in logs
                    if entry.dagster_event_type == "ENGINE_EVENT"
                    and "Celery worker" in entry.dagster_event.engine_event_data.metadata
                }
                assert {entry.step_key for entry in steps} >= STEPS  # every step of the graph, as a task
                step_processes = {entry.dagster_event.pid for entry in steps}
                assert len(step_processes) == 1 and step_processes.isdisjoint(run_process)  # the worker's process
                assert [name.split("@")[0] for name in handed_to] == [WORKER]
    for date in DATES:  # the values, written by the worker, where any machine sharing the path reads them
        texts = pd.read_parquet(data / "assets" / "matched_messages" / f"{date}.parquet")
        assert len(texts) > 0 and texts["message"].str.startswith("Cuculi:").any()
