"""The instance configurations in the repo: valid against Dagster's schema, and production runs on real PostgreSQL."""

from __future__ import annotations

import shutil

import dagster as dg
import psycopg2
import pytest
import yaml
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config  # the schema check Dagster runs at start-up

from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.conftest import REPO, SAMPLE_RAW
from cucu_pipeline_tests.services import SYSTEM_PACKAGES_REQUIRED, postgres_bin, postgresql

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

INSTANCE_FOLDERS = [REPO, REPO / "deploy" / "production", REPO / "deploy" / "kubernetes"]


@pytest.mark.parametrize("folder", INSTANCE_FOLDERS, ids=lambda folder: folder.name)
def test_every_instance_config_passes_dagsters_schema(folder):
    config, _ = dagster_instance_config(str(folder))
    assert config["concurrency"]["pools"]["default_limit"] == 1  # one claude step and one airtable step at a time
    assert config["telemetry"]["enabled"] is False
    assert config["nux"]["enabled"] is False


def test_the_schema_check_rejects_a_mistake(tmp_path):
    config = yaml.safe_load((REPO / "deploy" / "production" / "dagster.yaml").read_text())
    config["concurrency"]["runs"]["max_concurent_runs"] = 4  # misspelt
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))


@pytest.mark.parametrize("folder", INSTANCE_FOLDERS[1:], ids=lambda folder: folder.name)
def test_production_shares_postgres_queues_runs_and_reads_connections_from_the_environment(folder):
    config, _ = dagster_instance_config(str(folder))
    database = config["storage"]["postgres"]["postgres_db"]
    connection = {name: value for name, value in database.items() if name != "scheme"}
    assert all(set(value) == {"env"} for value in connection.values())  # no host, user or password in the repo
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["run_monitoring"]["enabled"] and config["run_retries"]["enabled"]


@pytest.mark.skipif(
    postgres_bin() is None and not SYSTEM_PACKAGES_REQUIRED,
    reason="Debian's postgresql is not installed (.ci/run installs it)",
)
def test_the_graph_runs_on_a_real_postgresql_instance(tmp_path, monkeypatch):
    with postgresql() as server:
        for name, value in server.items():
            monkeypatch.setenv(f"DAGSTER_PG_{name.upper()}", value)
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copy(REPO / "deploy" / "production" / "dagster.yaml", home / "dagster.yaml")
        shutil.copytree(SAMPLE_RAW, tmp_path / "data" / "raw")
        monkeypatch.chdir(home)
        with dg.DagsterInstance.from_config(str(home)) as instance:
            result = dg.materialize(
                ASSETS,
                resources=build_resources({"CUCU_DATA_DIR": str(tmp_path / "data")}),
                partition_key="2025-06-15",
                instance=instance,
            )
            assert result.success
            assert instance.get_latest_materialization_event(dg.AssetKey("published_messages")) is not None
            assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        params = {"host": server["host"], "port": server["port"], "user": server["username"], "dbname": server["db"]}
        with psycopg2.connect(**params) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT status FROM runs")
            assert cursor.fetchall() == [("SUCCESS",)]  # the run's record lives in PostgreSQL, not in a local file
            cursor.execute("SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'")
            assert cursor.fetchone()[0] == 17
