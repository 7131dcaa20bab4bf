"""The deterministic scorer: hard rules, preferences in order, campaign priority, skip reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cucu_pipeline.campaign.matching import scoring
from cucu_pipeline.campaign.matching.campaigns import (
    FILL_THE_TABLE,
    RETURN_TO_TABLE,
    SEAT_THE_NEWCOMER,
    campaign_for,
    member_campaigns,
)
from cucu_pipeline.campaign.matching.matches import MATCH_COLUMNS, match_members
from cucu_pipeline.campaign.matching.scoring import SHORT_LIST, WEIGHTS
from cucu_pipeline.core import parallel
from cucu_pipeline.core.frames import top_positions

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
        "events_hosted": 0,
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
    assert "loves cooking" in picked.loc["m1", "reasoning"]


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


def test_an_unknown_neighborhood_is_near_no_event_not_even_one_whose_place_is_unknown():
    unknown = [member(home_neighborhood=None, work_neighborhood=None)]
    scores = match(unknown, [event("e1", neighborhood=None), event("e2", neighborhood="Castro")])
    known = match([member()], [event("e1", neighborhood="Castro")])
    assert scores.loc["m1", "candidate_scores"][0] == scores.loc["m1", "candidate_scores"][1]
    assert known.loc["m1", "candidate_scores"][0] == scores.loc["m1", "candidate_scores"][0] + WEIGHTS["neighborhood"]


@pytest.mark.parametrize("seed", range(40))
def test_the_short_list_is_what_a_stable_sort_gives_ties_and_forbidden_pairs_included(seed):
    rng = np.random.default_rng(seed)
    rows, columns = rng.integers(1, 60), rng.integers(0, 40)
    # Few distinct values, so ties at the k-th place are common; -inf marks forbidden pairs.
    score = rng.choice([0.0, 12.5, 40.0, 40.0, -np.inf, 61.9], size=(rows, columns))
    for k in (1, SHORT_LIST, 40):
        assert (top_positions(score, k) == np.argsort(-score, axis=1, kind="stable")[:, :k]).all()


@pytest.mark.parametrize("seed", range(20))
def test_the_short_list_of_mostly_distinct_scores_is_what_a_stable_sort_gives(seed):
    """Scores as a day's catalog gives them: mostly distinct, a few equal ones and forbidden pairs."""
    rng = np.random.default_rng(seed)
    score = np.round(rng.normal(50, 15, size=(rng.integers(1, 300), rng.integers(1, 400))), 1)
    score[rng.random(score.shape) < 0.1] = -np.inf
    for k in (1, SHORT_LIST):
        assert (top_positions(score, k) == np.argsort(-score, axis=1, kind="stable")[:, :k]).all()


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
    events = [
        event(
            f"e{n}",
            days=n + 1,
            categories=["Cooking Class"] if n % 3 else ["Wine"],
            participants=[f"m{(n + 3) % 7}@x.com"],  # members in every chunk joined or were invited to something
            invited_participants=[f"m{(n + 5) % 7}@x.com"],
        )
        for n in range(6)
    ]
    whole = match(members, events)
    monkeypatch.setattr(scoring, "CHUNK", 2)
    pd.testing.assert_frame_equal(whole, match(members, events))
    # And the chunks shared among forked children (at scale, shares of `CHUNKS_A_SHARE` on every core).
    forks, fork = [], parallel._forked
    monkeypatch.setattr(scoring, "CHUNKS_A_SHARE", 1)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    monkeypatch.setattr(parallel, "_forked", lambda *share: forks.append(share) or fork(*share))
    pd.testing.assert_frame_equal(whole, match(members, events))
    assert len(forks) == 2


REGULAR = {"event_count": 5, "days_since_last_event": 5}
RETURNING = {"event_count": 3, "days_since_last_event": 40}


