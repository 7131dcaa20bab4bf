"""Profile assets: who may be texted and what may be promoted on the campaign date, and their enriched profiles."""

import dagster as dg
import pandas as pd

from cucu_pipeline.core.dates import parse_campaign_date
from cucu_pipeline.defs.columns import column_schema
from cucu_pipeline.defs.metadata import funnel, preview, rounded_mean, value_counts
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.defs.resources import CampaignRulesResource
from cucu_pipeline.defs.storage import reads
from cucu_pipeline.profiles.consent import opt_out_sources
from cucu_pipeline.profiles.eligibility import BOOKING_FIELDS, event_exclusion_reasons, user_exclusion_reasons
from cucu_pipeline.profiles.event_profiles import GUEST_FIELDS, enrich_events
from cucu_pipeline.profiles.member_profiles import enrich_users
from cucu_pipeline.profiles.standing import standing_as_of

# The rules that hold back a person rather than a record: consent, the contact policy and duplicate records.
PERSON_RULES = ("opted_out", "cooldown", "monthly_cap", "fatigue_backoff", "duplicate_person")
_PROFILE = dict(partitions_def=campaign_dates, group_name="profiles", owners=["team:growth"], kinds={"pandas"})


def _kept(frame: pd.DataFrame, reasons: pd.Series, preview_columns: list[str]) -> dg.Output:
    kept = frame[reasons.isna()].reset_index(drop=True)
    metadata = funnel(len(frame), len(kept), reasons.value_counts(), label="excluded")
    return dg.Output(kept, metadata={**metadata, "preview": preview(kept, preview_columns)})


_STANDING = {
    "people": "Each member record's person (records sharing a phone or email) and when it was last active.",
    "message_history": "Each message before the date, attributed to its person, with its status and contact day as "
    "of the date.",
    "person_standing": "Per person with a history or a consent event: texts queued and sent, consent, the unanswered "
    "streak, the cooldown that applies, the contacts in the cap window and the last texts.",
}


def _standing_out(name: str) -> dg.AssetOut:
    return dg.AssetOut(
        description=_STANDING[name],
        group_name="profiles",
        owners=["team:growth"],
        kinds={"pandas"},
        metadata=column_schema(name),
        is_required=False,  # a selection may hold some of the three (`*enriched_users` holds two)
    )


@dg.multi_asset(
    outs={name: _standing_out(name) for name in _STANDING},
    partitions_def=campaign_dates,
    can_subset=True,
    # Who a record is, when it was last active, whether a text's event can still be booked; the rest stays on disk.
    ins={
        "raw_users": reads("id", "mongo_id", "email", "phone_e164", "created_at"),
        "raw_events": reads(*BOOKING_FIELDS),
    },
)
def contact_standing(
    context: dg.AssetExecutionContext,
    raw_users: pd.DataFrame,
    raw_events: pd.DataFrame,
    raw_orders: pd.DataFrame,
    raw_messages: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
):
    """The campaign's memory as of the date, computed once for every step that applies the contact policy, so
    that none re-reads the whole message table: `people`, `message_history` and `person_standing` (`_STANDING`)."""
    campaign_date = parse_campaign_date(context.partition_key)
    standing = standing_as_of(raw_users, raw_messages, raw_orders, raw_events, campaign_date, campaign_rules)
    people, history, by_person = standing.people, standing.history, standing.by_person
    records_per_person = people["person_id"].value_counts()
    outputs = {
        "people": dg.Output(
            people,
            output_name="people",
            metadata={
                "dagster/row_count": len(people),
                "people": len(records_per_person),
                "people_with_several_records": int((records_per_person > 1).sum()),
                "records_of_people_with_several": int(records_per_person[records_per_person > 1].sum()),
            },
        ),
        "message_history": dg.Output(
            history,
            output_name="message_history",
            metadata={"dagster/row_count": len(history), **value_counts(history, "status_as_of")},
        ),
        "person_standing": dg.Output(
            by_person.reset_index(),
            output_name="person_standing",
            metadata={
                "dagster/row_count": len(by_person),
                "people_opted_out": int(by_person["opt_out_source"].notna().sum()),
                "people_backed_off": int((by_person["cooldown_days"] > campaign_rules.cooldown_days).sum()),
                "people_with_queued_texts": int((by_person["queued_message_count"] > 0).sum()),
            },
        ),
    }
    # The three come from one computation; a subset of the graph stores only the ones it selected.
    yield from (outputs[name] for name in _STANDING if name in context.selected_output_names)


def _with_people(users: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Member records with their `person_id` and `last_active` from the `people` asset (ids are unique)."""
    by_id = people.set_index("id").reindex(users["id"])
    return users.assign(person_id=by_id["person_id"].to_numpy(), last_active=by_id["last_active"].to_numpy())


@dg.asset(**_PROFILE, metadata=column_schema("qualified_users"))
def qualified_users(
    context: dg.AssetExecutionContext,
    raw_users: pd.DataFrame,
    people: pd.DataFrame,
    person_standing: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """Members who may be texted on the campaign date, one record per person: complete profile, valid US phone,
    consent, not on the team, signed up before the date, nothing pending, no text within the person's cooldown (which
    backs off after unanswered texts) and under the cap of texts per 30 days. Every other member is counted under the
    first rule they fail; `opted_out_by_*` says how the opted-out revoked consent."""
    campaign_date = parse_campaign_date(context.partition_key)
    by_person = person_standing.set_index("person_id")
    users = _with_people(raw_users, people)
    reasons = user_exclusion_reasons(users, by_person, campaign_date, campaign_rules)
    sources = opt_out_sources(users, by_person).where(reasons == "opted_out")
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


@dg.asset(
    **_PROFILE,
    ins={
        "raw_users": reads("id", "mongo_id", "first_name", "last_name", "email"),
        "raw_events": reads(
            "id",
            "name",
            "start_date",
            "event_status",
            "participants",
            "owner_id",
            "venue_name",
            "categories",
            "features",
        ),
    },
    metadata=column_schema("enriched_users"),
)
def enriched_users(
    context: dg.AssetExecutionContext,
    qualified_users: pd.DataFrame,
    qualified_events: pd.DataFrame,
    raw_users: pd.DataFrame,
    raw_events: pd.DataFrame,
    raw_orders: pd.DataFrame,
    people: pd.DataFrame,
    person_standing: pd.DataFrame,
    campaign_rules: CampaignRulesResource,
) -> dg.Output[pd.DataFrame]:
    """One profile per qualified member as of the campaign date: history, hosts, friends, orders, texts, statuses,
    a personalization score and a summary for the copywriter."""
    profiles = enrich_users(
        qualified_users,
        raw_users,
        raw_events,
        raw_orders,
        people,
        person_standing.set_index("person_id"),
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


@dg.asset(**_PROFILE, ins={"raw_users": reads(*GUEST_FIELDS)}, metadata=column_schema("enriched_events"))
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
