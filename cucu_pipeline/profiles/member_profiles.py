"""Enriched member profiles as of a campaign date (docs/assets.md: "Profile rules").

Every field is a join or a grouped aggregate over exploded participant lists, so cost grows with the number of
attendances, never with members × events. Only events that started before the reference instant are history, and
only orders and messages from before it count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cucu_pipeline.core.dates import age_on, days_before
from cucu_pipeline.core.frames import fill_lists, first_match, has_value, lists_by, ranked_values
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.profiles.attendance import friends, member_attendance, past_attendance
from cucu_pipeline.profiles.eligibility import is_canceled, is_team_member
from cucu_pipeline.profiles.member_directory import canonical_member_ids, full_names
from cucu_pipeline.profiles.people import People
from cucu_pipeline.profiles.standing import paid_orders
from cucu_pipeline.profiles.summaries import user_summaries

DORMANT_DAYS = 60
CHURNED_DAYS = 180
DAYS_PER_MONTH = 30.44

# Weights of the personalization score: what a copywriter can use, summing to 100.
PERSONALIZATION_WEIGHTS = {
    "interests": 15,
    "cuisine_preferences": 10,
    "dietary_restrictions": 5,
    "age": 10,
    "occupation": 10,
    "home_neighborhood": 10,
    "work_neighborhood": 5,
    "table_type_preference": 5,
    "relationship_status": 5,
    "gender": 5,
    "event_history": 10,
    "friends": 5,
    "total_orders": 5,
}


def enrich_users(
    members: pd.DataFrame,
    users: pd.DataFrame,
    events: pd.DataFrame,
    orders: pd.DataFrame,
    people: pd.DataFrame,
    by_person: pd.DataFrame,
    qualified_events: pd.DataFrame,
    campaign_date: dt.date,
    rules: CampaignRules,
) -> pd.DataFrame:
    """One row per member in `members` with every profile field of docs/assets.md: "Profile rules" and a summary.
    `people` and `by_person` are the date's `Standing` (the `people` and `person_standing` assets)."""
    reference = rules.reference_instant(campaign_date)
    persons, base = People.of_table(people), members.set_index("id", drop=False)
    base = base.assign(person_id=persons.of_members(base["id"]).fillna(base["id"]))
    index = base.index
    names = full_names(users)
    attendance = past_attendance(events, reference, orders, users)
    mine = member_attendance(attendance, base, users, names)

    profile = _identity_fields(base, names, campaign_date)
    profile = profile.join(_history_fields(mine, base, campaign_date))
    profile["invited_event_names"] = _invited_event_names(base, qualified_events, index)
    profile["friends"] = friends(mine, attendance, users, names, index)
    profile = profile.join(_order_totals(orders, users, reference, index))
    profile = profile.join(_hosted_fields(events, persons, base, reference))
    profile = profile.join(_message_fields(by_person, base, campaign_date, rules))
    profile = profile.join(_status_fields(profile, base, rules))
    profile = profile.join(_personalization_fields(profile))
    profile["summary"] = user_summaries(profile)
    return profile.reset_index(drop=True)


def _identity_fields(base: pd.DataFrame, names: pd.Series, campaign_date: dt.date) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": base["id"],
            "person_id": base["person_id"],
            "name": names.reindex(base.index),
            "first_name": base["first_name"],
            "email": base["email"],
            "phone": base["phone_e164"],
            "interests": base["interests"],
            "cuisine_preferences": base["preferred_cuisines"],
            "dietary_restrictions": base["allergies"],
            "table_type_preference": base["table_type_preference"],
            "relationship_status": base["relationship_status"],
            "occupation": base["occupation"],
            "gender": base["gender"],
            "home_neighborhood": base["home_neighborhood"],
            "work_neighborhood": base["work_neighborhood"],
            "role": base["role"],
            "age": age_on(base["birth_day"], campaign_date),
        }
    )


def _history_fields(mine: pd.DataFrame, base: pd.DataFrame, campaign_date: dt.date) -> pd.DataFrame:
    """What the member's past events say: counts, dates, names, venues, hosts, favorite types and cadence."""
    index = base.index
    by_member = mine.groupby("member_id")
    event_count = by_member.size().reindex(index, fill_value=0).astype(int)
    last_event = by_member["start_date"].max().reindex(index)
    active_since = pd.concat([base["created_at"], by_member["start_date"].min().reindex(index)], axis=1).min(axis=1)
    months_active = (days_before(campaign_date, active_since).astype(float) / DAYS_PER_MONTH).clip(lower=1.0)
    venues = mine.dropna(subset=["venue_name"]).drop_duplicates(["member_id", "venue_name"])
    return pd.DataFrame(
        {
            "event_count": event_count,
            "last_event_date": last_event,
            "days_since_last_event": days_before(campaign_date, last_event),
            "days_since_signup": days_before(campaign_date, base["created_at"]),
            "historical_event_names": lists_by(mine, "member_id", "event_name", index),
            "event_history": lists_by(mine, "member_id", "history_item", index),
            "venue_history": lists_by(venues, "member_id", "venue_name", index),
            "event_hosts": ranked_values(mine, "member_id", "host_name", index),
            "favorite_event_types": ranked_values(mine.explode("categories"), "member_id", "categories", index, top=3),
            "average_events_per_month": (event_count / months_active).fillna(0.0).round(2),
        },
        index=index,
    )


def _invited_event_names(base: pd.DataFrame, qualified_events: pd.DataFrame, index: pd.Index) -> pd.Series:
    invitations = (
        qualified_events[["name", "start_date", "invited_participants"]]
        .explode("invited_participants")
        .rename(columns={"invited_participants": "email"})
        .merge(base[["email"]].rename_axis("member_id").reset_index(), on="email")
        .sort_values(["member_id", "start_date"], kind="stable")
    )
    return lists_by(invitations, "member_id", "name", index)


