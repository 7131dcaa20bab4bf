"""Experiment assets: what followed each campaign date, and the weekly read over the last 28 closed dates."""

import datetime as dt
import os

import dagster as dg
import pandas as pd

from cucu_pipeline.clients.airtable import MessageStore
from cucu_pipeline.clients.mongo import DocumentSource
from cucu_pipeline.clients.slack import AlertChannel
from cucu_pipeline.core.dates import parse_campaign_date, utc_iso
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.defs.resources import CampaignRulesResource
from cucu_pipeline.defs.resources import campaign_rules as configured_rules
from cucu_pipeline.defs.sources import read_orders, read_records, read_users
from cucu_pipeline.experiments import readout, report
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.earned import what_learning_earned
from cucu_pipeline.experiments.learning import allocation_as_of
from cucu_pipeline.experiments.outcomes import campaign_outcomes as outcomes_of
from cucu_pipeline.experiments.performance import (
    POOLED_DATES,
    chart,
    daily_series,
    final_stored,
    markdown_image,
    pooled_dates,
)

_EXPERIMENTS = dict(partitions_def=campaign_dates, group_name="experiments", owners=["team:growth"])


def _outcomes_now(mongo: DocumentSource, airtable: MessageStore, dates: list[dt.date], rules: CampaignRules):
    """The dates' outcomes from the Airtable records and the orders as they stand now."""
    now = pd.Timestamp.now(tz="UTC")
    return outcomes_of(read_records(airtable), read_orders(mongo), read_users(mongo), dates, rules, now)


def _what_books(outcomes: pd.DataFrame) -> dict[str, object]:
    """Which reasons the texts led with, and which lines wrote them, book the invited event (docs/experiments.md)."""
    found = {}
    for column, label in (("lead_reason", "reason led with"), ("line", "line (or claude)")):
        table = readout.booking_rate_by(outcomes, column)
        found[f"booking_rate_by_{column}"] = dg.MetadataValue.md(report.rate_by_markdown(table, column, label))
        found[f"{column}s_too_few_to_judge"] = int((~table["enough"]).sum())
    return found


def _readout_metadata(outcomes: pd.DataFrame) -> dict[str, object]:
    arms, lifts = readout.arm_table(outcomes), readout.lift_table(outcomes)
    days = outcomes["campaign_date"].nunique()
    overall = lifts[(lifts["by"] == "all") | ((lifts["view"] == "assigned") & (lifts["outcome"] == readout.PRIMARY))]
    found, verdict = readout.incremental(outcomes), readout.verdict(outcomes, days)
    return {
        # The read a growth lead asks for first: texts against the holdout, then the variants (docs/experiments.md).
        "read": dg.MetadataValue.md(report.weekly_read(found, verdict, days)),
        "members": len(outcomes),
        "texts_sent": int(outcomes["sent"].sum()),
        **report.arm_metadata(arms),
        **report.lift_metadata(lifts),
        **report.incremental_metadata(found, verdict),
        "arms": dg.MetadataValue.md(report.arms_markdown(arms)),
        "lifts": dg.MetadataValue.md(report.lifts_markdown(overall)),
    }


