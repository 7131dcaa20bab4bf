"""The deterministic scorer: hard rules, preferences in order, campaign priority, skip reasons."""

from __future__ import annotations

import pandas as pd
import pytest

from cucu_pipeline.campaign.campaigns import (
    FILL_THE_TABLE,
    RETURN_TO_TABLE,
    SEAT_THE_NEWCOMER,
    campaign_for,
    member_campaigns,
)
from cucu_pipeline.campaign.matching import match_members

REFERENCE = pd.Timestamp("2024-02-10T18:00:00Z")


def member(id_="m1", **fields) -> dict:
    return {
        "id": id_,
        "first_name": "Ana",
        "email": f"{id_}@x.com",
        "interests": ["cooking"],
        "cuisine_preferences": [],
        "favorite_event_types": [],
        "dietary_restrictions": [],
        "home_neighborhood": "Castro",
        "work_neighborhood": "SoMa",
        "event_count": 0,
        "days_since_last_event": None,
        "hasnt_attended_in_60_days": None,
        "age": 30,
        "relationship_status": "Single",
        **fields,
    }


def event(id_, name="Supper", days=5, fill=0.6, **fields) -> dict:
    return {
        "id": id_,
        "name": name,
        "start_date": REFERENCE + pd.Timedelta(days=days),
        "categories": ["Dinner"],
        "features": [],
        "common_interests": [],
        "neighborhood": "Marina",
        "fill_rate": fill,
        "spots_left": 4,
        "has_low_occupancy": fill < 0.3,
        "participants": [],
        "invited_participants": [],
        "description": "",
        **fields,
    }


def members_frame(members: list[dict]) -> pd.DataFrame:
    """Members typed as `enriched_users` holds them."""
    frame = pd.DataFrame(members)
    frame["days_since_last_event"] = frame["days_since_last_event"].astype("Int64")
    frame["hasnt_attended_in_60_days"] = frame["hasnt_attended_in_60_days"].astype("boolean")
    frame["age"] = frame["age"].astype("Int64")
    return frame


def match(members, events):
    return match_members(members_frame(members), pd.DataFrame(events), REFERENCE, 30).matches.set_index("user_id")


@pytest.mark.parametrize(
    ("event_count", "days_since", "campaign"),
    [
        (0, None, SEAT_THE_NEWCOMER),
        (2, 10, SEAT_THE_NEWCOMER),
        (2, 31, RETURN_TO_TABLE),
        (8, 40, RETURN_TO_TABLE),
        (8, 30, None),
        (3, 5, None),
    ],
)
def test_member_campaigns_and_their_priority(event_count, days_since, campaign):
    frame = pd.DataFrame([member(event_count=event_count, days_since_last_event=days_since)])
    frame["days_since_last_event"] = frame["days_since_last_event"].astype("Int64")
    frame["hasnt_attended_in_60_days"] = frame["days_since_last_event"].gt(60).astype("boolean")
    assert member_campaigns(frame)[0] == campaign


def test_fill_the_table_only_for_low_occupancy_events():
    assert campaign_for(None, True) == FILL_THE_TABLE and campaign_for(None, False) is None
    assert campaign_for(SEAT_THE_NEWCOMER, True) == SEAT_THE_NEWCOMER  # the member-driven campaign wins


def test_interests_come_first():
    picked = match(
        [member()],
        [event("e1", "Supper", days=1), event("e2", "Dumpling Workshop", days=20, categories=["Cooking Class"])],
    )
    assert picked.loc["m1", "event_id"] == "e2"
    assert picked.loc["m1", "candidates"] == ["e2", "e1"]
    assert "shares cooking" in picked.loc["m1", "reasoning"]


def test_an_invitation_outweighs_neighborhood_and_soonness():
    picked = match(
        [member(email="ana@x.com")],
        [event("e1", days=1, neighborhood="Castro"), event("e2", days=25, invited_participants=["ana@x.com"])],
    )
    assert picked.loc["m1", "event_id"] == "e2" and "was invited" in picked.loc["m1", "reasoning"]


