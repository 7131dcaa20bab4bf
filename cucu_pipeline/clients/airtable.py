"""The `airtable` resource: the Messages table in Airtable, or a local SQLite copy of it.

Both return records in Airtable's own shape, `{"id", "createdTime", "fields": {...}}`, so everything downstream
reads one format.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import dagster as dg
from pyairtable import Api

from cucu_pipeline.campaign.publishing import (
    BATCH_SIZE,
    SUPERSEDED,
    Outcome,
    cooldown_review,
    duplicate_rows,
    split_by_duplicates,
    superseding_patches,
    write_outcome,
)
from cucu_pipeline.clients.airtable_http import (
    GARBLED_ANSWERS,
    RateLimiter,
    ThrottledAdapter,
    capped_retries,
    list_all_records,
    masked_errors,
)
from cucu_pipeline.clients.retries import retry_garbled
from cucu_pipeline.core.dates import utc_iso
from cucu_pipeline.profiles.message_history import QUEUED_STATUSES
from cucu_pipeline.sources.exports import read_export

# The Messages table's fields: the old scripts' columns plus the ones this project adds (README: "Publishing").
MESSAGE_FIELDS = (
    "user_id", "user_name", "user_email", "user_phone", "event_id", "event_name", "event_date", "message", "campaign",
    "status", "sent_date", "created_date", "message_key", "campaign_date", "segments", "checks", "model",
    "send_timezone", "send_after", "send_before", "experiment", "arm", "user_segment", "writing_cost_usd", "when",
    "match_reasoning", "confidence_percentage", "user_summary", "event_summary", "withdrawn_reason",
)  # fmt: skip


class MessageStore(dg.ConfigurableResource):
    """Where past and queued texts live; assets depend on this interface only."""

    def fetch_records(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        """Upsert records keyed by `message_key`, skipping any that the cooldown re-check forbids."""
        raise NotImplementedError

    def withdraw(self, patches: list[dict[str, Any]]) -> int:
        """Mark queued texts withdrawn (`withdrawals`), by record id; how many the store changed."""
        raise NotImplementedError


class AirtableMessageStore(MessageStore):
    """Production: pyairtable with timeouts and retries that outlast Airtable's 30-second 429 penalty."""

    api_key: str
    base_id: str
    table_name: str
    endpoint_url: str = "https://api.airtable.com"
    # Waits of 0, 4, 8, 16 and 32 s: together longer than the 30 s Airtable makes a client wait after a 429.
    # Every request is safe to retry, writes included: reads, and upserts on a deterministic key.
    retry_backoff_seconds: float = 2.0
    requests_per_second: float = 5.0
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 30.0
    page_attempts: int = 6
    deadline_seconds: float = 60.0  # for a whole answer, however slowly its bytes arrive
    retry_after_cap_seconds: float = 60.0

    def _table(self):
        retries = capped_retries(
            self.retry_after_cap_seconds,
            status_forcelist=(429, 500, 502, 503, 504),
            backoff_factor=self.retry_backoff_seconds,
            total=6,
            allowed_methods=None,
        )
        timeout = (self.connect_timeout_seconds, self.read_timeout_seconds)
        api = Api(self.api_key, timeout=timeout, retry_strategy=retries, endpoint_url=self.endpoint_url)
        limiter = RateLimiter(self.requests_per_second)
        throttled = ThrottledAdapter(limiter, self.deadline_seconds, max_retries=retries)
        api.session.mount("https://", throttled)
        api.session.mount("http://", throttled)
        return api.table(self.base_id, self.table_name)

    def fetch_records(self) -> list[dict[str, Any]]:
        table = self._table()
        return masked_errors(lambda: list_all_records(table, self.page_attempts))

    def publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        return masked_errors(lambda: self._publish(records, campaign_date, cooldown_days))

    def withdraw(self, patches: list[dict[str, Any]]) -> int:
        table = self._table()

        def update_all() -> int:
            for start in range(0, len(patches), BATCH_SIZE):
                update = functools.partial(table.batch_update, patches[start : start + BATCH_SIZE])
                retry_garbled(update, GARBLED_ANSWERS)
            return len(patches)

        return masked_errors(update_all)

    def _publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        table = self._table()
        existing = list_all_records(table, self.page_attempts)
        review = cooldown_review(existing, records, campaign_date, cooldown_days)
        outcomes = [Outcome(key, None, "skipped", reason) for key, reason in review.conflicts.items()]
        writes = [record for record in records if record["message_key"] not in review.conflicts]
        outcomes += _write(table, [*writes, *superseding_patches(review.superseded)], existing, review.superseded)
        # Runs that share no Dagster instance can write to one member at once: read again and settle, so the table
        # itself ends with one text per member within the cooldown, whichever run reads last.
        after = list_all_records(table, self.page_attempts)
        settled = cooldown_review(after, writes, campaign_date, cooldown_days)
        patches = superseding_patches([*settled.conflicts, *settled.superseded])  # ours withdrawn, theirs replaced
        outcomes += _write(table, patches, after, settled.superseded)
        return outcomes + [Outcome(key, None, "skipped", f"{why}_meanwhile") for key, why in settled.conflicts.items()]


