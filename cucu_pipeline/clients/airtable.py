"""The `airtable` resource: the Messages table in Airtable, or a local SQLite copy of it.

Both return records in Airtable's own shape, `{"id", "createdTime", "fields": {...}}`, so everything downstream
reads one format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

import dagster as dg
import requests
from pyairtable import Api
from pyairtable import formulas as F
from pydantic import PrivateAttr
from upath import UPath

from cucu_pipeline.campaign.publishing.queue import QUEUE_FIELDS
from cucu_pipeline.campaign.publishing.records import (
    BATCH_SIZE,
    REVIEW_FIELDS,
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
    RequestCount,
    ThrottledAdapter,
    capped_retries,
    delete_records,
    list_all_records,
    masked_errors,
    refusal,
)
from cucu_pipeline.clients.airtable_mirror import expired, load, save, synced
from cucu_pipeline.clients.airtable_schema import MESSAGES_FIELDS, set_up, table_fields
from cucu_pipeline.clients.retries import retry_garbled
from cucu_pipeline.profiles.message_history import OPT_OUT_STATUS_WORDS, QUEUED_STATUSES
from cucu_pipeline.sources.documents import MessageRecord
from cucu_pipeline.sources.tables import Normalized, normalize_documents

# The Messages table's fields, with the types `python -m cucu_pipeline.airtable setup` gives them (airtable_schema.py).
MESSAGE_FIELDS = tuple(MESSAGES_FIELDS)


class MessageStore(dg.ConfigurableResource):
    """Where past and queued texts live; assets depend on this interface only."""

    # In a run (None outside one): the outcome of validating each record, by record id (`normalize_documents`), and
    # the table as last read until the run writes to it, so the outcomes and the weekly read share one read.
    _validated: dict | None = PrivateAttr(default=None)
    _snapshot: Normalized | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._validated = {}  # a fresh copy of the resource for every run (`DocumentSource`)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._validated, self._snapshot = None, None

    def fetch_records(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def records(self) -> Normalized:
        """Every record of the table as it stands now, validated (`MessageRecord`), with the tally. In a run, read
        once until the run writes; each reader gets its own copy of the frame."""
        if self._snapshot is None:
            table = normalize_documents(self.fetch_records(), MessageRecord, remembered=self._validated)
            if self._validated is None:  # outside a run: every read is new
                return table
            self._snapshot = table
        snapshot = self._snapshot
        return dataclasses.replace(snapshot, frame=snapshot.frame.copy(), rejected=snapshot.rejected.copy())

    def _written(self) -> None:
        self._snapshot = None  # the next read asks the store again

    def publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        """Upsert records keyed by `message_key`, skipping any that the cooldown re-check forbids."""
        raise NotImplementedError

    def withdraw(self, patches: list[dict[str, Any]]) -> int:
        """Mark queued texts withdrawn (`withdrawals`), by record id; how many the store changed."""
        raise NotImplementedError

    def fetch_queued(self) -> list[dict[str, Any]]:
        """The records still queued, for the queue's review before and after publishing: at least their
        `QUEUE_FIELDS`."""
        raise NotImplementedError

    def requests_made(self) -> int:
        """Requests sent to Airtable by this resource so far (a local store sends none)."""
        return 0

    def apply_retention(self) -> int:
        """Remove records past the retention from the store once storage holds them (docs/airtable.md); how many."""
        return 0


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
    # Where the table is mirrored (`airtable_mirror`): reads then ask Airtable only for what changed. Empty: every
    # read lists the whole table. `full_sync` lists it whole once more and merges it into the mirror.
    mirror_url: str = ""
    full_sync: bool = False
    # Records older than this many days leave Airtable once the mirror holds them (0: never), at most
    # `retention_limit` a run: 200 requests, 40 s at Airtable's rate.
    retention_days: int = 0
    retention_limit: int = 2000
    _requests: RequestCount = PrivateAttr(default_factory=RequestCount)

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
        throttled = ThrottledAdapter(limiter, self.deadline_seconds, self._requests, max_retries=retries)
        api.session.mount("https://", throttled)
        api.session.mount("http://", throttled)
        return api.table(self.base_id, self.table_name)

    def table_fields(self) -> dict[str, str] | None:
        """The Messages table's fields by name with their types; None when the base has no such table."""
        return masked_errors(functools.partial(table_fields, self._table(), self.table_name))

    def set_up(self) -> list[str]:
        """The Messages table created, or the fields it lacks added (`airtable_schema.set_up`)."""
        return masked_errors(functools.partial(set_up, self._table(), self.table_name))

    def fetch_records(self) -> list[dict[str, Any]]:
        table = self._table()
        if not self.mirror_url:
            return masked_errors(lambda: list_all_records(table, self.page_attempts))

        def list_records(formula: str | None) -> list[dict[str, Any]]:
            return list_all_records(table, self.page_attempts, formula)

        now = functools.partial(dt.datetime.now, dt.UTC)
        mirror, how = masked_errors(lambda: synced(self._mirror_path(), list_records, now, self.full_sync))
        dg.get_dagster_logger().info(f"Read the Messages table ({how}): {len(mirror.records)} records")
        return mirror.records

    def _mirror_path(self) -> UPath:
        return UPath(self.mirror_url) / "messages.parquet"

    def apply_retention(self) -> int:
        """Remove from Airtable the records past the retention that the stored mirror holds; how many left."""
        if not (self.retention_days > 0 and self.mirror_url):
            return 0
        self._written()
        table, path = self._table(), self._mirror_path()

        def remove() -> int:
            mirror = load(path)  # what storage holds: only those records may leave Airtable
            if mirror is None:
                return 0
            ids = expired(mirror, dt.datetime.now(dt.UTC), self.retention_days, self.retention_limit)
            for start in range(0, len(ids), BATCH_SIZE):
                delete_records(table, ids[start : start + BATCH_SIZE])
            mirror.removed |= set(ids)
            save(path, mirror)
            return len(ids)

        return masked_errors(remove)

    def fetch_queued(self) -> list[dict[str, Any]]:
        """Filtered by Airtable: a page or two, however long the table's history."""
        table = self._table()
        return masked_errors(lambda: list_all_records(table, self.page_attempts, QUEUED_FORMULA, QUEUE_FIELDS))

    def requests_made(self) -> int:
        return self._requests.value

    def publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        self._written()
        return masked_errors(lambda: self._publish(records, campaign_date, cooldown_days))

    def withdraw(self, patches: list[dict[str, Any]]) -> int:
        self._written()
        table = self._table()

        def update_all() -> int:
            for start in range(0, len(patches), BATCH_SIZE):
                update = functools.partial(table.batch_update, patches[start : start + BATCH_SIZE])
                retry_garbled(update, GARBLED_ANSWERS)
            return len(patches)

        return masked_errors(update_all)

    def _publish(self, records: list[dict[str, Any]], campaign_date: dt.date, cooldown_days: int) -> list[Outcome]:
        table = self._table()
        window = review_formula(campaign_date, cooldown_days)
        existing = list_all_records(table, self.page_attempts, window, REVIEW_FIELDS)
        review = cooldown_review(existing, records, campaign_date, cooldown_days)
        outcomes = [Outcome(key, None, "skipped", reason) for key, reason in review.conflicts.items()]
        writes = [record for record in records if record["message_key"] not in review.conflicts]
        refused: dict[str, str] = {}
        patches = superseding_patches(review.superseded)
        outcomes += _write(table, [*writes, *patches], existing, review.superseded, refused)
        # Runs that share no Dagster instance can write to one member at once: read again and settle, so the table
        # itself ends with one text per member within the cooldown, whichever run reads last.
        after = list_all_records(table, self.page_attempts, window, REVIEW_FIELDS)
        landed = [record for record in writes if record["message_key"] not in refused]
        settled = cooldown_review(after, landed, campaign_date, cooldown_days)
        patches = superseding_patches([*settled.conflicts, *settled.superseded])  # ours withdrawn, theirs replaced
        outcomes += _write(table, patches, after, settled.superseded, refused)
        if refused:  # after every other record is written: a re-run writes each of those once more, in place
            named = "; ".join(f"{key}: {why}" for key, why in sorted(refused.items()))
            raise RefusedRecords(f"Airtable refused {len(refused)} of {len(records)} records ({named})")
        return outcomes + [Outcome(key, None, "skipped", f"{why}_meanwhile") for key, why in settled.conflicts.items()]


