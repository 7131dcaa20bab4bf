"""What publishing did with each record of a date (`published_messages`): written, skipped, or left out because its
send window had closed when the run published: a backfill cannot text (docs/operations.md: "Backfills")."""

from __future__ import annotations

import pandas as pd

from cucu_pipeline.campaign.publishing.records import Outcome

BACKFILL = "backfill"  # the record's send window had closed when its run published: never written, never sent
SEND_WINDOW_CLOSED = "send_window_closed"


def past_windows(records: list[dict], at: pd.Timestamp) -> tuple[list[dict], list[Outcome]]:
    """The records still sendable at `at` (their send window closes later), and an outcome for each of the others:
    a backfill computes a past date's texts but queues none, since nobody can send them (docs/operations.md:
    "Backfills")."""
    closes = pd.to_datetime(pd.Series([record.get("send_before") for record in records], dtype=object), utc=True)
    open_ = (closes > at).fillna(False).tolist() if records else []
    late = [
        Outcome(record["message_key"], None, BACKFILL, SEND_WINDOW_CLOSED)
        for record, sendable in zip(records, open_)
        if not sendable
    ]
    return [record for record, sendable in zip(records, open_) if sendable], late


PUBLISHED_COLUMNS = [
    "message_key",
    "campaign_date",
    "user_id",
    "event_id",
    "message",
    "airtable_record_id",
    "outcome",
    "skip_reason",
]


def published_table(records: list[dict], outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per record offered to the store, with what the store did with it."""
    by_key = {outcome.message_key: outcome for outcome in outcomes}
    rows = [
        {
            **{column: record[column] for column in PUBLISHED_COLUMNS[:5]},
            "airtable_record_id": by_key[record["message_key"]].airtable_record_id,
            "outcome": by_key[record["message_key"]].outcome,
            "skip_reason": by_key[record["message_key"]].skip_reason,
        }
        for record in records
    ]
    return pd.DataFrame(rows, columns=PUBLISHED_COLUMNS)
