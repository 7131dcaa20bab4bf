"""The local stand-in of the `airtable` resource: the Messages table as `<data_dir>/airtable.sqlite`, one column per
Airtable field, answering in Airtable's own record shape like the production store (`airtable.py`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import operator
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from cucu_pipeline.campaign.publishing.queue import QUEUE_FIELDS
from cucu_pipeline.campaign.publishing.records import (
    REVIEW_FIELDS,
    SUPERSEDED,
    Outcome,
    cooldown_review,
    superseding_patches,
)
from cucu_pipeline.clients.airtable import MESSAGE_FIELDS, MessageStore
from cucu_pipeline.core.dates import utc_iso
from cucu_pipeline.profiles.message_history import OPT_OUT_STATUS_WORDS, QUEUED_STATUSES
from cucu_pipeline.sources.exports import read_export

_QUEUED = sorted(QUEUED_STATUSES)
_IS_QUEUED = f"lower(trim(status)) IN ({', '.join('?' for _ in _QUEUED)})"  # with `_QUEUED` as its arguments
# `review_formula` in SQLite's words: the records dated (or keyed) since a day, and every consent event.
_DATED = ("campaign_date", "sent_date", "created_date", "created_time", "message_key")
_SELECT_REVIEWED = (
    "SELECT record_id, created_time, "
    + ", ".join(f'"{name}"' for name in REVIEW_FIELDS)
    + " FROM messages WHERE "
    + " OR ".join(f'"{name}" >= :since' for name in _DATED)
    + " OR (length(message) > 0 AND instr(lower(message), 'http') = 0)"
    + "".join(f" OR instr(lower(trim(status)), '{word}') > 0" for word in OPT_OUT_STATUS_WORDS)
)


class LocalMessageStore(MessageStore):
    """Local stand-in: `<data_dir>/airtable.sqlite`, table `messages`, one column per Airtable field.

    Created and seeded from `<data_dir>/raw/messages.json` the first time it is opened.
    """

    data_dir: str

    @property
    def path(self) -> Path:
        return Path(self.data_dir) / "airtable.sqlite"

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        _ensure_schema(connection)
        _seed_once(connection, Path(self.data_dir) / "raw" / "messages.json")
        return connection

    def fetch_records(self) -> list[dict[str, Any]]:
        with closing(self.connect()) as connection:
            rows = connection.execute("SELECT * FROM messages ORDER BY rowid").fetchall()
        return _records(rows)

    def publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        """Check and write in one transaction, so partitions published in parallel see each other's texts."""
        self._written()
        with closing(self.connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                since = (campaign_date - dt.timedelta(days=cooldown_days + 1)).isoformat()
                rows = connection.execute(_SELECT_REVIEWED, {"since": since})
                existing = _records(rows.fetchall(), REVIEW_FIELDS)
                review = cooldown_review(existing, records, campaign_date, cooldown_days)
                ids_by_key = {record["fields"].get("message_key"): record["id"] for record in existing}
                outcomes = _upsert_rows(connection, records, ids_by_key, review.conflicts)
                patches = superseding_patches(review.superseded)
                _upsert_rows(connection, patches, ids_by_key, {})
                outcomes += [Outcome(p["message_key"], ids_by_key[p["message_key"]], SUPERSEDED) for p in patches]
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return outcomes

    def withdraw(self, patches: list[dict[str, Any]]) -> int:
        """Only a text still queued is withdrawn: one the team sent meanwhile stays as it is."""
        self._written()
        with closing(self.connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                changed = sum(
                    connection.execute(
                        f"UPDATE messages SET status = ?, withdrawn_reason = ? WHERE record_id = ? AND {_IS_QUEUED}",
                        (patch["fields"]["status"], patch["fields"]["withdrawn_reason"], patch["id"], *_QUEUED),
                    ).rowcount
                    for patch in patches
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return changed

    def fetch_queued(self) -> list[dict[str, Any]]:
        """Only the `QUEUE_FIELDS`: the review runs twice a run over every queued text."""
        columns = ", ".join(f'"{name}"' for name in QUEUE_FIELDS)
        query = f"SELECT record_id, created_time, {columns} FROM messages WHERE {_IS_QUEUED} ORDER BY rowid"
        with closing(self.connect()) as connection:
            rows = connection.execute(query, _QUEUED).fetchall()
        return _records(rows, QUEUE_FIELDS)


def _ensure_schema(connection: sqlite3.Connection) -> None:
    columns = ", ".join(f'"{name}"' for name in MESSAGE_FIELDS)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS messages (record_id TEXT PRIMARY KEY, created_time TEXT, {columns})"
    )
    present = {row["name"] for row in connection.execute("PRAGMA table_info(messages)")}
    for name in MESSAGE_FIELDS:  # a store made before a field existed gains its column
        if name not in present:
            connection.execute(f'ALTER TABLE messages ADD COLUMN "{name}"')
    connection.execute("CREATE UNIQUE INDEX IF NOT EXISTS messages_by_key ON messages(message_key)")
    connection.execute("CREATE TABLE IF NOT EXISTS store_state (name TEXT PRIMARY KEY, value TEXT)")


def _seed_once(connection: sqlite3.Connection, seed_path: Path) -> None:
    """Seed inside one write transaction, so parallel runs opening a new store seed it exactly once."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("SELECT 1 FROM store_state WHERE name = 'seeded'").fetchone() is None:
            seed = read_export(seed_path).documents if seed_path.exists() else []
            rows = [_seed_row(position, item) for position, item in enumerate(seed) if isinstance(item, dict)]
            if rows:
                names = ["record_id", "created_time", *MESSAGE_FIELDS]
                placeholders = ", ".join("?" for _ in names)
                quoted = ", ".join(f'"{name}"' for name in names)
                connection.executemany(f"INSERT OR IGNORE INTO messages ({quoted}) VALUES ({placeholders})", rows)
            connection.execute("INSERT INTO store_state VALUES ('seeded', ?)", (str(len(rows)),))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _sqlite_value(value: Any) -> Any:
    if value is None or type(value) is str or isinstance(value, (str, int, float)):  # most values: text or nothing
        return value
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, default=str)


def _seed_row(position: int, item: dict[str, Any]) -> list[Any]:
    """A flat message from the export as a store row (`record_id`, `created_time`, then `MESSAGE_FIELDS`); its
    record id is kept or derived deterministically."""
    record_id = item.get("airtable_id") or item.get("id")
    if not isinstance(record_id, str) or not record_id:
        digest = hashlib.sha1(f"{position}:{json.dumps(item, sort_keys=True, default=str)}".encode()).hexdigest()
        record_id = f"rec{digest[:14]}"
    created = item.get("created_date") or item.get("sent_date")
    return [record_id, _sqlite_value(created), *[_sqlite_value(item.get(name)) for name in MESSAGE_FIELDS]]


def _upsert_rows(
    connection: sqlite3.Connection, records: list[dict[str, Any]], ids_by_key: dict, conflicts: dict[str, str]
) -> list[Outcome]:
    """Each record updated in place by its key, or inserted, in order; a run of records written by one statement is
    sent as one `executemany` (a statement per record took 65 us)."""
    outcomes, statements = [], []
    for record in records:
        key = record["message_key"]
        if key in conflicts:
            outcomes.append(Outcome(key, ids_by_key.get(key), "skipped", conflicts[key]))
            continue
        names = [name for name in MESSAGE_FIELDS if name in record]
        values = [_sqlite_value(record[name]) for name in names]
        if key in ids_by_key:
            assignments = ", ".join(f'"{name}" = ?' for name in names)
            statements.append((f"UPDATE messages SET {assignments} WHERE message_key = ?", [*values, key]))
            outcomes.append(Outcome(key, ids_by_key[key], "updated"))
            continue
        record_id = f"rec{hashlib.sha1(key.encode()).hexdigest()[:14]}"
        quoted = ", ".join(f'"{name}"' for name in ["record_id", "created_time", *names])
        placeholders = ", ".join("?" for _ in range(len(names) + 2))
        row = [record_id, _sqlite_value(record.get("created_date")), *values]
        statements.append((f"INSERT INTO messages ({quoted}) VALUES ({placeholders})", row))
        outcomes.append(Outcome(key, record_id, "created"))
    for statement, runs in itertools.groupby(statements, key=operator.itemgetter(0)):
        connection.executemany(statement, [parameters for _, parameters in runs])
    return outcomes


def _records(rows: list[sqlite3.Row], names: tuple[str, ...] = MESSAGE_FIELDS) -> list[dict[str, Any]]:
    """Rows as Airtable records, each field present only when it holds a value."""
    if not rows:
        return []
    # By position: a `sqlite3.Row` looks each name up by comparing it with every column's, three times slower.
    columns = rows[0].keys()
    record_id, created_time = columns.index("record_id"), columns.index("created_time")
    positions = [(name, columns.index(name)) for name in names]
    return [
        {
            "id": row[record_id],
            "createdTime": row[created_time],
            "fields": {name: row[position] for name, position in positions if row[position] is not None},
        }
        for row in map(tuple, rows)
    ]
