"""Natural-language summaries a copywriter (or Claude) reads: who a member is, what an event is like.

Built only from profile fields; contact details and other members' names never enter a summary (an event's host
may be named).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.core.frames import records
from cucu_pipeline.core.parallel import mapped
from cucu_pipeline.core.wording import join_words, plural

_PRONOUNS = {"female": "She", "woman": "She", "male": "He", "man": "He"}


def _known_clauses(*clauses: tuple[Any, str]) -> str:
    """The clauses whose value is known, each template filled with its value: `(venue, " at {}")` -> ` at The Vault`."""
    return "".join(template.format(value) for value, template in clauses if value)


def user_summary(member: dict[str, Any]) -> str:
    first = member["first_name"] or member["name"] or "This member"
    pronoun = _PRONOUNS.get(str(member["gender"] or "").lower(), first)
    age = member["age"]
    who = " ".join(part for part in (f"{age}-year-old" if pd.notna(age) else "", member["occupation"] or "") if part)
    home, work, status = member["home_neighborhood"], member["work_neighborhood"], member["relationship_status"]
    sentence = f"{first} is a {who}" if who else f"{first} is a member"
    sentence += _known_clauses(
        (home, " who lives in {}"), (home and work, " and works in {}"), (status and status.lower(), " ({})")
    )
    sentences = [sentence + "."]

    tastes = []
    if member["interests"]:
        tastes.append(f"is into {join_words(member['interests'])}")
    if member["cuisine_preferences"]:
        tastes.append(f"loves {join_words(member['cuisine_preferences'])} food")
    if member["dietary_restrictions"]:
        tastes.append(f"keeps {join_words(member['dietary_restrictions']).lower()}")
    if member["table_type_preference"]:
        tastes.append(f"prefers {member['table_type_preference'].lower()} tables")
    if tastes:
        sentences.append(f"{pronoun} {join_words(tastes)}.")

    joined = (
        f"joined {plural(int(member['days_since_signup']), 'day')} ago"
        if pd.notna(member["days_since_signup"])
        else "joined"
    )
    if member["event_count"] == 0:
        sentences.append(f"{first} {joined} and has not attended an event yet.")
    else:
        latest = member["event_history"][0]
        where = f" at {latest['venue']}" if latest["venue"] else ""
        sentences.append(
            f"{first} {joined} and has attended {plural(member['event_count'], 'event')} "
            f"(about {member['average_events_per_month']:g} a month), most recently {latest['name']}{where} "
            f"{plural(int(member['days_since_last_event']), 'day')} ago."
        )
    if member["events_hosted"]:
        sentences.append(
            f"{first} has hosted {plural(member['events_hosted'], 'event')} "
            f"({join_words(list(dict.fromkeys(member['hosted_event_names'])), 3)})."
        )
    # Other members (hosts met, friends) are counted, never named: the summary goes to Claude and to the reviewers.
    if member["event_hosts"]:
        sentences.append(f"Has met {plural(len(member['event_hosts']), 'host')}.")
    if member["friends"]:
        sentences.append(f"Often comes with {plural(len(member['friends']), 'regular friend')}.")
    if member["total_orders"]:
        sentences.append(f"{plural(member['total_orders'], 'paid order')} totalling ${member['total_spend']:,.0f}.")
    status = str(member["primary_status"]).replace("_", " ")
    sentences.append(f"Status: {status}, {member['engagement_tier']} engagement.")
    if member["invited_event_names"]:
        sentences.append(f"Invited to {join_words(member['invited_event_names'], 3)}.")
    return " ".join(sentences)


_USER_SUMMARY_FIELDS = (
    "first_name",
    "name",
    "gender",
    "age",
    "occupation",
    "home_neighborhood",
    "work_neighborhood",
    "relationship_status",
    "interests",
    "cuisine_preferences",
    "dietary_restrictions",
    "table_type_preference",
    "days_since_signup",
    "event_count",
    "event_history",
    "average_events_per_month",
    "days_since_last_event",
    "event_hosts",
    "events_hosted",
    "hosted_event_names",
    "friends",
    "total_orders",
    "total_spend",
    "primary_status",
    "engagement_tier",
    "invited_event_names",
)


def user_summaries(profiles: pd.DataFrame) -> pd.Series:
    """Each member's summary, written on every core (20 us a member)."""
    rows = records(profiles[list(_USER_SUMMARY_FIELDS)])  # only what a summary reads: far faster
    return pd.Series(mapped(user_summary, rows), index=profiles.index, dtype=object)


def event_summary(event: dict[str, Any]) -> str:
    start = event["start_date"].tz_convert(PACIFIC)
    when = f"{start:%A, %B} {start.day} at {start:%I:%M %p}".replace(" 0", " ")
    kind = event["categories"][0].lower() if event["categories"] else "event"
    sentence = f"{event['name']} is a {kind} on {when}" + _known_clauses(
        (event["venue_name"], " at {}"), (event["neighborhood"], " in {}"), (event["host_name"], ", hosted by {}")
    )
    sentences = [sentence + "."]
    sentences.append(
        f"{event['participant_count']} of {event['max_participants']} seats are taken "
        f"({event['fill_rate']:.0%} full, {plural(event['spots_left'], 'spot')} left)"
        + (" and it needs more guests." if event["has_low_occupancy"] else ".")
    )
    crowd = []
    if event["common_occupations"]:
        crowd.append(f"mostly {join_words(event['common_occupations'], 3)}")
    if event["common_interests"]:
        crowd.append(f"into {join_words(event['common_interests'], 3)}")
    if pd.notna(event["average_age"]):
        crowd.append(f"average age {event['average_age']}")
    if crowd:
        sentences.append(f"The crowd: {'; '.join(crowd)}.")
    if event["features"]:
        sentences.append(f"Features: {join_words(event['features'])}.")
    if event["description"]:
        description = event["description"]
        sentences.append(description if len(description) <= 280 else description[:277].rsplit(" ", 1)[0] + "…")
    return " ".join(sentences)


def event_summaries(events: pd.DataFrame) -> pd.Series:
    return pd.Series([event_summary(row) for row in records(events)], index=events.index, dtype=object)
