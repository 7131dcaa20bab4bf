"""Small vectorized building blocks shared by the stages: grouped lists, lookups of ids and texts, top-N rankings,
first-match labels, rows as dicts, the best positions of each row of scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def lists_by(rows: pd.DataFrame, key: str, value: str, index: pd.Index) -> pd.Series:
    """The `value`s of each `key` as a list in row order, aligned to `index` (an empty list where there are none).

    One stable sort of integer codes and list slicing: `groupby().agg(list)` calls Python once per group, and sorting
    the keys themselves compares Python strings, both several times slower.
    """
    codes, keys = pd.factorize(rows[key])
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    values = rows[value].to_numpy(dtype=object)[order].tolist()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype=int)
    ends = np.r_[starts[1:], len(values)].astype(int)
    by_code: list[list] = [[] for _ in range(len(keys))]
    for start, end in zip(starts.tolist(), ends.tolist()):
        if codes[start] >= 0:  # a missing key belongs to no row of `index`
            by_code[codes[start]] = values[start:end]
    positions = positions_in(index, keys).tolist()
    return pd.Series([by_code[position] if position >= 0 else [] for position in positions], index=index, dtype=object)


def positions_in(wanted: pd.Series | np.ndarray, keys: pd.Series | np.ndarray | pd.Index) -> np.ndarray:
    """Per wanted value, the position of its first occurrence among `keys`; -1 where there is none or the value is
    missing. Texts are looked up by Arrow's hash kernel: pandas' own lookups over Arrow-backed strings box every
    value as a Python string first, three to five times slower."""
    try:
        wanted_array, key_array = pa.array(wanted, from_pandas=True), pa.array(keys, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # objects of mixed kinds
        return _first_positions_in(wanted, pd.Index(keys))
    if not all(
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type) or pa.types.is_null(array.type)
        for array in (wanted_array, key_array)
    ):
        return _first_positions_in(wanted, pd.Index(keys))
    found = pc.index_in(
        wanted_array.cast(pa.large_string()), value_set=key_array.cast(pa.large_string()), skip_nulls=True
    )
    return found.fill_null(-1).to_numpy().astype(np.intp)


def is_in(values: pd.Series, candidates) -> pd.Series:
    """`values.isin(candidates)` for texts, by `positions_in`: pandas builds an Arrow scalar per candidate in Python,
    which costs seconds when the candidates are thousands of ids."""
    if not isinstance(candidates, (pd.Series, pd.Index, np.ndarray, list)):
        candidates = list(candidates)  # a set; a column is read as it is (iterating it would box every value)
    return pd.Series(positions_in(values, candidates) >= 0, index=values.index)


def _first_positions_in(wanted: pd.Series | np.ndarray, keys: pd.Index) -> np.ndarray:
    """`positions_in` by pandas, for values Arrow does not hold as text (numbers, mixed objects)."""
    first = np.flatnonzero(~keys.duplicated() & keys.notna())
    found = keys[first].get_indexer(wanted)
    return np.where(found >= 0, first[found], -1) if len(first) else np.full(len(found), -1, dtype=np.intp)


def fill_lists(column: pd.Series) -> pd.Series:
    return pd.Series([item if isinstance(item, list) else [] for item in column], index=column.index, dtype=object)


def first_match(conditions: list[tuple[str, pd.Series]], index: pd.Index, default: str | None = None) -> pd.Series:
    """Per row, the name of the first condition that holds (missing counts as false), else `default`."""
    masks = [mask.fillna(False).to_numpy(dtype=bool) for _, mask in conditions]
    chosen = np.select(masks, [name for name, _ in conditions], "")
    return pd.Series(np.where(chosen == "", default, chosen), index=index, dtype=object)


def has_value(column: pd.Series) -> pd.Series:
    """A number above zero, or a non-empty text or list (normalized documents hold no whitespace-only text)."""
    if pd.api.types.is_numeric_dtype(column):
        return column.fillna(0).gt(0)
    if isinstance(column.dtype, pd.StringDtype):  # the string accessor is five times faster than `map(len)`
        return column.str.len().fillna(0).gt(0)
    return column.map(len, na_action="ignore").fillna(0).gt(0)


def ranked_values(rows: pd.DataFrame, key: str, value: str, index: pd.Index, top: int | None = None) -> pd.Series:
    """Distinct `value`s per `key`, most frequent first (ties alphabetical), at most `top` of them."""
    counts = (
        rows.dropna(subset=[value])
        .groupby([key, value], sort=False)
        .size()
        .rename("count")
        .reset_index()
        .sort_values([key, "count", value], ascending=[True, False, True], kind="stable")
    )
    if top is not None:
        counts = counts.groupby(key, sort=False).head(top)
    return lists_by(counts, key, value, index)


def python_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its Arrow list columns (`pd.ArrowDtype`, as `reads(kept_in_arrow=...)` loads them) as Python
    lists, like every other object column."""
    arrow = [name for name, dtype in frame.dtypes.items() if isinstance(dtype, pd.ArrowDtype)]
    return frame.assign(**{name: pd.Series(frame[name].tolist(), index=frame.index, dtype=object) for name in arrow})


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """`frame.to_dict("records")`, value for value (a missing nullable value is None), converted a column at a time:
    `to_dict` boxes every cell through pandas, three times slower on the 45,000 × 55 member profiles."""
    names = list(frame.columns)
    columns = [
        column.to_numpy(dtype=object, na_value=None).tolist()
        if getattr(column.dtype, "na_value", None) is pd.NA
        else column.tolist()
        for _, column in frame.items()
    ]
    if not names:
        return [{} for _ in range(len(frame))]
    return [dict(zip(names, values)) for values in zip(*columns)]


def top_positions(score: np.ndarray, k: int) -> np.ndarray:
    """Per row, the positions of the `k` highest scores, best first, ties in position order: what
    `np.argsort(-score, kind="stable")[:, :k]` gives, found by partition in linear time (sorting every row cost
    most of the matching at 1M members)."""
    k = min(k, score.shape[1])
    if k == 0:
        return np.zeros((score.shape[0], 0), dtype=np.intp)
    # Some k positions holding the k highest scores, then in position order.
    positions = np.sort(np.argpartition(score, score.shape[1] - k, axis=1)[:, -k:], axis=1)
    values = np.take_along_axis(score, positions, axis=1)
    kth = values.min(axis=1, keepdims=True)
    # Where the k-th score is also held outside those positions, which tied positions come first is decided by
    # position: those rows (forbidden pairs' -inf, equal scores) are chosen the exhaustive way.
    ambiguous = np.flatnonzero((score == kth).sum(axis=1) > (values == kth).sum(axis=1))
    if len(ambiguous):
        positions[ambiguous] = _first_top_positions(score[ambiguous], k)
        values[ambiguous] = np.take_along_axis(score[ambiguous], positions[ambiguous], axis=1)
    best_first = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(positions, best_first, axis=1)


def _first_top_positions(score: np.ndarray, k: int) -> np.ndarray:
    """Per row, the positions of the `k` highest scores, of equal ones the first, in position order."""
    negated = -score
    kth = np.partition(negated, k - 1, axis=1)[:, k - 1 : k]
    better = negated < kth
    # Of the scores equal to the k-th, the first by position fill the places the better ones left.
    tied = negated == kth
    chosen = better | (tied & (np.cumsum(tied, axis=1) <= k - better.sum(axis=1, keepdims=True)))
    return np.nonzero(chosen)[1].reshape(score.shape[0], k)
