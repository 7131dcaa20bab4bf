"""Enriched event profiles as of a campaign date (docs/assets.md): capacity, host, crowd and a summary."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from cucu_pipeline.core.dates import PACIFIC, age_on
from cucu_pipeline.core.frames import lists_by, ranked_values
from cucu_pipeline.profiles.member_directory import canonical_member_ids, full_names
from cucu_pipeline.profiles.summaries import event_summaries

LOW_FILL_RATE = 0.3
TOP_CROWD_VALUES = 5
_SCRIPTS_AND_STYLES = r"(?is)<(script|style)\b.*?</\1\s*>"
_TAGS = r"<[^>]+>"


def clean_description(descriptions: pd.Series) -> pd.Series:
    """HTML to plain text: scripts and styles dropped, tags removed, entities decoded, whitespace collapsed."""
    text = descriptions.fillna("").astype(str)
    text = text.str.replace(_SCRIPTS_AND_STYLES, " ", regex=True).str.replace(_TAGS, " ", regex=True)
    text = text.map(html.unescape).str.replace(r"[<>]", " ", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def low_occupancy(participant_count: pd.Series, max_participants: pd.Series) -> pd.Series:
    """Under 30% full, or fewer than 3 guests at a table of 10 or more."""
    return (participant_count / max_participants).lt(LOW_FILL_RATE) | (
        participant_count.lt(3) & max_participants.ge(10)
    )


# The member fields an event profile reads (the host, and the guests' names, work, interests and ages): the other
# lists of a million members stay on disk.
GUEST_FIELDS = ("id", "mongo_id", "email", "first_name", "last_name", "occupation", "interests", "birth_day")


def enrich_events(events: pd.DataFrame, users: pd.DataFrame, campaign_date: dt.date) -> pd.DataFrame:
    """One row per event in `events` (the qualified ones) with every field its column table lists."""
    base = events.set_index("id", drop=False)
    index = base.index
    capacity = base["max_participants"].astype(int)
    count = base["participants"].map(len).astype(int)

    guests = (
        base[["participants"]]
        .rename_axis("event_id")
        .reset_index()
        .explode("participants")
        .rename(columns={"participants": "email"})
        .dropna(subset=["email"])
        .merge(
            users[["email", "first_name", "last_name", "occupation", "interests", "birth_day"]].drop_duplicates(
                "email"
            ),
            on="email",
        )
    )
    guest_names = (guests["first_name"].fillna("") + " " + guests["last_name"].fillna("")).str.strip()
    guests["label"] = guest_names.where(guests["occupation"].isna(), guest_names + " (" + guests["occupation"] + ")")
    guests["age"] = age_on(guests["birth_day"], campaign_date)

    enriched = pd.DataFrame(
        {
            "id": base["id"],
            "name": base["name"],
            "start_date": base["start_date"],
            "end_date": base["end_date"],
            "day_of_week": base["start_date"].dt.tz_convert(PACIFIC).dt.strftime("%A"),
            "venue_name": base["venue_name"],
            "neighborhood": base["neighborhood"],
            "categories": base["categories"],
            "features": base["features"],
            "max_participants": capacity,
            "participant_count": count,
            "spots_left": capacity - count,
            "fill_rate": (count / capacity).round(3),
            "description": clean_description(base["description"]),
            "host_name": canonical_member_ids(base["owner_id"], users).map(full_names(users)),
            "common_occupations": ranked_values(guests, "event_id", "occupation", index, top=TOP_CROWD_VALUES),
            "common_interests": ranked_values(
                guests.explode("interests"), "event_id", "interests", index, top=TOP_CROWD_VALUES
            ),
            "average_age": guests.groupby("event_id")["age"].mean().reindex(index).round().astype("Int64"),
            "has_low_occupancy": low_occupancy(count, capacity),
            "participant_names": lists_by(guests[guest_names != ""], "event_id", "label", index),
        }
    )
    enriched["summary"] = event_summaries(enriched)
    return enriched.reset_index(drop=True)
