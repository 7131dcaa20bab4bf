"""Campaign assets: match each member to one event, write and check the text, and queue it in Airtable."""

import dagster as dg
import pandas as pd

from cucu_pipeline.campaign.matching.allocation import event_caps
from cucu_pipeline.campaign.matching.matches import MATCHING_FIELDS, caps_by_event, match_members
from cucu_pipeline.campaign.publishing.message_checks import check_failures
from cucu_pipeline.campaign.publishing.published import past_windows, published_table
from cucu_pipeline.campaign.publishing.queue import withdrawals
from cucu_pipeline.campaign.publishing.records import airtable_records
from cucu_pipeline.campaign.publishing.send_windows import with_send_windows
from cucu_pipeline.campaign.writing.composer import WRITING_FIELDS, composer_for
from cucu_pipeline.campaign.writing.drafting import produce_messages
from cucu_pipeline.clients.airtable import MessageStore
from cucu_pipeline.clients.claude import MessageWriter
from cucu_pipeline.core.dates import PACIFIC, parse_campaign_date
from cucu_pipeline.defs.checks import MESSAGE_CHECKS, QUEUE_CHECK, message_check_results, queue_check_result
from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.metadata import (
    first_name_metadata,
    matches_metadata,
    messages_metadata,
    published_metadata,
    quality_metadata,
    withdrawn_metadata,
)
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.defs.resources import CampaignRulesResource, InstanceBatchLedger
from cucu_pipeline.defs.storage import reads
from cucu_pipeline.experiments.arms import assign_arms
from cucu_pipeline.experiments.learning import campaign_shares
from cucu_pipeline.profiles.eligibility import BOOKING_FIELDS
from cucu_pipeline.profiles.people import People
from cucu_pipeline.profiles.standing import recent_invitations

_CAMPAIGN = dict(partitions_def=campaign_dates, group_name="campaign", owners=["team:growth"])


def _candidate_events(enriched_events: pd.DataFrame, qualified_events: pd.DataFrame, people: People) -> pd.DataFrame:
    candidates = enriched_events.merge(
        qualified_events[["id", "participants", "invited_participants", "owner_id"]], on="id"
    )
    return candidates.assign(host_person_id=people.of_members(candidates["owner_id"]))


