"""Frames through Parquet come back exactly as they were: dtypes, Python types inside object columns, missing values."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cucu_pipeline.core.parquet import frame_to_table, table_to_frame


def round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    buffer = io.BytesIO()
    pq.write_table(frame_to_table(frame), buffer)
    return table_to_frame(pq.read_table(io.BytesIO(buffer.getvalue())))


def every_kind() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["u1", "u2", "u3"],
            "optional_text": pd.Series(["a", None, "c"], dtype=object),
            "interests": [["cooking", "wine"], [], ["hiking"]],
            "event_history": [[{"name": "Pasta", "date": "2024-01-05", "venue": "Flour"}], [], []],
            "check_results": [{"length": "ok"}, {"length": "ok", "facts": "wrong date"}, None],
            "scores": [[0.5, 1.0], [], [2.0]],
            "age": pd.array([34, None, 51], dtype="Int64"),
            "recently_attended": pd.array([True, None, False], dtype="boolean"),
            "created_at": pd.to_datetime(["2024-01-01T10:00Z", None, "2024-03-01T08:30Z"], utc=True),
            "campaign_date": [dt.date(2024, 2, 10), dt.date(2024, 2, 11), dt.date(2024, 2, 12)],
            "cost_usd": [0.01, 0.0, 0.002],
            "sent": [True, False, True],
            "capacity": pd.array([10.0, None, 8.0], dtype="Float64"),
        }
    )


def test_every_kind_of_column_comes_back_with_its_dtype_and_values():
    frame = every_kind()
    loaded = round_trip(frame)
    pd.testing.assert_frame_equal(loaded, frame, check_exact=True)
    assert list(loaded.columns) == list(frame.columns)
    for column in ["optional_text", "interests", "event_history", "check_results", "campaign_date"]:
        assert loaded[column].tolist() == frame[column].tolist()
        assert [type(value) for value in loaded[column]] == [type(value) for value in frame[column]]


def test_dicts_keep_exactly_their_own_keys():
    # An Arrow struct would give every row every key (None where absent): a rule that did not apply would read as
    # failed downstream.
    loaded = round_trip(every_kind())
    assert loaded["check_results"].tolist() == [{"length": "ok"}, {"length": "ok", "facts": "wrong date"}, None]


@pytest.mark.parametrize(
    "frame",
    [
        every_kind().iloc[0:0],
        pd.DataFrame(),
        pd.DataFrame({"skip_reason": [None, None]}, dtype=object),
        every_kind().set_index("id"),
    ],
    ids=["no rows", "no columns", "only missing values", "an index of ids"],
)
def test_empty_and_indexed_frames_come_back_as_they_were(frame):
    pd.testing.assert_frame_equal(round_trip(frame), frame, check_exact=True)
