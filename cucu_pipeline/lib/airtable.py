"""The `airtable` resource: the Messages table in Airtable, or a local SQLite copy of it.

Both return records in Airtable's own shape, `{"id", "createdTime", "fields": {...}}`, so everything downstream
reads one format.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import dagster as dg
from pyairtable import Api
from pyairtable.api.retrying import retry_strategy

from cucu_pipeline.lib.exports import read_export

# The Messages table's fields: the old scripts' columns plus the ones this project adds (SPEC §9).
MESSAGE_FIELDS = (
    "user_id", "user_name", "user_email", "user_phone", "event_id", "event_name", "event_date", "message",
    "campaign", "status", "sent_date", "created_date", "message_key", "campaign_date", "segments", "checks", "model",
)  # fmt: skip


class MessageStore(dg.ConfigurableResource):
    """Where past and queued texts live; assets depend on this interface only."""

    def fetch_records(self) -> list[dict[str, Any]]:
        raise NotImplementedError


class AirtableMessageStore(MessageStore):
    """Production: pyairtable with a timeout and retries that outlast Airtable's 30-second 429 penalty."""

    api_key: str
    base_id: str
    table_name: str
    endpoint_url: str = "https://api.airtable.com"
    # Waits of 0, 4, 8, 16 and 32 s: together longer than the 30 s Airtable makes a client wait after a 429.
    retry_backoff_seconds: float = 2.0

    def _table(self):
        retries = retry_strategy(
            status_forcelist=(429, 500, 502, 503, 504), backoff_factor=self.retry_backoff_seconds, total=6
        )
        api = Api(self.api_key, timeout=(5, 30), retry_strategy=retries, endpoint_url=self.endpoint_url)
        return api.table(self.base_id, self.table_name)

    def fetch_records(self) -> list[dict[str, Any]]:
        return self._table().all(page_size=100)


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
        return [_row_to_record(row) for row in rows]


def _ensure_schema(connection: sqlite3.Connection) -> None:
    columns = ", ".join(f'"{name}"' for name in MESSAGE_FIELDS)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS messages (record_id TEXT PRIMARY KEY, created_time TEXT, {columns})"
    )
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
                connection.executemany(
                    f"INSERT OR IGNORE INTO messages ({quoted}) VALUES ({placeholders})",
                    [[row.get(name) for name in names] for row in rows],
                )
            connection.execute("INSERT INTO store_state VALUES ('seeded', ?)", (str(len(rows)),))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return json.dumps(value, default=str)


def _seed_row(position: int, item: dict[str, Any]) -> dict[str, Any]:
    """A flat message from the export as a store row; its record id is kept or derived deterministically."""
    record_id = item.get("airtable_id") or item.get("id")
    if not isinstance(record_id, str) or not record_id:
        digest = hashlib.sha1(f"{position}:{json.dumps(item, sort_keys=True, default=str)}".encode()).hexdigest()
        record_id = f"rec{digest[:14]}"
    created = item.get("created_date") or item.get("sent_date")
    return {
        "record_id": record_id,
        "created_time": _cell(created),
        **{name: _cell(item.get(name)) for name in MESSAGE_FIELDS},
    }


def _row_to_record(row: sqlite3.Row) -> dict[str, Any]:
    fields = {name: row[name] for name in MESSAGE_FIELDS if row[name] is not None}
    return {"id": row["record_id"], "createdTime": row["created_time"], "fields": fields}
