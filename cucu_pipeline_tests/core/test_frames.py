"""`records`: the rows of a frame as `to_dict("records")` gives them, for every column type the stages hold;
`positions_in` and `lists_by` against the pandas operations they replace."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cucu_pipeline.core.frames import is_in, lists_by, positions_in, records


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


_TEXTS = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "é", " a", "", "b "])), max_size=12)


def _as(kind: str, values: list) -> pd.Series:
    return pd.Series(values, dtype="str" if kind == "str" else object)


@given(
    wanted=_TEXTS,
    keys=_TEXTS,
    wanted_kind=st.sampled_from(["str", "object"]),
    key_kind=st.sampled_from(["str", "object"]),
)
def test_positions_in_finds_the_first_occurrence_of_each_text_like_pandas(wanted, keys, wanted_kind, key_kind):
    found = positions_in(_as(wanted_kind, wanted), _as(key_kind, keys))
    expected = [keys.index(value) if value is not None and value in keys else -1 for value in wanted]
    assert found.tolist() == expected


def test_positions_in_looks_up_other_values_as_pandas_does():
    assert positions_in(pd.Series([2, 5, 1]), pd.Series([1, 2, 2])).tolist() == [1, -1, 0]
    assert positions_in(pd.Series([2, "a", None]), pd.Series(["a", 2, None], dtype=object)).tolist() == [1, 0, -1]


@given(
    values=_TEXTS,
    candidates=_TEXTS,
    kind=st.sampled_from(["str", "object"]),
    form=st.sampled_from([set, list, pd.Series]),
)
def test_is_in_is_isin_and_a_missing_value_is_never_in(values, candidates, kind, form):
    column = _as(kind, values)
    got = is_in(
        column,
        form(value for value in candidates if value is not None) if form is not pd.Series else _as(kind, candidates),
    )
    assert got.index.equals(column.index)
    assert got.tolist() == [value is not None and value in candidates for value in values]


@given(
    rows=st.lists(st.tuples(st.sampled_from(["m1", "m2", "m3", None]), st.integers(0, 9)), max_size=15),
    index=st.lists(st.sampled_from(["m1", "m2", "m4"]), max_size=5),
)
def test_lists_by_is_each_keys_values_in_row_order(rows, index):
    frame = pd.DataFrame(rows, columns=["key", "value"]).astype({"key": "str"})
    got = lists_by(frame, "key", "value", pd.Index(index, dtype=object))
    assert got.index.tolist() == index
    assert got.tolist() == [[value for key, value in rows if key == wanted] for wanted in index]