@dg.asset(**_EXPERIMENTS, kinds={"pandas", "scipy"}, metadata=column_schema("arm_allocation"))
def arm_allocation(
    context: dg.AssetExecutionContext,
    raw_messages: pd.DataFrame,
    raw_orders: pd.DataFrame,
    raw_users: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """The date's split of each campaign's members between the arms (docs/experiments.md: "Allocation that learns"):
    the holdout at `CUCU_HOLDOUT_PERCENT`, and the variants by the probability each books the invited event best, from
    the texts of the last 28 dates whose attribution windows had closed and the bookings made by the date's reference
    instant; every variant keeps `CUCU_LEARNING_FLOOR` of the rest. With `CUCU_LEARNING=off`, the configured split,
    the posteriors still shown. `matched_messages` assigns its members on these shares."""
    day = parse_campaign_date(context.partition_key)
    table = allocation_as_of(raw_messages, raw_orders, raw_users, day, campaign_rules)
    variants = table[table["arm"] != HOLDOUT]
    metadata = {
        "dagster/row_count": len(table),
        "learning": bool(campaign_rules.learning),
        "texts_counted": int(variants["texts"].sum()),
        "allocation": dg.MetadataValue.md(report.allocation_markdown(table)),
        **{
            f"{figure}_{_key(row['campaign'])}_{row['arm']}": float(row[figure])
            for row in variants.to_dict("records")
            for figure in ("share", "p_best")
        },
    }
    return dg.Output(table, metadata=metadata)


def _key(campaign: str) -> str:
    return campaign.lower().replace(" ", "_")


@dg.asset(
    **_EXPERIMENTS,
    kinds={"airtable", "mongodb", "pandas"},
    deps=["published_messages"],
    metadata=column_schema("campaign_outcomes"),
)
def campaign_outcomes(
    context: dg.AssetExecutionContext,
    mongo: DocumentSource,
    airtable: MessageStore,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """One row per member the date's experiment assigned (its Airtable records with an arm): whether the text was
    sent, whether the member booked the invited event or any event within `CUCU_ATTRIBUTION_DAYS` (7) of the
    reference instant, days to the first booking, a STOP in that window, and what the text cost. Orders are read as
    they stand now; until the window closes the numbers are provisional."""
    campaign_date = parse_campaign_date(context.partition_key)
    outcomes = _outcomes_now(mongo, airtable, [campaign_date], campaign_rules)
    closes = campaign_rules.window_closes(campaign_date)
    metadata = {
        "dagster/row_count": len(outcomes),
        "provisional": bool(pd.Timestamp.now(tz="UTC") < closes),
        "window_closes": utc_iso(closes),
        **_readout_metadata(outcomes),
    }
    return dg.Output(outcomes, metadata=metadata)


# The weekly read of date D pools D - lag - 27 ... D - lag, lag = the attribution window and a day (`last_closed_date`).
_LAG = configured_rules(os.environ).attribution_days + 1
_POOLED = dg.AssetIn(
    "campaign_outcomes",
    partition_mapping=dg.TimeWindowPartitionMapping(
        start_offset=-(_LAG + POOLED_DATES - 1), end_offset=-_LAG, allow_nonexistent_upstream_partitions=True
    ),
    metadata={"allow_missing_partitions": True},  # counted from the sources instead (`final_stored`)
)


@dg.asset(
    **_EXPERIMENTS,
    ins={"stored_outcomes": _POOLED},
    kinds={"airtable", "mongodb", "pandas"},
    metadata=column_schema("campaign_performance"),
)
def campaign_performance(
    context: dg.AssetExecutionContext,
    stored_outcomes: dict[str, pd.DataFrame],
    mongo: DocumentSource,
    airtable: MessageStore,
    campaign_rules: CampaignRulesResource,
    alerts: AlertChannel,
) -> dg.Output[pd.DataFrame]:
    """The weekly read as of the date: the last 28 campaign dates whose attribution window had closed, pooled, from
    their stored `campaign_outcomes` (the schedule counts each date again once its window closed); a date not stored
    or stored while its window was open is counted from the records and orders as they stand now
    (`dates_counted_from_sources`). Incremental bookings with their interval, cost per incremental booking, the
    winning variant or "no winner yet", the booking rate per text by campaign (what `CUCU_INVITES_PER_SEAT` should
    follow) and a chart. One row per pooled date. The `read` page, texts against the holdout first, goes to the team's
    Slack channel on `CUCU_WEEKLY_READ_DAY`'s live run."""
    dates = pooled_dates(campaign_rules.last_closed_date(parse_campaign_date(context.partition_key)))
    final, missing = final_stored(stored_outcomes, dates)
    context.log.info(
        f"{len(dates)} pooled dates: {len(final)} stored after their window closed, {len(missing)} counted from the "
        "sources (not stored, or stored while their window was open)"
    )
    counted = [_outcomes_now(mongo, airtable, missing, campaign_rules)] if missing else []
    outcomes = pd.concat([*final, *counted], ignore_index=True)
    series = daily_series(outcomes, dates)
    per_text = readout.booking_rate_per_text(outcomes)
    metadata = {
        "dagster/row_count": len(series),
        "first_date": dates[0].isoformat(),
        "last_date": dates[-1].isoformat(),
        "dates_with_members": int((series["members"] > 0).sum()),
        "dates_stored": len(dates) - len(missing),
        "dates_counted_from_sources": len(missing),
        **_readout_metadata(outcomes),
        **{
            f"invites_per_seat_{_key(row['campaign'])}": row["invites_per_seat"]
            for row in per_text.to_dict("records")
            if row["invites_per_seat"]
        },
        "booking_rate_per_text": dg.MetadataValue.md(report.per_text_markdown(per_text)),
        **_what_books(outcomes),
        "chart": dg.MetadataValue.md(markdown_image(chart(series), "Texts, cost and lift by date")),
    }
    earned = what_learning_earned(outcomes, campaign_rules.arms())
    learned = report.earned_markdown(earned)
    metadata |= {
        "read": dg.MetadataValue.md(f"{metadata['read'].value}\n\n{learned}"),
        "learning_earned": dg.MetadataValue.md(learned),
        "learning_bookings_gained": earned.gained,
        "learning_bookings_gained_low": earned.low,
        "learning_bookings_gained_high": earned.high,
    }
    # The read goes to the team's channel once a week, from the live run of the day (never from a backfill).
    day = parse_campaign_date(context.partition_key)
    if campaign_rules.shares_weekly_read(day):
        metadata["read_shared"] = alerts.share(f"Cuculi weekly read as of {day}\n\n{metadata['read'].value}")
    return dg.Output(series, metadata=metadata)