def _write(table, writes: list[dict[str, Any]], existing: list[dict[str, Any]], superseded: list[str]) -> list[Outcome]:
    """Upserts on `message_key` in batches of ten; a key copied onto two rows is written by record id."""
    outcomes = []
    by_key, by_id = split_by_duplicates(writes, duplicate_rows(existing))
    for start in range(0, len(by_key), BATCH_SIZE):
        chunk = [{"fields": record} for record in by_key[start : start + BATCH_SIZE]]
        upsert = functools.partial(table.batch_upsert, chunk, key_fields=["message_key"])
        result = retry_garbled(upsert, GARBLED_ANSWERS)
        created = set(result["createdRecords"])
        outcomes += [write_outcome(row, superseded, row["id"] in created) for row in result["records"]]
    for start in range(0, len(by_id), BATCH_SIZE):
        update = functools.partial(table.batch_update, by_id[start : start + BATCH_SIZE])
        outcomes += [write_outcome(row, superseded, False) for row in retry_garbled(update, GARBLED_ANSWERS)]
    return outcomes


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

    def publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        """Check and write in one transaction, so partitions published in parallel see each other's texts."""
        with closing(self.connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                existing = [_row_to_record(row) for row in connection.execute("SELECT * FROM messages")]
                review = cooldown_review(existing, records, campaign_date, cooldown_days)
                ids_by_key = {record["fields"].get("message_key"): record["id"] for record in existing}
                outcomes = [_upsert_row(connection, record, ids_by_key, review.conflicts) for record in records]
                for patch in superseding_patches(review.superseded):
                    _upsert_row(connection, patch, ids_by_key, {})
                    outcomes.append(Outcome(patch["message_key"], ids_by_key[patch["message_key"]], SUPERSEDED))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return outcomes

    def withdraw(self, patches: list[dict[str, Any]]) -> int:
        """Only a text still queued is withdrawn: one the team sent meanwhile stays as it is."""
        with closing(self.connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                queued = sorted(QUEUED_STATUSES)
                changed = sum(
                    connection.execute(
                        "UPDATE messages SET status = ?, withdrawn_reason = ? WHERE record_id = ? AND "
                        f"lower(trim(status)) IN ({', '.join('?' for _ in queued)})",
                        (patch["fields"]["status"], patch["fields"]["withdrawn_reason"], patch["id"], *queued),
                    ).rowcount
                    for patch in patches
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return changed


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
                connection.executemany(
                    f"INSERT OR IGNORE INTO messages ({quoted}) VALUES ({placeholders})",
                    [[row.get(name) for name in names] for row in rows],
                )
            connection.execute("INSERT INTO store_state VALUES ('seeded', ?)", (str(len(rows)),))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _sqlite_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
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
        "created_time": _sqlite_value(created),
        **{name: _sqlite_value(item.get(name)) for name in MESSAGE_FIELDS},
    }


def _upsert_row(
    connection: sqlite3.Connection, record: dict[str, Any], ids_by_key: dict, conflicts: dict[str, str]
) -> Outcome:
    key = record["message_key"]
    if key in conflicts:
        return Outcome(key, ids_by_key.get(key), "skipped", conflicts[key])
    names = [name for name in MESSAGE_FIELDS if name in record]
    values = [_sqlite_value(record[name]) for name in names]
    if key in ids_by_key:
        assignments = ", ".join(f'"{name}" = ?' for name in names)
        connection.execute(f"UPDATE messages SET {assignments} WHERE message_key = ?", [*values, key])
        return Outcome(key, ids_by_key[key], "updated")
    record_id = f"rec{hashlib.sha1(key.encode()).hexdigest()[:14]}"
    quoted = ", ".join(f'"{name}"' for name in ["record_id", "created_time", *names])
    placeholders = ", ".join("?" for _ in range(len(names) + 2))
    connection.execute(
        f"INSERT INTO messages ({quoted}) VALUES ({placeholders})",
        [record_id, _sqlite_value(record.get("created_date")), *values],
    )
    return Outcome(key, record_id, "created")


def _row_to_record(row: sqlite3.Row) -> dict[str, Any]:
    fields = {name: row[name] for name in MESSAGE_FIELDS if row[name] is not None}
    return {"id": row["record_id"], "createdTime": row["created_time"], "fields": fields}
