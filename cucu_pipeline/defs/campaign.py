"""Campaign assets: match each member to one event, write and check the text, and queue it in Airtable."""

import dagster as dg
import pandas as pd

from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.metadata import preview, value_counts
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.lib.airtable import MessageStore
from cucu_pipeline.lib.dates import parse_campaign_date
from cucu_pipeline.lib.matching import CAMPAIGNS, match_members
from cucu_pipeline.lib.messaging import ASSET_CHECKS, USAGE_COLUMNS, check_failures, composer_for, produce_messages
from cucu_pipeline.lib.publishing import SUPERSEDED, airtable_records
from cucu_pipeline.lib.rules import CampaignRules
from cucu_pipeline.lib.send_windows import with_send_windows
from cucu_pipeline.lib.sms import textable_event_name
from cucu_pipeline.lib.writers import MessageWriter

_CAMPAIGN = dict(partitions_def=campaign_dates, group_name="campaign", owners=["team:growth"])
MESSAGE_CHECKS = [
    dg.AssetCheckSpec(name, asset="matched_messages", blocking=True, partitions_def=campaign_dates, description=text)
    for name, (_, text) in ASSET_CHECKS.items()
] + [
    dg.AssetCheckSpec(
        "writer_available", asset="matched_messages", partitions_def=campaign_dates,
        description="Claude answered every member; a WARN when an outage made the template write texts instead.",
    )  # fmt: skip
]