def _order_totals(orders: pd.DataFrame, users: pd.DataFrame, reference: pd.Timestamp, index: pd.Index) -> pd.DataFrame:
    """Paid orders placed before the reference instant."""
    paid = paid_orders(orders, reference)
    paid = paid.assign(member_id=canonical_member_ids(paid["user_id"], users))
    by_member = paid.groupby("member_id")
    totals = pd.DataFrame(
        {
            "total_orders": by_member.size(),
            "total_spend": by_member["amount"].sum(),
            "last_order_date": by_member["date"].max(),
        }
    ).reindex(index)
    totals["total_orders"] = totals["total_orders"].fillna(0).astype(int)
    totals["total_spend"] = totals["total_spend"].fillna(0.0).astype(float).round(2)
    return totals


def _hosted_fields(events: pd.DataFrame, people: People, base: pd.DataFrame, reference: pd.Timestamp):
    """Events the person hosted (`ownerId` of any of their records) before the reference, most recent first."""
    past = events[(events["start_date"] < reference) & ~is_canceled(events)]
    hosted = past.assign(person_id=people.of_members(past["owner_id"])).dropna(subset=["person_id"])
    hosted = hosted.sort_values(["person_id", "start_date"], ascending=[True, False], kind="stable")
    names = lists_by(hosted, "person_id", "name", pd.Index(base["person_id"]))
    return pd.DataFrame(
        {"events_hosted": names.map(len).to_numpy(dtype=int), "hosted_event_names": names.to_numpy()}, index=base.index
    )


def _message_fields(
    by_person: pd.DataFrame, base: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules
) -> pd.DataFrame:
    """What the person's texts say, across all their records (`person_standing`)."""
    stats = by_person.reindex(base["person_id"])
    stats.index = base.index
    queued = stats["queued_message_count"].fillna(0).astype(int)
    sent = stats["total_messages_sent"].fillna(0).astype(int)
    days_since_contact = (pd.Timestamp(campaign_date) - stats["last_contact_day"]).dt.days
    return pd.DataFrame(
        {
            "has_queued_messages": queued > 0,
            "queued_message_count": queued,
            "has_sent_messages": sent > 0,
            "total_messages_sent": sent,
            "last_message_sent_date": stats["last_message_sent_date"]
            .dt.strftime("%Y-%m-%d")
            .astype(object)
            .where(stats["last_message_sent_date"].notna(), None),
            "days_since_last_message": (pd.Timestamp(campaign_date) - stats["last_message_sent_date"]).dt.days.astype(
                "Int64"
            ),
            "recent_texts": fill_lists(stats["recent_texts"]).to_numpy(),
            "can_send_new_message": (queued == 0)
            & ~days_since_contact.lt(stats["cooldown_days"].fillna(rules.cooldown_days)).fillna(False)
            & stats["contacts_in_cap_window"].fillna(0).lt(rules.max_texts_per_window)
            & stats["opt_out_source"].isna(),
        },
        index=base.index,
    )


def _status_fields(profile: pd.DataFrame, base: pd.DataFrame, rules: CampaignRules) -> pd.DataFrame:
    """Status flags and the categorical statuses; each categorical takes the first rule that matches."""
    since_event = profile["days_since_last_event"]
    is_new = profile["days_since_signup"].le(rules.new_member_days).fillna(False).astype(bool)
    never = profile["event_count"].eq(0)
    host = profile["events_hosted"].gt(0)  # a host is never a first-timer, whatever they attended
    online = base["role"].fillna("").str.upper().eq("POTENTIAL")
    status = pd.DataFrame(
        {
            "is_new_user": is_new,
            "has_never_attended_events": never,
            "hasnt_attended_in_60_days": since_event.gt(DORMANT_DAYS).astype("boolean"),
            "signed_up_online": online,
            "recently_attended_last_week": since_event.le(7).astype("boolean"),
            "is_on_team": is_team_member(base, rules),
        },
        index=profile.index,
    )
    status["primary_status"] = first_match(
        [
            ("new_user", is_new),
            ("signed_up_online", online & never & ~host),
            ("never_attended", never & ~host),
            ("dormant_60_days", since_event.gt(DORMANT_DAYS)),
            ("active_recent", since_event.le(7)),
        ],
        profile.index,
        default="active_regular",
    )
    status["engagement_tier"] = first_match(
        [("high", since_event.le(30) & profile["event_count"].ge(3)), ("medium", since_event.le(90))],
        profile.index,
        default="low",
    )
    status["user_segment"] = first_match(
        [
            ("new_online_signup", is_new & online),
            ("new_app_user", is_new),
            ("churned", since_event.gt(CHURNED_DAYS)),
            ("dormant", since_event.gt(DORMANT_DAYS)),
            ("first_timer", profile["event_count"].le(1) & ~host),
        ],
        profile.index,
        default="active_regular",
    )
    return status


def _personalization_fields(profile: pd.DataFrame) -> pd.DataFrame:
    present = pd.DataFrame({name: has_value(profile[name]) for name in PERSONALIZATION_WEIGHTS})
    score = sum(present[name].astype(int) * weight for name, weight in PERSONALIZATION_WEIGHTS.items())
    core = present[["interests", "cuisine_preferences", "age", "occupation"]].sum(axis=1)
    return pd.DataFrame(
        {
            "personalization_score": score.astype(int),
            "has_enough_fields_to_personalize": core.ge(3),
            # The optional details the team could ask a member for, and that sharpen a match.
            "should_request_more_details": ~present["cuisine_preferences"] | ~present["age"],
        },
        index=profile.index,
    )
