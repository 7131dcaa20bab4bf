"""A backfill cannot text (docs/operations.md: "Backfills"): a record whose send window has closed when its run
publishes is never written to the live table, since nobody can send it."""

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
