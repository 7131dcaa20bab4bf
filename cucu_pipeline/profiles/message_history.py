"""Message history as of a campaign date, and what it says about each member.

A message belongs to the history of date D when its campaign date is before D (messages this partition wrote
itself never count against it, so re-running is harmless), or, for messages without a campaign date, when it was
created before D's reference instant. A text sent after the reference instant was still queued as of D.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cucu_pipeline.core.dates import pacific_dates
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.profiles.eligibility import unbookable_texts

SENT_STATUSES = frozenset({"sent", "delivered"})
QUEUED_STATUSES = frozenset({"queued", "scheduled", "pending"})
OPT_OUT_STATUSES = frozenset({"opted_out", "stop", "unsubscribed"})
# Words a raw status holds when it may be an opt-out (`Opted Out`, `STOP`, `unsubscribed`): a superset of
# `OPT_OUT_STATUSES` that a store's query can test without normalizing the status first.
OPT_OUT_STATUS_WORDS = ("opt", "stop", "unsub")
# A queued text the publisher withdrew because its event could no longer be booked as the text says.
WITHDRAWN = "withdrawn"
# A member the experiment held out is under the cooldown like a texted one, so the next days leave the control alone.
HELD_OUT_STATUSES = frozenset({HOLDOUT})
# What the history keeps of a record: what it said and how it stood at D, never what changed after (its current
# status, a later sent date) nor the member's contact details, so that a stored date reads the same on every re-run.
AS_OF_COLUMNS = [
    "record_id", "message_key", "campaign_date", "person_id", "user_id", "event_id", "event_date", "campaign",
    "message", "experiment", "arm", "user_segment", "sent_date", "status_as_of", "contact_day",
]  # fmt: skip


def normalized_statuses(messages: pd.DataFrame) -> pd.Series:
    """Message statuses as keys: `Opted Out` -> `opted_out`."""
    return messages["status"].fillna("").str.strip().str.lower().str.replace(" ", "_")


def message_history(
    messages: pd.DataFrame, campaign_date: dt.date, reference: pd.Timestamp, events: pd.DataFrame
) -> pd.DataFrame:
    """The messages that existed before D (`messages` carry `person_id`), each with its status and contact day as
    of D and its sent date when it was sent by then (`AS_OF_COLUMNS`).

    A queued text is pending only while its event can still be booked as it says at D's reference instant
    (`unbookable_texts`), and a withdrawn one was pending until then: so a date reads the same before and after any
    run withdrew such a text, its own or a later date's."""
    created = messages["created_date"].fillna(messages["record_created_at"]).fillna(messages["sent_date"])
    has_campaign_date = messages["campaign_date"].notna()
    in_history = (has_campaign_date & (messages["campaign_date"] < pd.Timestamp(campaign_date))) | (
        ~has_campaign_date & (created < reference)
    )
    history = messages.loc[in_history].copy()
    status = normalized_statuses(history)
    sent_by_then = status.isin(SENT_STATUSES) & ~(history["sent_date"] >= reference)
    awaiting = status.isin(QUEUED_STATUSES | {WITHDRAWN})
    bookable = unbookable_texts(history, events, reference).isna()
    queued_then = (awaiting & bookable) | (status.isin(SENT_STATUSES) & ~sent_by_then)
    history["status_as_of"] = (
        pd.Series("other", index=history.index)
        .mask(sent_by_then, "sent")
        .mask(queued_then, "queued")
        .mask(status.isin(HELD_OUT_STATUSES), "held_out")
    )
    sent_day = pacific_dates(history["sent_date"]).where(sent_by_then)
    origin_day = history["campaign_date"].fillna(pacific_dates(created.loc[history.index]))
    history["contact_day"] = sent_day.fillna(origin_day)
    history["sent_date"] = history["sent_date"].where(sent_by_then)
    return history[AS_OF_COLUMNS]