@dg.asset(
    **_CAMPAIGN,
    kinds={"pandas", "ortools"},
    ins={"enriched_users": reads(*MATCHING_FIELDS)},
    metadata=column_schema("event_matches"),
)
def event_matches(
    context: dg.AssetExecutionContext,
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    qualified_events: pd.DataFrame,
    people: pd.DataFrame,
    message_history: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """One row per enriched member: the event allocated under every event's cap for the date (seats left × invites
    per seat, less the invitations outstanding), its campaign, reasoning and confidence, and the candidates the writer
    may pick from; or an empty event_id and a skip reason. Never an event the member's person hosts, was invited to
    in the last 60 days, cannot eat at (the diet lexicon) or is not the audience of; `excluded_pairs_*` count them."""
    campaign_date = parse_campaign_date(context.partition_key)
    reference = campaign_rules.reference_instant(campaign_date)
    caps = event_caps(
        enriched_events,
        message_history,
        campaign_date,
        campaign_rules.invites_per_seat,
        campaign_rules.invite_memory_days,
    )
    matching = match_members(
        enriched_users,
        _candidate_events(enriched_events, qualified_events, People.of_table(people)),
        reference,
        campaign_rules.event_horizon_days,
        caps,
        recent_invitations(message_history, campaign_date, campaign_rules.reinvite_after_days),
    )
    return dg.Output(matching.matches, metadata=matches_metadata(matching, enriched_events))


@dg.asset(
    **_CAMPAIGN,
    kinds={"anthropic", "pandas"},
    check_specs=MESSAGE_CHECKS,
    pool="claude",
    # Every name and venue on record, for the texts' privacy and fact checks.
    ins={
        # A member's past events are read for the fifth of members texted (`Composer`).
        "enriched_users": reads(*WRITING_FIELDS, kept_in_arrow=("event_history",)),
        "raw_users": reads("id", "first_name", "last_name"),
        "raw_events": reads("id", "venue_name", "neighborhood", "invited_participants"),
    },
    metadata=column_schema("matched_messages"),
)
def matched_messages(
    context: dg.AssetExecutionContext,
    event_matches: pd.DataFrame,
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    raw_users: pd.DataFrame,
    raw_events: pd.DataFrame,
    arm_allocation: pd.DataFrame,
    claude: MessageWriter,
    campaign_rules: CampaignRulesResource,
):
    """One row per match: the member's arm of the experiment (cut on the date's `arm_allocation`), the SMS (written
    by Claude, or the deterministic writer locally, in the arm's style), its segments, encoding and rule results,
    status (ready, fallback, skipped, or holdout: recorded, never written or sent) and token usage and cost."""
    matched = event_matches[event_matches["event_id"].astype(bool)]
    composer = composer_for(
        enriched_users,
        enriched_events,
        raw_users,
        raw_events,
        parse_campaign_date(context.partition_key),
        campaign_rules,
        texted=matched["user_id"],
    )
    experiment = campaign_rules.arms()
    arms = assign_arms(matched, experiment, composer.campaign_date, campaign_shares(arm_allocation, experiment))
    drafted = produce_messages(
        event_matches,
        composer,
        claude,
        InstanceBatchLedger(context.instance),
        dict(zip(matched["user_id"], arms)),
        campaign_rules.quality_threshold,
    )
    messages = with_send_windows(drafted, enriched_users, enriched_events, composer.campaign_date)
    failures = check_failures(messages, composer.hard_rules, caps_by_event(event_matches))
    metadata = messages_metadata(messages, failures, claude.model_name, campaign_rules.sms_segment_usd)
    metadata |= quality_metadata(messages, campaign_rules.quality_threshold)
    metadata |= first_name_metadata(enriched_users.set_index("id")["first_name"].reindex(matched["user_id"]))
    _say_outages(context, metadata)
    yield dg.Output(messages, metadata=metadata)
    yield from message_check_results(messages, failures, claude.model_name, campaign_rules)


def _say_outages(context: dg.AssetExecutionContext, metadata: dict) -> None:
    """One warning per part of Claude that could not be reached for the date, with what stood in."""
    stood_in = {
        "writer": ("writer_unavailable", "the template wrote"),
        "judge": ("judge_unavailable", "the local judge scored"),
    }
    for part, (count, instead) in stood_in.items():
        if metadata[count]:
            context.log.warning(
                f"matched_messages {context.partition_key}: Claude's {part} was unavailable for {metadata[count]} "
                f"texts; {instead} them (`{count}`)"
            )


@dg.asset(
    **_CAMPAIGN,
    kinds={"airtable", "pandas"},
    pool="airtable",
    check_specs=[QUEUE_CHECK],
    # The columns the records and the queue's review read: the whole member profiles took longer to load than to use.
    ins={
        "enriched_users": reads("id", "name", "email", "phone", "summary", "user_segment"),
        "enriched_events": reads("id", "name", "start_date", "summary"),
        "raw_events": reads(*BOOKING_FIELDS),
    },
    metadata=column_schema("published_messages"),
)
def published_messages(
    context: dg.AssetExecutionContext,
    matched_messages: pd.DataFrame,
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    raw_events: pd.DataFrame,
    airtable: MessageStore,
    campaign_rules: CampaignRulesResource,
):
    """Ready and fallback texts upserted to the Airtable Messages table on `message_key` = date:member, after
    re-checking the cooldown against what the table already holds (a later date's unsent text to the same member is
    superseded); one row per text with its outcome. First, every queued text (of any date) whose event is now
    canceled, not public, full, started or moved is withdrawn; a blocking check reads the table again after
    publishing and fails if a queued text still points at such an event. Reads ask Airtable only for the queued
    texts and for those the review can be moved by (`airtable_requests`). With a retention set, records past it
    that storage holds leave Airtable (`airtable_records_removed`, docs/airtable.md). A text whose send window has
    closed when the run publishes (`CUCU_SEND_CLOCK`) is not written (`backfill`: a backfill queues nothing), and a
    run of a past date leaves the live queue alone (docs/operations.md: "Backfills")."""
    campaign_date = parse_campaign_date(context.partition_key)
    reference = campaign_rules.reference_instant(campaign_date)
    at = campaign_rules.publishing_instant(campaign_date)
    # A run of a past date is a backfill: the live queue is today's, and the events it reads are the past's.
    live = at.tz_convert(PACIFIC).date() <= campaign_date
    sent_before = airtable.requests_made()
    withdrawn = withdrawals(airtable.fetch_queued(), raw_events, reference) if live else []
    changed = airtable.withdraw(withdrawn) if live else 0
    records = airtable_records(
        matched_messages, enriched_users, enriched_events, campaign_date, reference, campaign_rules.arms().name
    )
    sendable, backfilled = past_windows(records, at)
    outcomes = airtable.publish(sendable, campaign_date, campaign_rules.cooldown_days) + backfilled
    published = published_table(records, outcomes)
    stale = withdrawals(airtable.fetch_queued(), raw_events, reference) if live else []
    removed = airtable.apply_retention()
    metadata = {
        **published_metadata(published, outcomes),
        **withdrawn_metadata(withdrawn, changed),
        "backfill_not_queued": len(backfilled),  # send windows closed before the run: computed, never queued
        "live_queue_reviewed": live,
        "airtable_requests": airtable.requests_made() - sent_before,  # the review of the queue after writing included
        "airtable_records_removed": removed,  # past `CUCU_AIRTABLE_RETENTION_DAYS`, kept in storage
    }
    yield dg.Output(published, metadata=metadata)
    yield queue_check_result(stale, reviewed=live)
