"""What followed each campaign date: one row per member the experiment assigned (docs/experiments.md).

The members are those the date's Airtable records name with an arm (texts and holdouts alike; a record superseded by
an earlier date's text left the experiment). A booking is a paid order placed after the date's reference instant and
no later than the attribution window's close; an opt-out is a STOP recorded in the same window. Orders and records
are read as they stand now, so a date's outcomes are final once its window has closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from cucu_pipeline.campaign.publishing.records import SUPERSEDED
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.profiles.consent import opts_out
from cucu_pipeline.profiles.message_history import OPT_OUT_STATUSES, SENT_STATUSES, normalized_statuses
from cucu_pipeline.profiles.people import People

OUTCOME_COLUMNS = [
    "campaign_date",
    "user_id",
    "experiment",
    "arm",
    "campaign",
    "event_id",
    "user_segment",
    "lead_reason",
    "line",
    "sent",
    "booked_invited_event",
    "booked_any_event",
    "days_to_booking",
    "opted_out",
    "cost_usd",
    "window_closed",
]


def assigned_members(records: pd.DataFrame, dates: Iterable[dt.date]) -> pd.DataFrame:
    """The dates' records with an arm, one per member and date (the first record written wins)."""
    days = pd.to_datetime(pd.Series(sorted(set(dates)), dtype=object))
    status = normalized_statuses(records)
    chosen = records[
        records["campaign_date"].isin(days)
        & records["arm"].notna()
        & records["user_id"].notna()
        & (status != SUPERSEDED)
    ]
    ordered = chosen.sort_values(["campaign_date", "record_created_at"], kind="stable", na_position="last")
    return ordered.drop_duplicates(["campaign_date", "user_id"]).reset_index(drop=True)


def _first_in_window(assigned: pd.DataFrame, happenings: pd.DataFrame, opens: pd.Series, closes: pd.Series):
    """For each assigned row, the happenings (`person`, `at`, ...) of its person in (opens, closes]."""
    pairs = assigned[["person"]].assign(row=assigned.index, opens=opens, closes=closes).merge(happenings, on="person")
    return pairs[(pairs["at"] > pairs["opens"]) & (pairs["at"] <= pairs["closes"])]


def campaign_outcomes(
    records: pd.DataFrame,
    orders: pd.DataFrame,
    users: pd.DataFrame,
    dates: Iterable[dt.date],
    rules: CampaignRules,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """One row per assigned member of each date (`OUTCOME_COLUMNS`), counting what happened by `now` (an open
    window counts what has happened so far). `cost_usd` is what the member's text cost: writing it, and its segments
    when it was sent."""
    people = People.of(users)
    assigned = assigned_members(records, dates)
    assigned["person"] = people.of_members(assigned["user_id"]).fillna(assigned["user_id"])
    # Once per campaign date, not per member: a reference instant takes 37 us to build.
    instants = {day: rules.reference_instant(day.date()) for day in assigned["campaign_date"].unique()}
    reference = pd.to_datetime(assigned["campaign_date"].map(instants), utc=True)
    closes = (reference + pd.Timedelta(days=rules.attribution_days)).clip(upper=now)
    status = normalized_statuses(assigned)
    paid = orders[orders["status"].fillna("").str.strip().str.lower().eq("paid") & orders["date"].notna()]
    bookings = pd.DataFrame(
        {"person": people.of_members(paid["user_id"]), "at": paid["date"], "booked": paid["event_id"]}
    ).dropna(subset=["person"])
    booked = _first_in_window(assigned, bookings, reference, closes)
    stops = records[opts_out(records)]
    replies = pd.DataFrame(
        {
            "person": people.of_records(stops),
            "at": stops["sent_date"].fillna(stops["created_date"]).fillna(stops["record_created_at"]),
        }
    ).dropna()
    stopped = _first_in_window(assigned, replies, reference, closes)
    first_booking = booked.groupby("row")["at"].min()
    invited = booked[booked["booked"] == assigned.loc[booked["row"], "event_id"].to_numpy()]
    sent = (status.isin(SENT_STATUSES | OPT_OUT_STATUSES) & assigned["arm"].ne(HOLDOUT)).astype(bool)
    outcomes = pd.DataFrame(
        {
            "campaign_date": assigned["campaign_date"].dt.date,
            **{column: assigned[column] for column in ("user_id", "experiment", "arm", "campaign", "event_id")},
            "user_segment": assigned["user_segment"].fillna("unknown"),
            # What wrote the text (empty for a holdout, or a record written before they were recorded).
            **{column: assigned[column].fillna("").astype(object) for column in ("lead_reason", "line")},
            "sent": sent,
            "booked_invited_event": assigned.index.isin(invited["row"]),
            "booked_any_event": assigned.index.isin(first_booking.index),
            "days_to_booking": ((first_booking - reference) / pd.Timedelta(days=1)).round(2),
            "opted_out": assigned.index.isin(stopped["row"]) | status.isin(OPT_OUT_STATUSES),
            "cost_usd": assigned["writing_cost_usd"].fillna(0.0)
            + sent * assigned["segments"].fillna(1.0) * rules.sms_segment_usd,
            "window_closed": (reference + pd.Timedelta(days=rules.attribution_days) <= now).to_numpy(dtype=bool),
        }
    )
    return outcomes[OUTCOME_COLUMNS]
