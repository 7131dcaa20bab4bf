"""The queue stays true (docs/people.md): queued texts whose event can no longer be booked as they say are withdrawn
on every run, and the queue is reviewed again after publishing."""

from __future__ import annotations

import pandas as pd

from cucu_pipeline.profiles.eligibility import unbookable_texts
from cucu_pipeline.profiles.message_history import QUEUED_STATUSES, WITHDRAWN, normalized_statuses

# The fields the queue's review reads: stores may return only these (`MessageStore.fetch_queued`).
QUEUE_FIELDS = ("status", "event_id", "event_date")


def withdrawals(existing: list[dict], events: pd.DataFrame, reference: pd.Timestamp) -> list[dict]:
    """Patches by record id that withdraw every queued, unsent text whose event is now canceled, not public, full,
    already started (as of the reference instant), moved to another start, or gone (docs/people.md: "The queue stays
    true"). Each carries `status` `withdrawn` and `withdrawn_reason` (`event_canceled`, `event_moved`...)."""
    table = _queue_table(existing)
    queued = table[normalized_statuses(table).isin(QUEUED_STATUSES) & table["event_id"].notna()]
    withdrawn = queued.assign(reason=unbookable_texts(queued, events, reference)).dropna(subset=["reason"])
    return [
        {"id": record, "fields": {"status": WITHDRAWN, "withdrawn_reason": f"event_{why}"}}
        for record, why in zip(withdrawn["record_id"], withdrawn["reason"])
    ]


def _queue_table(records: list[dict]) -> pd.DataFrame:
    """The record id and `QUEUE_FIELDS`, without validating whole records (the queue is read twice a run):
    an `event_date` that is not a date reads as unknown, so the text is never taken for moved."""
    fields = [record["fields"] for record in records]
    event_ids = [field.get("event_id") for field in fields]
    return pd.DataFrame(
        {
            "record_id": [record["id"] for record in records],
            "status": pd.Series([field.get("status") for field in fields], dtype=object),
            "event_id": pd.Series([None if event is None else str(event) for event in event_ids], dtype=object),
            "event_date": pd.to_datetime(
                pd.Series([field.get("event_date") for field in fields], dtype=object),
                utc=True,
                errors="coerce",
                format="ISO8601",
            ),
        }
    )
