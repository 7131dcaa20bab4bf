"""Who may be texted and which events may be promoted on a campaign date (docs/assets.md: "Who may be texted").

Each excluded row gets exactly one primary reason: the first rule it fails, in the order the rules are listed, and
`duplicate_person` last for a person's records that pass every rule but the one texted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cucu_pipeline.core.frames import first_match, has_value, is_in
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


def of_any_record(holds: pd.Series, person: pd.Series) -> pd.Series:
    """Per record: whether any record of its person holds (a hash lookup; a grouped `any` is ten times slower, and
    `isin` builds an Arrow scalar per person in Python)."""
    return is_in(person, person[holds.fillna(False).astype(bool)])


def user_exclusion_reasons(
    users: pd.DataFrame, standing: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules
) -> pd.Series:
    """None for a member who may be texted on the date, else the primary reason they may not.

    `users` carry `person_id` and `last_active`; `standing` is per person (`person_standing`). The team, consent,
    pending texts, the cap and the cooldowns apply to the person, across all their records. Of a person's records
    that pass every rule, the most recently active one is texted (ties: the smallest id) and the others are counted
    as `duplicate_person`."""
    reference = rules.reference_instant(campaign_date)
    person = users["person_id"]
    of_person = standing.reindex(person)
    of_person.index = users.index
    days_since_contact = (pd.Timestamp(campaign_date) - of_person["last_contact_day"]).dt.days
    conditions = [
        ("missing_signup_date", users["created_at"].isna()),
        ("not_signed_up_yet", users["created_at"] >= reference),
        ("team_member", of_any_record(is_team_member(users, rules), person)),
        ("opted_out", of_any_record(users["sms_opt_out"], person) | of_person["opt_out_source"].notna()),
        *[(f"missing_{field}", ~has_value(users[field])) for field in REQUIRED_PROFILE_FIELDS],
        ("invalid_phone", users["phone_e164"].isna()),
        ("pending_queued_message", of_person["queued_message_count"].fillna(0) > 0),
        ("cooldown", days_since_contact.lt(rules.cooldown_days).fillna(False)),
        ("monthly_cap", of_person["contacts_in_cap_window"].fillna(0).ge(rules.max_texts_per_window)),
        ("fatigue_backoff", days_since_contact.lt(of_person["cooldown_days"]).fillna(False)),
    ]
    reasons = first_match(conditions, users.index)
    eligible = users.loc[reasons.isna(), ["id", "person_id", "last_active"]]
    chosen = eligible.sort_values(["last_active", "id"], ascending=[False, True], kind="stable", na_position="last")
    duplicates = chosen.index[chosen["person_id"].duplicated()]
    return reasons.where(~reasons.index.isin(duplicates), "duplicate_person")


# The event fields whether a text's event can still be booked is read from (`unbookable_texts`).
BOOKING_FIELDS = ("id", "start_date", "type", "event_status", "max_participants", "participants")


def booking_closed(events: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """The rules under which an event cannot be booked whatever the date: not public, canceled, no capacity, full."""
    participant_count = events["participants"].map(len)
    return [
        ("not_public", events["type"].fillna("").str.strip().str.lower().ne("public")),
        ("canceled", is_canceled(events)),
        ("missing_capacity", events["max_participants"].isna() | events["max_participants"].le(0).fillna(False)),
        ("full", participant_count >= events["max_participants"].fillna(0)),
    ]


def event_exclusion_reasons(events: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules) -> pd.Series:
    """None for an event that may be promoted on the date, else the primary reason it may not."""
    reference = rules.reference_instant(campaign_date)
    horizon = reference + pd.Timedelta(days=rules.event_horizon_days)
    conditions = [
        ("missing_start_date", events["start_date"].isna()),
        ("already_started", events["start_date"] <= reference),
        ("beyond_horizon", events["start_date"] > horizon),
        *booking_closed(events),
    ]
    return first_match(conditions, events.index)


def unbookable_texts(texts: pd.DataFrame, events: pd.DataFrame, reference: pd.Timestamp) -> pd.Series:
    """Per text (aligned with `texts`, which carry `event_id` and `event_date`): why its event can no longer be
    booked as the text says — `started` (at the reference instant), `not_public`, `canceled`, `missing_capacity`,
    `full`, `moved` (another start than the text's `event_date`) or `unknown` — else None."""
    events = events[events["id"].isin(texts["event_id"].dropna().unique())]  # the texts' events, not every event
    started = events["start_date"].isna() | (events["start_date"] <= reference)
    by_event = events.assign(closed=first_match([("started", started), *booking_closed(events)], events.index))
    by_event = by_event.drop_duplicates("id").set_index("id")[["closed", "start_date"]]
    known = texts["event_id"].isin(by_event.index)
    now = by_event.reindex(texts["event_id"]).set_axis(texts.index)
    moved = known & texts["event_date"].notna() & texts["event_date"].ne(now["start_date"])
    reasons = now["closed"].astype(object)
    reasons = reasons.where(reasons.notna(), pd.Series("moved", index=texts.index).where(moved))
    return reasons.where(known | texts["event_id"].isna(), "unknown").where(texts["event_id"].notna(), None)
