"""Frames to Parquet and back, every column with the type and values it had (docs/production.md: "Storage").

Arrow types carry what pandas holds: strings, numbers, nullable integers and booleans, instants with their time zone,
dates, and lists (of strings, numbers or records) as Arrow lists. A column of dicts whose keys vary by row (a text's
rule results) would become an Arrow struct with every key on every row, so it is stored as JSON text instead and
named in the file's `cucu_json_columns` metadata. Columns pandas holds as Python objects come back as the same Python
objects (lists as lists, missing values as None), so no step downstream can tell a loaded value from a fresh one.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa

JSON_COLUMNS_KEY = b"cucu_json_columns"


def _holds_dicts(column: pd.Series) -> bool:
    if column.dtype != object:
        return False
    present = column.notna().to_numpy()
    return bool(present.any()) and isinstance(column.iat[int(present.argmax())], dict)


def frame_to_table(frame: pd.DataFrame) -> pa.Table:
    json_columns = [name for name in frame.columns if _holds_dicts(frame[name])]
    encoded = frame.assign(
        **{name: frame[name].map(json.dumps, na_action="ignore").astype(object) for name in json_columns}
    )
    table = pa.Table.from_pandas(encoded)
    return table.replace_schema_metadata({**table.schema.metadata, JSON_COLUMNS_KEY: json.dumps(json_columns)})


def _object_columns(table: pa.Table) -> list[str]:
    """The columns pandas held as Python objects, as the file's pandas metadata records them."""
    held = {column["name"] for column in table.schema.pandas_metadata["columns"] if column["numpy_type"] == "object"}
    return [name for name in table.column_names if name in held]


def table_to_frame(table: pa.Table, keep_arrow: tuple[str, ...] = ()) -> pd.DataFrame:
    """The frame `frame_to_table` stored; the object columns named in `keep_arrow` stay Arrow arrays
    (`pd.ArrowDtype`) for the reader to convert only the rows it needs (`core.frames.python_lists`)."""
    metadata = table.schema.pandas_metadata
    objects = _object_columns(table)
    json_columns = set(json.loads(table.schema.metadata.get(JSON_COLUMNS_KEY, b"[]")))
    frame = table.drop_columns(objects).to_pandas()
    for name in objects:
        if name in keep_arrow:
            frame[name] = pd.Series(pd.arrays.ArrowExtensionArray(table.column(name)), index=frame.index)
            continue
        values = table.column(name).to_pylist()
        if name in json_columns:
            values = [None if value is None else json.loads(value) for value in values]
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
    index_columns = set(name for name in metadata["index_columns"] if isinstance(name, str))
    return frame[[name for name in table.column_names if name not in index_columns]]
