"""The Messages table kept in storage, read from Airtable by what changed (docs/airtable.md).

A run reads only the records Airtable modified since the mirror's last read (`LAST_MODIFIED_TIME()` in
`filterByFormula`, with an overlap for the clocks of the two machines) and merges them in by record id; the first
read, a mirror that cannot be read, or `full_sync` lists the whole table instead. Records that leave Airtable
(retention) stay in the mirror: the history lives in storage.

The mirror is one Parquet file, `<base_url>/messages.parquet`: the records in Airtable's shape (the fields as JSON),
whether each is still in Airtable, and the instant of the read that produced it, written whole (a reader never sees
half a mirror).

Retention (`expired`) removes from Airtable only records the mirror already holds, never a queued text nor a consent
event, a bounded number a run; a run that stops halfway loses nothing and the next one finishes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyairtable import formulas as F
from upath import UPath

from cucu_pipeline.profiles.message_history import OPT_OUT_STATUS_WORDS, QUEUED_STATUSES

READ_AT_KEY = b"cucu.airtable_read_at"
_COLUMNS = ("id", "createdTime", "fields", "in_airtable")
# Airtable stamps LAST_MODIFIED_TIME() with its own clock: re-reading the last minutes costs a page at most and
# covers a skew between the two clocks and a write that landed while the last read was paging.
OVERLAP = dt.timedelta(minutes=10)


def changed_since(instant: dt.datetime) -> str:
    """The records Airtable modified after `instant` (minus the overlap)."""
    return str(F.IS_AFTER(F.LAST_MODIFIED_TIME(), (instant - OVERLAP).astimezone(dt.UTC)))


@dataclass
class Mirror:
    records: list[dict[str, Any]]
    read_at: dt.datetime
    removed: set[str] = field(default_factory=set)  # ids retention removed from Airtable


class MirrorUnreadable(RuntimeError):
    """The stored mirror exists but cannot be read: it is rebuilt from a full listing."""


def load(path: UPath) -> Mirror | None:
    """The stored mirror, or None when there is none yet."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as file:
            table = pq.read_table(file)
        read_at = dt.datetime.fromisoformat(table.schema.metadata[READ_AT_KEY].decode())
        ids, created, fields, in_airtable = (table.column(name).to_pylist() for name in _COLUMNS)
        records = [
            {"id": record_id, "createdTime": at, "fields": json.loads(values)}
            for record_id, at, values in zip(ids, created, fields)
        ]
    except Exception as error:  # a truncated or foreign file: the caller lists the table again
        raise MirrorUnreadable(f"the Airtable mirror at {path} cannot be read: {error}") from None
    return Mirror(records, read_at, {record_id for record_id, kept in zip(ids, in_airtable) if not kept})


def save(path: UPath, mirror: Mirror) -> None:
    """Write the mirror whole: to a sibling file first, then renamed over the old one where the filesystem can."""
    records = mirror.records
    columns = (
        [record["id"] for record in records],
        [record.get("createdTime") for record in records],
        [json.dumps(record.get("fields", {}), sort_keys=True) for record in records],
        [record["id"] not in mirror.removed for record in records],
    )
    table = pa.table(dict(zip(_COLUMNS, columns)))
    table = table.replace_schema_metadata({READ_AT_KEY: mirror.read_at.isoformat().encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{uuid.uuid4().hex}.writing")  # its own: two runs may write at once
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
) -> tuple[Mirror, str]:
    """The whole table as of now, reading Airtable by what changed since the mirror's last read, stored; and how it
    was read (`incremental`, `first`, `rebuilt` or `full`). `list_records(formula)` lists the records a formula
    holds for (all for None)."""
    started = now()
    try:
        stored = load(path)
        how = "first" if stored is None else "incremental"
    except MirrorUnreadable:
        stored, how = None, "rebuilt"
    if stored is None or full_sync:
        listed = list_records(None)
        how = "full" if full_sync else how
    else:
        listed = list_records(changed_since(stored.read_at))
    # A record Airtable lists again is in Airtable again (a full sync, or one restored by hand).
    removed = (stored.removed if stored else set()) - {record["id"] for record in listed}
    mirror = Mirror(merged(stored.records if stored else [], listed), started, removed)
    save(path, mirror)
    return mirror, how


def _latest(values: list[Any]) -> dt.datetime | None:
    """The latest of the dates given, or None when there is none or one cannot be read (such a record is kept)."""
    instants = []
    for value in values:
        if value in (None, ""):
            continue
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        instants.append(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))
    return max(instants, default=None)


def expired(mirror: Mirror, now: dt.datetime, days: int, limit: int) -> list[str]:
    """Ids of at most `limit` records still in Airtable whose every date is more than `days` before now, oldest
    first; never a text still queued nor a consent event (a reply without a link, an opt-out status), which the
    publisher reads from Airtable itself."""
    cutoff = now - dt.timedelta(days=days)
    candidates = []
    for record in mirror.records:
        fields = record.get("fields", {})
        latest = _latest(
            [*(fields.get(name) for name in ("campaign_date", "sent_date", "created_date")), record.get("createdTime")]
        )
        status, message = str(fields.get("status") or "").strip().lower(), str(fields.get("message") or "")
        keep = (
            record["id"] in mirror.removed
            or latest is None
            or latest >= cutoff
            or status in QUEUED_STATUSES
            or any(word in status for word in OPT_OUT_STATUS_WORDS)
            or (message.strip() and "http" not in message.lower())
        )
        if not keep:
            candidates.append((latest, record["id"]))
    return [record_id for _, record_id in sorted(candidates)[:limit]]
