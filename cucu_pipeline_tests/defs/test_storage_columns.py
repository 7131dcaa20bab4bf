"""An input that names its columns loads only those from the stored Parquet file."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
from upath import UPath

from cucu_pipeline.core.frames import python_lists
from cucu_pipeline.core.parquet import frame_to_table
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.columns import COLUMNS
from cucu_pipeline.defs.storage import ParquetIOManager, reads

STORED = pd.DataFrame(
    {
        "id": ["u1", "u2"],
        "first_name": ["Maya", None],
        "interests": [["wine", "jazz"], []],
        "created_at": pd.to_datetime(["2024-01-02", "2024-03-04"], utc=True),
    }
)


def _load(tmp_path, metadata) -> pd.DataFrame:
    path = tmp_path / "raw_users.parquet"
    pq.write_table(frame_to_table(STORED), path)
    return ParquetIOManager(base_path=UPath(tmp_path)).load_from_path(
        dg.build_input_context(definition_metadata=metadata), UPath(path)
    )


def test_an_input_that_names_columns_loads_only_those_with_their_values(tmp_path):
    loaded = _load(tmp_path, reads("interests", "id").metadata)
    pd.testing.assert_frame_equal(loaded, STORED[["interests", "id"]])


def test_a_column_kept_in_arrow_loads_as_arrow_and_converts_to_the_same_lists_for_the_rows_a_step_reads(tmp_path):
    loaded = _load(tmp_path, reads("id", "interests", kept_in_arrow=("interests",)).metadata)
    assert isinstance(loaded["interests"].dtype, pd.ArrowDtype)
    assert loaded["id"].tolist() == ["u1", "u2"]
    for rows in (slice(None), slice(1, 2)):
        converted = python_lists(loaded[rows])
        pd.testing.assert_frame_equal(converted, STORED[["id", "interests"]][rows])
        assert [type(value) for value in converted["interests"]] == [list] * len(converted)


def test_an_input_without_columns_loads_the_whole_table(tmp_path):
    pd.testing.assert_frame_equal(_load(tmp_path, None), STORED)


def test_every_column_a_step_names_is_a_column_of_the_table_it_reads():
    """A name that is not stored would fail the step; the stored columns are `COLUMNS` (tested against the tables)."""
    named = 0
    for asset in ASSETS:
        for input_name, definition in asset.node_def.input_dict.items():
            columns = definition.metadata.get("columns")
            if columns:
                named += 1
                assert set(columns) <= set(COLUMNS[input_name]), (asset.node_def.name, input_name)
    # raw_users and raw_events for the profiles, the texts' checks and the standing; the publisher's three; matching
    # and writing read the enriched members; the event profiles read the guests
    assert named == 12
