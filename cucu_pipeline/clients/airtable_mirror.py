"""The Messages table kept in storage, read from Airtable by what changed (docs/airtable.md).

A run reads only the records Airtable modified since the mirror's last read (`LAST_MODIFIED_TIME()` in
`filterByFormula`, with an overlap for the clocks of the two machines) and merges them in by record id; the first
read, a mirror that cannot be read, or `full_sync` lists the whole table instead. Records that leave Airtable
(retention) stay in the mirror: the history lives in storage.

The mirror is one Parquet file, `<base_url>/messages.parquet`: the records in Airtable's shape (the fields as JSON)
and the instant of the read that produced it, written whole (a reader never sees half a mirror).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyairtable import formulas as F
from upath import UPath

READ_AT_KEY = b"cucu.airtable_read_at"
# Airtable stamps LAST_MODIFIED_TIME() with its own clock: re-reading the last minutes costs a page at most and
# covers a skew between the two clocks and a write that landed while the last read was paging.
OVERLAP = dt.timedelta(minutes=10)


def changed_since(instant: dt.datetime) -> str:
    """The records Airtable modified after `instant` (minus the overlap)."""
    return str(F.IS_AFTER(F.LAST_MODIFIED_TIME(), (instant - OVERLAP).astimezone(dt.UTC)))


class MirrorUnreadable(RuntimeError):
    """The stored mirror exists but cannot be read: it is rebuilt from a full listing."""


def load(path: UPath) -> tuple[list[dict[str, Any]], dt.datetime] | None:
    """The stored records and the instant of their read, or None when there is no mirror yet."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as file:
            table = pq.read_table(file)
        read_at = dt.datetime.fromisoformat(table.schema.metadata[READ_AT_KEY].decode())
        records = [
            {"id": record_id, "createdTime": created, "fields": json.loads(fields)}
            for record_id, created, fields in zip(*(table.column(name).to_pylist() for name in table.column_names))
        ]
    except Exception as error:  # a truncated or foreign file: the caller lists the table again
        raise MirrorUnreadable(f"the Airtable mirror at {path} cannot be read: {error}") from None
    return records, read_at


def save(path: UPath, records: list[dict[str, Any]], read_at: dt.datetime) -> None:
    """Write the mirror whole: to a sibling file first, then renamed over the old one where the filesystem can."""
    table = pa.table(
        {
            "id": [record["id"] for record in records],
            "createdTime": [record.get("createdTime") for record in records],
            "fields": [json.dumps(record.get("fields", {}), sort_keys=True) for record in records],
        }
    ).replace_schema_metadata({READ_AT_KEY: read_at.isoformat().encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.writing")
    with staged.open("wb") as file:
        pq.write_table(table, file)
    staged.rename(path)


def merged(stored: list[dict[str, Any]], changed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored records with each changed one replacing its old version in place; new ones appended in order."""
    by_id = {record["id"]: record for record in changed}
    kept = [by_id.pop(record["id"], record) for record in stored]
    return kept + [record for record in changed if record["id"] in by_id]


def synced(
    path: UPath,
    list_records: Callable[[str | None], list[dict[str, Any]]],
    now: Callable[[], dt.datetime],
    full_sync: bool = False,
) -> tuple[list[dict[str, Any]], str]:
    """The whole table as of now, reading Airtable by what changed since the mirror's last read; and how it was
    read (`incremental`, `first`, `rebuilt` or `full`). `list_records(formula)` lists the records a formula holds
    for (all for None)."""
    started = now()
    try:
        stored = load(path)
        how = "first" if stored is None else "incremental"
    except MirrorUnreadable:
        stored, how = None, "rebuilt"
    if stored is None or full_sync:
        records = merged(stored[0] if stored else [], list_records(None))
        how = "full" if full_sync else how
    else:
        records = merged(stored[0], list_records(changed_since(stored[1])))
    save(path, records, started)
    return records, how
