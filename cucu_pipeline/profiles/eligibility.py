"""Who may be texted and which events may be promoted on a campaign date (README: "Who may be texted").

Each excluded row gets exactly one primary reason: the first rule it fails, in the order the rules are listed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cucu_pipeline.core.frames import first_match, has_value
from cucu_pipeline.core.settings import CampaignRules

# The nine profile fields the V2 pipeline requires before a member can be personalized.
REQUIRED_PROFILE_FIELDS = (
    "interests",
    "phone",
    "email",
    "home_neighborhood",
    "occupation",
    "gender",
    "relationship_status",
    "table_type_preference",
    "work_neighborhood",
)


def is_canceled(events: pd.DataFrame) -> pd.Series:
    return events["event_status"].fillna("").str.strip().str.lower().isin(["canceled", "cancelled"])


def is_team_member(users: pd.DataFrame, rules: CampaignRules) -> pd.Series:
    """Admins and the configured team (ids or emails) are never texted."""
    team = {member.strip().lower() for member in rules.team_members}
    return (
        users["role"].fillna("").str.upper().eq("ADMIN")
        | users["id"].str.lower().isin(team)
        | users["email"].fillna("").isin(team)
    )


def user_exclusion_reasons(
    users: pd.DataFrame, stats: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules
) -> pd.Series:
    """None for a member who may be texted on the date, else the primary reason they may not."""
    reference = rules.reference_instant(campaign_date)
    member_stats = stats.reindex(users["id"])
    member_stats.index = users.index
    last_contact = member_stats["last_contact_day"]
    days_since_contact = (pd.Timestamp(campaign_date) - last_contact).dt.days
    conditions = [
        ("missing_signup_date", users["created_at"].isna()),
        ("not_signed_up_yet", users["created_at"] >= reference),
        ("team_member", is_team_member(users, rules)),
        ("opted_out", users["sms_opt_out"] | member_stats["opted_out"].fillna(False).astype(bool)),
        *[(f"missing_{field}", ~has_value(users[field])) for field in REQUIRED_PROFILE_FIELDS],
        ("invalid_phone", users["phone_e164"].isna()),
        ("pending_queued_message", member_stats["queued_message_count"].fillna(0) > 0),
        ("cooldown", days_since_contact.lt(rules.cooldown_days).fillna(False)),
    ]
    return first_match(conditions, users.index)


def event_exclusion_reasons(events: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules) -> pd.Series:
    """None for an event that may be promoted on the date, else the primary reason it may not."""
    reference = rules.reference_instant(campaign_date)
    horizon = reference + pd.Timedelta(days=rules.event_horizon_days)
    participant_count = events["participants"].map(len)
    conditions = [
        ("missing_start_date", events["start_date"].isna()),
        ("already_started", events["start_date"] <= reference),
        ("beyond_horizon", events["start_date"] > horizon),
        ("not_public", events["type"].fillna("").str.strip().str.lower().ne("public")),
        ("canceled", is_canceled(events)),
        ("missing_capacity", events["max_participants"].isna() | events["max_participants"].le(0).fillna(False)),
        ("full", participant_count >= events["max_participants"].fillna(0)),
    ]
    return first_match(conditions, events.index)