class RefusedRecords(RuntimeError):
    """Records Airtable would not take, each named by its key with the field and the reason; the other records of
    their batches were written."""


def _upsert(table, records: list[dict[str, Any]], refused: dict[str, str]) -> list[tuple[dict, bool]]:
    """Upsert `records` on `message_key`, each written row with whether it was created; a batch Airtable refuses
    is written one record at a time, so only the refused ones stay out (noted in `refused`)."""
    upsert = functools.partial(table.batch_upsert, [{"fields": r} for r in records], key_fields=["message_key"])
    try:
        result = retry_garbled(upsert, GARBLED_ANSWERS)
    except requests.HTTPError as error:
        if (why := refusal(error)) is None:
            raise
        if len(records) == 1:
            refused[records[0]["message_key"]] = why
            return []
        return [row for record in records for row in _upsert(table, [record], refused)]
    created = set(result["createdRecords"])
    return [(row, row["id"] in created) for row in result["records"]]


def _write(
    table, writes: list[dict[str, Any]], existing: list[dict[str, Any]], superseded: list[str], refused: dict[str, str]
) -> list[Outcome]:
    """Upserts on `message_key` in batches of ten; a key copied onto two rows is written by record id."""
    outcomes = []
    by_key, by_id = split_by_duplicates(writes, duplicate_rows(existing))
    for start in range(0, len(by_key), BATCH_SIZE):
        written = _upsert(table, by_key[start : start + BATCH_SIZE], refused)
        outcomes += [write_outcome(row, superseded, created) for row, created in written]
    for start in range(0, len(by_id), BATCH_SIZE):
        update = functools.partial(table.batch_update, by_id[start : start + BATCH_SIZE])
        outcomes += [write_outcome(row, superseded, False) for row in retry_garbled(update, GARBLED_ANSWERS)]
    return outcomes


_STATUS = F.LOWER(F.TRIM(F.Field("status")))
QUEUED_FORMULA = str(F.OR(*(F.EQ(_STATUS, status) for status in sorted(QUEUED_STATUSES))))


def review_formula(campaign_date: dt.date, cooldown_days: int) -> str:
    """The records `cooldown_review` can be moved by, as Airtable filters them (a superset, never fewer): any dated
    within a day more than the cooldown before the date or later, and every consent event however old (a reply
    with words but no link, an opt-out status). Its size follows the texts of a few weeks, not the table's age."""
    since = campaign_date - dt.timedelta(days=cooldown_days + 1)
    dated = [F.IS_AFTER(F.Field(name), since) for name in ("campaign_date", "sent_date", "created_date")]
    reply = F.AND(F.GT(F.LEN(F.Field("message")), 0), F.EQ(F.FIND("http", F.LOWER(F.Field("message"))), 0))
    opted_out = [F.GT(F.FIND(word, _STATUS), 0) for word in OPT_OUT_STATUS_WORDS]
    return str(F.OR(*dated, F.IS_AFTER(F.CREATED_TIME(), since), reply, *opted_out))
