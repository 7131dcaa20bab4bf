"""Audience fit: singles events only for single members, alcohol-focused events only for members known to be 21+."""

from __future__ import annotations

import pandas as pd
import pytest

from cucu_pipeline.campaign.matching.audience import ADULTS_ONLY, SINGLES_ONLY, alcohol_events, singles_events
from cucu_pipeline.campaign.matching.matches import match_members
from cucu_pipeline_tests.campaign.test_matching import REFERENCE, event, member, members_frame


def events(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([event(f"e{n}", **row) for n, row in enumerate(rows)])


@pytest.mark.parametrize(
    ("fields", "for_singles"),
    [
        ({"name": "Singles Supper"}, True),
        ({"name": "Supper", "categories": ["Dinner", "Singles"]}, True),
        ({"name": "Supper", "features": ["Communal table", "Singles"]}, True),
        ({"name": "Supper", "description": "Singles and couples welcome"}, False),  # a mention is not the aim
        ({"name": "Supper"}, False),
        ({"name": "Supper", "categories": ["singles_mixer"]}, True),  # `_`, `-` and `/` split words
        ({"name": "Supper", "features": ["couples/singles"]}, True),
    ],
)
def test_which_events_are_aimed_at_singles(fields, for_singles):
    assert singles_events(events(fields)).tolist() == [for_singles]


@pytest.mark.parametrize(
    ("fields", "alcohol"),
    [
        ({"name": "Oysters & Bubbles"}, True),
        ({"name": "Taco Supper Club", "features": ["Communal table", "BYOB"]}, True),
        ({"name": "Supper", "description": "No experience needed! Drinks included"}, True),
        ({"name": "Agave Evening", "description": "A mezcal flight with every course."}, True),
        ({"name": "Supper", "categories": ["Tasting", "Wine"]}, True),
        ({"name": "Bourbon & BBQ"}, True),
        ({"name": "Kale Salad Class", "description": "Fresh greens, ginger and rum-free mocktails"}, False),
        ({"name": "Thai Cooking Class", "description": "Hands-on and beginner friendly."}, False),
        ({"name": "Supper", "categories": ["wine_tasting"]}, True),
        ({"name": "Supper", "features": ["food-and-wine"]}, True),
        ({"name": "Supper", "features": ["beer/cider"]}, True),
    ],
)
def test_which_events_are_alcohol_focused(fields, alcohol):
    assert alcohol_events(events(fields)).tolist() == [alcohol]


def test_a_singles_event_goes_only_to_single_members():
    people = [
        member("single", relationship_status="Single"),
        member("married", relationship_status="Married"),
        member("partnered", relationship_status="In a relationship"),
        member("unknown", relationship_status=None),
    ]
    matching = match_members(members_frame(people), events({"name": "Singles Supper"}), REFERENCE, 30)
    matched = matching.matches.set_index("user_id")["event_id"]
    assert matched.to_dict() == {"single": "e0", "married": "", "partnered": "", "unknown": ""}
    assert +matching.excluded_pairs == {SINGLES_ONLY: 3}  # `+` drops the rules that excluded nothing


def test_an_alcohol_focused_event_goes_only_to_members_known_to_be_21_or_older():
    people = [member("adult", age=21), member("younger", age=20), member("unknown", age=None)]
    matching = match_members(members_frame(people), events({"name": "Oysters & Bubbles"}), REFERENCE, 30)
    matched = matching.matches.set_index("user_id")["event_id"]
    assert matched.to_dict() == {"adult": "e0", "younger": "", "unknown": ""}
    assert +matching.excluded_pairs == {ADULTS_ONLY: 2}


def test_a_pair_both_rules_exclude_is_counted_once():
    people = [member("young_married", age=19, relationship_status="Married")]
    matching = match_members(members_frame(people), events({"name": "Singles Wine Night"}), REFERENCE, 30)
    assert +matching.excluded_pairs == {SINGLES_ONLY: 1}