@pytest.mark.parametrize(
    ("member_fields", "event_fields", "score"),
    [
        # A newcomer, no shared interest, a 60% full table 5 days out: quality 10 + soonness 6 × (1 − 5/30).
        ({}, {}, 15.0),
        ({}, {"neighborhood": "SoMa"}, 23.4),  # near work: 12 × 0.7
        ({}, {"neighborhood": "Castro"}, 27.0),  # near home: 12
        ({}, {"invited_participants": ["m1@x.com"]}, 35.0),  # an invitation: 20
        ({"dietary_restrictions": ["dairy-free"]}, {"features": ["Vegan"]}, 27.0),  # dietary fit: 12
        ({"interests": ["cooking", "dumplings"]}, {"name": "Cooking Dumplings"}, 41.7),  # 2 shared words of 3
        ({"interests": ["cooking", "dumplings", "thai", "noodles"]}, {"name": "Thai Cooking Dumplings Noodles"}, 55.0),
        ({}, {"days": 20}, 12.0),  # soonness 6 × (1 − 20/30)
        ({}, {"days": 40}, 10.0),  # beyond the horizon: no soonness
        ({}, {"fill": 0.9}, 13.0),  # newcomers: 0.1 above 80% costs 0.2 of quality
        ({}, {"fill": 0.3}, 11.0),  # newcomers: 0.2 below 50% costs 0.4 of quality
        (RETURNING, {"fill": 0.3}, 11.0),  # returners: quality rises to a half-full table (0.3 / 0.5)
        (RETURNING, {"fill": 0.9}, 15.0),
        (REGULAR, {"fill": 0.2}, 13.0),  # Fill the Table: the emptier the better (1 − 0.2)
    ],
)
def test_each_preference_weighs_what_the_readme_says(member_fields, event_fields, score):
    picked = match([member(**member_fields)], [event("e1", **event_fields)])
    assert picked.loc["m1", "candidate_scores"] == [score]


@pytest.mark.parametrize(
    ("diet", "tags"),
    [
        (["vegetarian"], ["BBQ"]),
        (["vegan"], ["BBQ"]),
        (["vegan"], ["Seafood"]),
        (["vegetarian"], ["Steakhouse"]),
        (["gluten-free"], ["Baking"]),
        (["Shellfish Allergy"], ["Seafood"]),
    ],
)
def test_every_knowable_dietary_conflict_keeps_the_event_away(diet, tags):
    assert match([member(dietary_restrictions=diet)], [event("e1", categories=tags)]).loc["m1", "candidates"] == []
    assert match([member(dietary_restrictions=diet)], [event("e1", features=tags)]).loc["m1", "candidates"] == []
    assert match([member()], [event("e1", categories=tags)]).loc["m1", "candidates"] == ["e1"]


def test_the_reasoning_names_what_the_match_rests_on():
    picked = match(
        [member(interests=["cooking", "dumplings", "thai", "noodles"], email="ana@x.com")],
        [
            event(
                "e1",
                "Thai Cooking Dumplings Noodles",
                days=1,
                neighborhood="SoMa",
                invited_participants=["ana@x.com"],
                spots_left=1,
            )
        ],
    )
    assert picked.loc["m1", "reasoning"] == (
        "Seat The Newcomer: Ana loves cooking, dumplings, thai, was invited, works in SoMa, first dinner with us; "
        "60% full with 1 seat left; in 1 day."
    )
    assert picked.loc["m1", "campaign"] == SEAT_THE_NEWCOMER and picked.loc["m1", "skip_reason"] is None


def test_campaigns_follow_the_members_own_index():
    frame = members_frame([member(event_count=0), member(event_count=9, days_since_last_event=40)])
    frame.index = [10, 11]
    assert member_campaigns(frame).to_dict() == {10: SEAT_THE_NEWCOMER, 11: RETURN_TO_TABLE}


def test_disallowed_events_never_crowd_the_short_list():
    joined = [event(f"j{n}", days=1, participants=["m1@x.com"]) for n in range(6)]
    picked = match([member()], [*joined, event("open", days=20)])
    assert picked.loc["m1", "candidates"] == ["open"]


def test_no_members_give_an_empty_table_with_every_column():
    matching = match_members(members_frame([member()]).iloc[:0], pd.DataFrame([event("e1")]), REFERENCE, 30)
    assert matching.matches.empty and list(matching.matches.columns) == ["user_id", *MATCH_COLUMNS]


def test_without_caps_every_event_may_take_every_member():
    matching = match_members(members_frame([member("m1"), member("m2")]), pd.DataFrame([event("e1")]), REFERENCE, 30)
    assert matching.events.to_dict("index") == {
        "e1": {"spots_left": 4, "cap": 2, "outstanding": 0, "room": 2, "allocated": 2}
    }
    assert matching.events.index.name == "event_id"
    assert matching.uncapped_score == matching.allocated_score == 30.0  # 15.0 each
    assert 0 <= matching.solver_seconds < 60


def test_no_events_leave_every_member_skipped_not_a_crash():
    no_events = pd.DataFrame([event("e1")]).iloc[:0]
    picked = match([member(), member("m2", event_count=5, days_since_last_event=3)], no_events)
    assert picked["skip_reason"].to_dict() == {"m1": "no_eligible_event", "m2": "no_low_occupancy_event"}


