"""Enriched event profiles: capacity, crowd, host, Pacific weekday, clean descriptions, summary."""

from __future__ import annotations

import pandas as pd
import pytest

from cucu_pipeline.profiles.event_profiles import clean_description, enrich_events, low_occupancy
from cucu_pipeline.sources.documents import EventDocument
from cucu_pipeline.sources.tables import normalize_documents, normalize_users
from cucu_pipeline_tests.conftest import JENNY, MIKE, SARAH, SARAH_DATE, event, member, sarah_documents

PROFILE_FIELDS = """id name start_date end_date day_of_week venue_name neighborhood categories features max_participants
participant_count spots_left fill_rate description host_name common_occupations common_interests average_age
has_low_occupancy participant_names summary""".split()


@pytest.fixture
def supper() -> pd.Series:
    users = normalize_users(
        sarah_documents()["users"]
        + [
            member(
                "user_005",
                "Noor",
                "Haddad",
                email="noor@x.com",
                occupation=None,
                interests=["wine", "cooking"],
                birthDay="2000-02-11T00:00:00Z",
            )
        ]
    ).frame
    events = normalize_documents(
        [
            event(
                "e9",
                "Dumpling Workshop",
                "2024-02-17T03:30:00.000Z",
                [SARAH, MIKE, JENNY, "noor@x.com", "stranger@x.com"],
                maxParticipants=12,
                ownerId=users.set_index("id").loc["host_ploy", "mongo_id"],
                description="<div><h2>Dumplings</h2><script>alert(1)</script><p>Fold, steam &amp; eat.</p></div>",
            )
        ],
        EventDocument,
    ).frame
    return enrich_events(events, users, SARAH_DATE).iloc[0]


def test_every_spec_field_is_present(supper):
    assert set(PROFILE_FIELDS) <= set(supper.index)


def test_capacity_fields(supper):
    assert supper["participant_count"] == 5 and supper["max_participants"] == 12
    assert supper["spots_left"] == 7 and supper["fill_rate"] == pytest.approx(0.417)
    assert not supper["has_low_occupancy"]


def test_weekday_is_pacific(supper):
    assert supper["day_of_week"] == "Friday"  # Saturday 03:30 UTC is Friday evening in San Francisco


def test_host_found_through_the_mongodb_id_too(supper):
    assert supper["host_name"] == "Chef Ploy"


def test_crowd(supper):
    # Known guests only; the stranger has no profile. Ties are alphabetical.
    assert supper["participant_names"] == [
        "Sarah Chen (Software Engineer)",
        "Mike Jones (Designer)",
        "Jenny Kim (Designer)",
        "Noor Haddad",
    ]
    assert supper["common_occupations"] == ["Designer", "Software Engineer"]
    assert supper["common_interests"] == ["cooking", "hiking", "photography", "wine"]
    assert supper["average_age"] == 31  # 32, 34, 34 and 23 (Noor turns 24 tomorrow)


def test_description_is_plain_text(supper):
    assert supper["description"] == "Dumplings Fold, steam & eat."


def test_summary(supper):
    for fact in (
        "Dumpling Workshop",
        "Friday, February 16 at 7:30 PM",
        "The Vault",
        "Chef Ploy",
        "5 of 12 seats",
        "7 spots left",
    ):
        assert fact in supper["summary"]
    assert "@" not in supper["summary"]
    assert "Sarah Chen (Software Engineer)" in supper["participant_names"]
    assert "Sarah" not in supper["summary"]  # guests are members: never named where Claude reads (the host may be)


@pytest.mark.parametrize(
    ("count", "capacity", "low"),
    [(2, 10, True), (3, 10, False), (2, 8, True), (3, 8, False), (2, 6, False), (8, 30, True), (9, 30, False)],
)
def test_low_occupancy(count, capacity, low):
    assert low_occupancy(pd.Series([count]), pd.Series([capacity]))[0] == low


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Join us for <b>Tacos</b>!</p>", "Join us for Tacos !"),
        ("Line<br/>break&nbsp;here", "Line break here"),
        ("<style>p{color:red}</style>Plain", "Plain"),
        (None, ""),
        ("Fish &lt;script&gt; tacos", "Fish script tacos"),  # decoded entities never turn back into markup
    ],
)
def test_clean_description(html, text):
    assert clean_description(pd.Series([html]))[0] == text


def test_an_event_without_known_guests(sarah_world):
    events = normalize_documents(
        [event("e8", "Quiet Dinner", "2024-02-12T03:00:00Z", [], maxParticipants=10)], EventDocument
    ).frame
    quiet = enrich_events(events, sarah_world["users"], SARAH_DATE).iloc[0]
    assert quiet["participant_names"] == [] and pd.isna(quiet["average_age"]) and quiet["has_low_occupancy"]
    assert quiet["fill_rate"] == 0 and "0 of 10 seats" in quiet["summary"]