def test_neighborhood_then_soonness_break_ties():
    picked = match([member()], [event("e1", days=3), event("e2", days=9, neighborhood="Castro")])
    assert picked.loc["m1", "event_id"] == "e2"
    assert match([member()], [event("e1", days=9), event("e2", days=3)]).loc["m1", "event_id"] == "e2"


def test_never_an_event_the_member_joined():
    picked = match([member(email="ana@x.com")], [event("e1", participants=["ana@x.com"]), event("e2")])
    assert picked.loc["m1", "candidates"] == ["e2"]


@pytest.mark.parametrize(
    ("diet", "categories", "features", "allowed"),
    [
        (["vegetarian"], ["Dinner", "Seafood"], [], False),
        (["shellfish allergy"], ["Tasting", "Seafood"], [], False),
        (["vegan"], ["Dinner", "Korean", "Steakhouse"], [], False),
        (["vegetarian"], ["Dinner"], ["Vegetarian options"], True),
        ([], ["Dinner", "Seafood"], [], True),
    ],
)
def test_never_an_event_with_a_knowable_dietary_conflict(diet, categories, features, allowed):
    picked = match([member(dietary_restrictions=diet)], [event("e1", categories=categories, features=features)])
    assert (picked.loc["m1", "event_id"] == "e1") == allowed


def test_dietary_fit_is_preferred():
    picked = match(
        [member(dietary_restrictions=["vegan"], interests=[])],
        [event("e1", days=1), event("e2", days=9, features=["Vegan"])],
    )
    assert picked.loc["m1", "event_id"] == "e2"


def test_events_whose_names_promote_alcohol_are_never_offered():
    picked = match(
        [member(interests=["wine"])], [event("e1", "Italian Wine Tasting", categories=["Wine"]), event("e2")]
    )
    assert picked.loc["m1", "candidates"] == ["e2"]


def test_newcomers_prefer_a_lively_but_not_full_table():
    picked = match(
        [member(interests=[])],
        [event("e1", fill=0.1, days=2), event("e2", fill=0.7, days=2), event("e3", fill=0.95, days=2)],
    )
    assert picked.loc["m1", "candidates"][0] == "e2"


def test_regulars_only_get_low_occupancy_events_and_are_skipped_without_one():
    regular = member(event_count=6, days_since_last_event=5)
    picked = match([regular], [event("e1", fill=0.1), event("e2", fill=0.6)])
    assert picked.loc["m1", "event_id"] == "e1" and picked.loc["m1", "campaign"] == FILL_THE_TABLE
    skipped = match([regular], [event("e2", fill=0.6)])
    assert skipped.loc["m1", "event_id"] == "" and skipped.loc["m1", "skip_reason"] == "no_low_occupancy_event"


def test_a_member_with_nothing_eligible_is_skipped_with_a_reason():
    picked = match([member(email="ana@x.com")], [event("e1", participants=["ana@x.com"])])
    assert picked.loc["m1", "skip_reason"] == "no_eligible_event" and picked.loc["m1", "candidates"] == []


def test_the_short_list_is_at_most_five_and_confidence_is_the_top_score():
    picked = match([member()], [event(f"e{n}", days=n + 1) for n in range(9)])
    assert len(picked.loc["m1", "candidates"]) == 5
    assert picked.loc["m1", "confidence"] == round(picked.loc["m1", "candidate_scores"][0])
    assert 0 <= picked.loc["m1", "confidence"] <= 100


def test_scores_are_the_same_in_chunks(monkeypatch):
    members = [member(f"m{n}", interests=["cooking"] if n % 2 else ["wine"]) for n in range(7)]
    events = [event(f"e{n}", days=n + 1, categories=["Cooking Class"] if n % 3 else ["Wine"]) for n in range(6)]
    whole = match(members, events)
    monkeypatch.setattr("cucu_pipeline.campaign.scoring.CHUNK", 2)
    pd.testing.assert_frame_equal(whole, match(members, events))