class InstanceBatchLedger:
    """Message Batch ids in the Dagster instance's key-value store (PostgreSQL in production), seen by every run."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance

    def get(self, key: str) -> str | None:
        return self.instance.run_storage.get_cursor_values({key}).get(key)

    def set(self, key: str, value: str) -> None:
        self.instance.run_storage.set_cursor_values({key: value})


def _candidate_events(enriched_events: pd.DataFrame, qualified_events: pd.DataFrame) -> pd.DataFrame:
    return enriched_events.merge(qualified_events[["id", "participants", "invited_participants"]], on="id")


@dg.asset(**_CAMPAIGN, kinds={"pandas"}, metadata=column_schema("event_matches"))
def event_matches(
    context: dg.AssetExecutionContext,
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    qualified_events: pd.DataFrame,
    campaign_rules: CampaignRules,
) -> dg.Output[pd.DataFrame]:
    """One row per enriched member: the best-scored event, its campaign, reasoning and confidence, and the short list
    the writer may pick from; or an empty event_id and a skip reason."""
    campaign_date = parse_campaign_date(context.partition_key)
    matches = match_members(
        enriched_users, _candidate_events(enriched_events, qualified_events),
        campaign_rules.reference_instant(campaign_date), campaign_rules.event_horizon_days,
    )  # fmt: skip
    matched = matches[matches["event_id"] != ""]
    metadata = {
        "dagster/row_count": len(matches),
        "matched": len(matched),
        **{f"campaign_{name.lower().replace(' ', '_')}": int((matched["campaign"] == name).sum()) for name in CAMPAIGNS},
        **{f"skipped_{reason}": int(count) for reason, count in matches["skip_reason"].value_counts().items()},
        "events_not_textable": int((~enriched_events["name"].map(textable_event_name).astype(bool)).sum()),
        "average_confidence": float(round(matched["confidence"].mean(), 1)) if len(matched) else 0.0,
        "preview": preview(matches, ["user_id", "event_id", "campaign", "confidence", "reasoning", "candidates"]),
    }
    return dg.Output(matches, metadata=metadata)


@dg.asset(
    **_CAMPAIGN, kinds={"anthropic", "pandas"}, check_specs=MESSAGE_CHECKS, pool="claude",
    metadata=column_schema("matched_messages"),
)  # fmt: skip
def matched_messages(
    context: dg.AssetExecutionContext,
    event_matches: pd.DataFrame,
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    raw_events: pd.DataFrame,
    claude: MessageWriter,
    campaign_rules: CampaignRules,
):
    """One row per match: the SMS (written by Claude, or the deterministic writer locally), its segments, encoding
    and rule results, status (ready, fallback, skipped) and token usage and cost."""
    composer = composer_for(
        enriched_users, enriched_events, raw_events, parse_campaign_date(context.partition_key), campaign_rules.brand,
        campaign_rules.allow_emoji,
    )
    drafted = produce_messages(event_matches, composer, claude, InstanceBatchLedger(context.instance))
    messages = with_send_windows(drafted, enriched_users, composer.campaign_date)
    failures = check_failures(messages, composer)
    sent = messages[messages["status"] != "skipped"]
    metadata = {
        "dagster/row_count": len(messages),
        **{f"status_{status}": int((messages["status"] == status).sum()) for status in ("ready", "fallback", "skipped")},
        **value_counts(sent.assign(segments=sent["segments"].astype(str)), "segments"),
        **value_counts(sent, "campaign"),
        **value_counts(sent, "send_timezone"),
        **{f"check_failures_{name}": len(users) for name, users in failures.items()},
        "regenerated": int((messages["attempts"] == 2).sum()),
        "writer_unavailable": int(messages["writer_unavailable"].sum()),
        "opt_out_added": int(sent["needs_opt_out"].sum()),
        "average_characters": float(round(sent["message"].str.len().mean(), 1)) if len(sent) else 0.0,
        **{column: int(messages[column].sum()) for column in USAGE_COLUMNS if column != "cost_usd"},
        "cost_usd": float(round(messages["cost_usd"].sum(), 4)),
        "model": claude.model_name,
        "preview": preview(messages, ["user_id", "campaign", "status", "segments", "message", "skip_reason"]),
    }
    yield dg.Output(messages, metadata=metadata)
    for name in ASSET_CHECKS:
        failing = failures[name]
        yield dg.AssetCheckResult(
            check_name=name,
            passed=not failing,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"failing_messages": len(failing), "failing_members": ", ".join(failing[:10])},
        )
    unreachable = messages[messages["writer_unavailable"].astype(bool)]
    yield dg.AssetCheckResult(
        check_name="writer_available",
        passed=unreachable.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "writer_unavailable": len(unreachable),
            "fallback_published": int(unreachable["status"].eq("fallback").sum()),
            "most_common_error": str(unreachable["writer_error"].mode().iloc[0]) if len(unreachable) else "",
            "model": claude.model_name,
        },
    )


@dg.asset(
    **_CAMPAIGN, kinds={"airtable", "pandas"}, pool="airtable", metadata=column_schema("published_messages")
)
def published_messages(
    context: dg.AssetExecutionContext,
    matched_messages: pd.DataFrame,
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    airtable: MessageStore,
    campaign_rules: CampaignRules,
) -> dg.Output[pd.DataFrame]:
    """Ready and fallback texts upserted to the Airtable Messages table on `message_key` = date:member, after
    re-checking the cooldown against what the table already holds (a later date's unsent text to the same member is
    superseded); one row per text with its outcome."""
    campaign_date = parse_campaign_date(context.partition_key)
    records = airtable_records(
        matched_messages, enriched_users, enriched_events, campaign_date, campaign_rules.reference_instant(campaign_date)
    )
    outcomes = {o.message_key: o for o in airtable.publish(records, campaign_date, campaign_rules.cooldown_days)}
    superseded = sum(outcome.outcome == SUPERSEDED for outcome in outcomes.values())
    published = pd.DataFrame(
        [
            {
                "message_key": record["message_key"], "campaign_date": record["campaign_date"],
                "user_id": record["user_id"], "event_id": record["event_id"], "message": record["message"],
                "airtable_record_id": outcomes[record["message_key"]].airtable_record_id,
                "outcome": outcomes[record["message_key"]].outcome,
                "skip_reason": outcomes[record["message_key"]].skip_reason,
            }  # fmt: skip
            for record in records
        ],
        columns=["message_key", "campaign_date", "user_id", "event_id", "message", "airtable_record_id", "outcome",
                 "skip_reason"],
    )  # fmt: skip
    metadata = {
        "dagster/row_count": len(published),
        **{f"outcome_{name}": int((published["outcome"] == name).sum()) for name in ("created", "updated", "skipped")},
        **{f"skipped_{reason}": int(count) for reason, count in published["skip_reason"].value_counts().items()},
        "superseded_later_texts": superseded,
        "preview": preview(published, ["message_key", "event_id", "outcome", "skip_reason", "message"]),
    }
    return dg.Output(published, metadata=metadata)
