"""Profile assets: who may be texted and what may be promoted on the campaign date, and their enriched profiles."""

import dagster as dg
import pandas as pd

from cucu_pipeline.core.dates import parse_campaign_date
from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.metadata import funnel, preview, rounded_mean, value_counts
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.defs.resources import CampaignRulesResource
from cucu_pipeline.profiles.consent import opt_out_sources
from cucu_pipeline.profiles.eligibility import event_exclusion_reasons, user_exclusion_reasons
from cucu_pipeline.profiles.event_profiles import enrich_events
from cucu_pipeline.profiles.member_profiles import enrich_users
from cucu_pipeline.profiles.people import last_activity
from cucu_pipeline.profiles.standing import standing_as_of

# The rules that hold back a person rather than a record: consent, the contact policy and duplicate records.
PERSON_RULES = ("opted_out", "cooldown", "monthly_cap", "fatigue_backoff", "duplicate_person")
_PROFILE = dict(partitions_def=campaign_dates, group_name="profiles", owners=["team:growth"], kinds={"pandas"})


def _kept(frame: pd.DataFrame, reasons: pd.Series, preview_columns: list[str]) -> dg.Output:
    kept = frame[reasons.isna()].reset_index(drop=True)
    metadata = funnel(len(frame), len(kept), reasons.value_counts(), label="excluded")
    return dg.Output(kept, metadata={**metadata, "preview": preview(kept, preview_columns)})


@dg.asset(**_PROFILE, metadata=column_schema("qualified_users"))
def qualified_users(
    context: dg.AssetExecutionContext,
    raw_users: pd.DataFrame,
    raw_events: pd.DataFrame,
    raw_orders: pd.DataFrame,
    raw_messages: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """Members who may be texted on the campaign date, one record per person: complete profile, valid US phone,
    consent, not on the team, signed up before the date, nothing pending, no text within the person's cooldown (which
    backs off after unanswered texts) and under the cap of texts per 30 days. Every other member is counted under the
    first rule they fail; `opted_out_by_*` says how the opted-out revoked consent."""
    campaign_date = parse_campaign_date(context.partition_key)
    reference = campaign_rules.reference_instant(campaign_date)
    standing = standing_as_of(raw_users, raw_messages, raw_orders, raw_events, campaign_date, campaign_rules)
    users = raw_users.assign(
        person_id=standing.people.person, last_active=last_activity(raw_users, raw_events, raw_orders, reference)
    )
    reasons = user_exclusion_reasons(users, standing.by_person, campaign_date, campaign_rules)
    sources = opt_out_sources(users, standing.by_person).where(reasons == "opted_out")
    output = _kept(
        users.drop(columns="last_active"), reasons, ["id", "first_name", "email", "phone_e164", "role", "created_at"]
    )
    # Who was held back by consent or the contact policy, and how: the members a reviewer asks about first.
    held_back = users.assign(reason=reasons, opt_out_source=sources)[reasons.isin(PERSON_RULES)]
    metadata = {
        **output.metadata,
        "people": int(users["person_id"].nunique()),
        **{f"opted_out_by_{source}": int(count) for source, count in sources.value_counts().items()},
        "held_back_preview": preview(held_back, ["id", "person_id", "reason", "opt_out_source"]),
    }
    return dg.Output(output.value, metadata=metadata)


@dg.asset(**_PROFILE, metadata=column_schema("qualified_events"))
def qualified_events(
    context: dg.AssetExecutionContext, raw_events: pd.DataFrame, campaign_rules: CampaignRulesResource
) -> dg.Output[pd.DataFrame]:
    """Events that may be promoted on the campaign date: public, not canceled, seats left, starting after the
    reference instant and within the horizon."""
    reasons = event_exclusion_reasons(raw_events, parse_campaign_date(context.partition_key), campaign_rules)
    return _kept(raw_events, reasons, ["id", "name", "start_date", "venue_name", "max_participants"])


@dg.asset(**_PROFILE, metadata=column_schema("enriched_users"))
def enriched_users(
    context: dg.AssetExecutionContext,
    qualified_users: pd.DataFrame,
    qualified_events: pd.DataFrame,
    raw_users: pd.DataFrame,
    raw_events: pd.DataFrame,
    raw_orders: pd.DataFrame,
    raw_messages: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """One profile per qualified member as of the campaign date: history, hosts, friends, orders, texts, statuses,
    a personalization score and a summary for the copywriter."""
    profiles = enrich_users(
        qualified_users,
        raw_users,
        raw_events,
        raw_orders,
        raw_messages,
        qualified_events,
        parse_campaign_date(context.partition_key),
        campaign_rules,
    )
    metadata = {
        "dagster/row_count": len(profiles),
        **value_counts(profiles, "primary_status"),
        **value_counts(profiles, "user_segment"),
        **value_counts(profiles, "engagement_tier"),
        "average_personalization_score": rounded_mean(profiles["personalization_score"]),
        "preview": preview(profiles, ["id", "name", "email", "phone", "primary_status", "user_segment", "summary"]),
    }
    return dg.Output(profiles, metadata=metadata)


@dg.asset(**_PROFILE, metadata=column_schema("enriched_events"))
def enriched_events(
    context: dg.AssetExecutionContext, qualified_events: pd.DataFrame, raw_users: pd.DataFrame
) -> dg.Output[pd.DataFrame]:
    """One profile per qualified event: capacity and fill, host, who is coming, the crowd and a summary."""
    profiles = enrich_events(qualified_events, raw_users, parse_campaign_date(context.partition_key))
    metadata = {
        "dagster/row_count": len(profiles),
        "low_occupancy_events": int(profiles["has_low_occupancy"].sum()),
        "seats_left": int(profiles["spots_left"].sum()),
        "preview": preview(profiles, ["id", "name", "start_date", "fill_rate", "host_name", "summary"]),
    }
    return dg.Output(profiles, metadata=metadata)
