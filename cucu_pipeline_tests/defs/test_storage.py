"""Asset values as Parquet files any machine can read: one file per asset and date, at a folder or an fsspec URL."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import dagster as dg
import fsspec
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cucu_pipeline.core.parquet import table_to_frame
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # whole-graph runs stored as Parquet

DATE = "2025-06-15"
SOURCES = [asset for asset in ASSETS if set(asset.group_names_by_key.values()) == {"sources"}]


def asset_names(assets: list[dg.AssetsDefinition]) -> list[str]:
    return [key.path[-1] for asset in assets for key in asset.keys]


def materialize(environ: dict[str, str], assets=ASSETS) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        assets, resources=build_resources(environ), partition_key=DATE, instance=dg.DagsterInstance.ephemeral()
    )


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The whole graph for one date, twice (the second a re-run with a fresh instance), stored locally."""
    data_dir = tmp_path_factory.mktemp("stored")
    shutil.copytree(SAMPLE_RAW, data_dir / "raw")
    environ = {"CUCU_DATA_DIR": str(data_dir)}
    first = materialize(environ)
    files = {name: pq.read_table(data_dir / "assets" / name / f"{DATE}.parquet") for name in asset_names(ASSETS)}
    return data_dir, first, files, materialize(environ)


def test_every_asset_of_a_date_is_one_parquet_file_that_loads_back_as_the_asset_returned_it(stored):
    data_dir, first, files, _ = stored
    for name in asset_names(ASSETS):
        path = data_dir / "assets" / name / f"{DATE}.parquet"
        pd.testing.assert_frame_equal(table_to_frame(files[name]), first.asset_value(name), check_exact=True)
        (event,) = [e for e in first.get_asset_materialization_events() if e.asset_key.path[-1] == name]
        assert event.materialization.metadata["path"].value == str(path)  # the UI links each date to its file


def test_rerunning_a_date_stores_the_same_values(stored):
    data_dir, _, files, rerun = stored
    assert rerun.success
    # The Messages table as it stands now holds the first run's texts, and the re-run updates them instead of
    # creating them: everything computed as of the date is stored again unchanged.
    as_of_date = [name for name in files if name not in ("raw_messages", "published_messages")]
    changed = [
        name
        for name in as_of_date
        if not pq.read_table(data_dir / "assets" / name / f"{DATE}.parquet").equals(files[name])
    ]
    assert changed == []


def test_duckdb_reads_a_stored_date_without_dagster(stored):
    data_dir, first, _, _ = stored
    query = textwrap.dedent(
        f"""
        import json, sys
        import duckdb
        path = {str(data_dir / "assets" / "matched_messages" / f"{DATE}.parquet")!r}
        rows = duckdb.sql(
            "select status, count(*), sum(len(warnings)), count(json_extract_string(check_results, '$.length')) "
            f"from '{{path}}' group by status"
        ).fetchall()
        print(json.dumps({{"rows": rows, "dagster_imported": "dagster" in sys.modules}}))
        """
    )
    output = subprocess.run([sys.executable, "-c", query], capture_output=True, text=True, check=True).stdout
    answer = json.loads(output)
    assert not answer["dagster_imported"]
    messages = first.output_for_node("matched_messages")
    expected = messages.groupby("status").agg(
        texts=("user_id", "size"),
        warnings=("warnings", lambda column: sum(map(len, column))),
        checked=("check_results", lambda column: sum("length" in (results or {}) for results in column)),
    )
    assert {status: [texts, warnings, checked] for status, texts, warnings, checked in answer["rows"]} == {
        status: [int(value) for value in row] for status, row in expected.iterrows()
    }


def test_an_fsspec_url_stores_the_dates_there(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    materialize({"CUCU_DATA_DIR": str(tmp_path), "CUCU_STORAGE_URL": "memory://cucu-test/assets"}, SOURCES)
    memory = fsspec.filesystem("memory")
    stored = sorted(path.rsplit("/", 2)[-2] for path in memory.glob(f"/cucu-test/assets/*/{DATE}.parquet"))
    assert stored == sorted(asset_names(SOURCES))
    assert not (tmp_path / "assets").exists()


def test_a_stored_file_cut_short_fails_the_next_step_naming_the_asset_the_date_and_the_file(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    resources = build_resources({"CUCU_DATA_DIR": str(tmp_path)})
    upstream = dg.AssetSelection.assets("qualified_users").upstream().required_multi_asset_neighbors()
    run = dg.materialize(ASSETS, selection=upstream, resources=resources, partition_key=DATE)
    assert run.success
    stored = tmp_path / "assets" / "raw_users" / f"{DATE}.parquet"
    stored.write_bytes(stored.read_bytes()[:200])  # a write cut short by a full disk or a killed copy

    result = dg.materialize(
        ASSETS,
        selection=["qualified_users"],
        resources=resources,
        partition_key=DATE,
        raise_on_error=False,
    )
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    message = str(failure.step_failure_data.error.cause or failure.step_failure_data.error)
    assert "raw_users" in message and DATE in message and str(stored) in message, message
