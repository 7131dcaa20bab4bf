"""`records`: the rows of a frame as `to_dict("records")` gives them, for every column type the stages hold."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cucu_pipeline.core.frames import records


def _same(left: object, right: object) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return left is right or bool(left == right)


FRAME = pd.DataFrame(
    {
        "count": pd.array([1, None, 3], dtype="Int64"),
        "rate": pd.array([1.5, None, 0.0], dtype="Float64"),
        "flag": pd.array([True, None, False], dtype="boolean"),
        "label": pd.array(["a", None, ""], dtype="string"),
        "text": pd.Series(["a", None, "c"], dtype="str"),
        "items": [["x"], None, []],
        "when": pd.to_datetime(["2024-01-01", None, "2024-03-01 10:00"], format="ISO8601", utc=True),
        "score": [1.0, np.nan, 2.5],
        "rank": [1, 2, 3],
        "sent": [True, False, True],
        "kind": pd.Categorical(["a", None, "b"]),
    }
)


@pytest.mark.parametrize(
    "frame", [FRAME, FRAME.iloc[:0], FRAME.iloc[[2, 0]], FRAME[[]]], ids=["all", "empty", "sub", "none"]
)
def test_records_are_the_rows_to_dict_gives_value_for_value(frame):
    expected, got = frame.to_dict("records"), records(frame)
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert list(have) == list(want)
        assert all(_same(want[name], have[name]) for name in want), (want, have)


def test_a_missing_nullable_value_is_none_never_pandas_na():
    row = records(FRAME)[1]
    assert row["count"] is None and row["rate"] is None and row["flag"] is None and row["label"] is None