@pytest.mark.parametrize(
    ("diet", "fields"),
    [
        (["gluten-free"], {"name": "Pasta from Scratch"}),
        (["gluten-free"], {"name": "Dumpling Workshop"}),
        (["Gluten Free"], {"name": "Supper", "description": "Fresh sourdough and ramen noodles"}),
        (["celiac"], {"name": "Craft Beer Social"}),
        (["shellfish allergy"], {"name": "Oysters & Bubbles"}),
        (["nut allergy"], {"name": "Supper", "description": "Pesto, pistachio gelato"}),
        (["dairy-free"], {"name": "Fondue Night"}),
        (["dairy-free"], {"name": "Supper", "categories": ["cheese_tasting"]}),
        (["vegetarian"], {"name": "Korean BBQ Night"}),
        (["vegetarian"], {"name": "Supper", "features": ["charcuterie/wine"]}),
        (["vegan"], {"name": "Gelato Workshop"}),
        (["vegan"], {"name": "Supper", "description": "Seafood paella for the table"}),
    ],
)
def test_the_diet_lexicon_reads_the_name_categories_features_and_description(diet, fields):
    matching = match_members(
        members_frame([member(dietary_restrictions=diet)]), pd.DataFrame([event("e1", **fields)]), REFERENCE, 30
    )
    assert matching.matches.loc[0, "candidates"] == []
    assert sum(count for reason, count in matching.excluded_pairs.items() if reason.startswith("diet_")) == 1
    # The same event is fine for a member without the restriction.
    assert match([member()], [event("e1", **fields)]).loc["m1", "candidates"] == ["e1"]


@pytest.mark.parametrize(
    ("diet", "fields", "reason"),
    [
        (["gluten-free"], {"name": "Pasta from Scratch"}, "diet_gluten"),
        (["vegetarian"], {"name": "Korean BBQ Night"}, "diet_vegetarian"),
        (["dairy-free"], {"name": "Fondue Night"}, "diet_dairy"),
    ],
)
def test_excluded_pairs_are_counted_per_restriction(diet, fields, reason):
    people = [member("a", dietary_restrictions=diet), member("b", dietary_restrictions=diet), member("c")]
    matching = match_members(members_frame(people), pd.DataFrame([event("e1", **fields)]), REFERENCE, 30)
    assert +matching.excluded_pairs == {reason: 2}


@pytest.mark.parametrize(
    ("diet", "fields"),
    [
        (["gluten-free"], {"name": "Pasta from Scratch", "features": ["Gluten-free options"]}),
        (["vegan"], {"name": "Dumpling Workshop", "categories": ["Vegan"]}),
        (["vegetarian"], {"name": "Korean BBQ Night", "features": ["Vegetarian options"]}),
        (["nut allergy"], {"name": "Supper", "description": "A nut-free kitchen"}),
        (["gluten-free"], {"name": "Vegan Feast"}),
    ],
)
def test_an_explicit_feature_lifts_the_conflict_it_names_and_free_words_are_no_conflict(diet, fields):
    assert match([member(dietary_restrictions=diet)], [event("e1", **fields)]).loc["m1", "candidates"] == ["e1"]


def test_a_vegetarian_feature_does_not_lift_a_gluten_conflict():
    picked = match(
        [member(dietary_restrictions=["gluten-free"])],
        [event("e1", "Pasta from Scratch", features=["Vegetarian options"])],
    )
    assert picked.loc["m1", "candidates"] == []


def test_a_host_is_never_a_newcomer_nor_invited_to_the_event_they_host():
    host = member("h1", events_hosted=40, person_id="h1")
    hosted = event("e1", "Supper", fill=0.2, host_person_id="h1")
    other = event("e2", "Supper Two", fill=0.2, host_person_id="x9")
    matching = match_members(members_frame([host]), pd.DataFrame([hosted, other]), REFERENCE, 30)
    row = matching.matches.iloc[0]
    assert row["candidates"] == ["e2"] and row["campaign"] == FILL_THE_TABLE
    assert +matching.excluded_pairs == {"hosts_the_event": 1}


def test_a_person_is_never_invited_again_to_an_event_invited_to_lately():
    people = [member("m1", person_id="p1"), member("m2", person_id="p2")]
    invited = pd.DataFrame({"person_id": ["p1"], "event_id": ["e1"]})
    matching = match_members(
        members_frame(people), pd.DataFrame([event("e1"), event("e2", days=9)]), REFERENCE, 30, None, invited
    )
    assert matching.matches.set_index("user_id")["candidates"].to_dict() == {"m1": ["e2"], "m2": ["e1", "e2"]}
    assert +matching.excluded_pairs == {"already_invited": 1}
