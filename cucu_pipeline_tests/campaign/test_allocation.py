"""Seats: each event's cap for the date, and the assignment that maximizes the total score under the caps."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from cucu_pipeline.campaign.matching.allocation import allocate_seats, event_caps
from cucu_pipeline.campaign.matching.matches import caps_by_event, match_members
from cucu_pipeline.campaign.writing.attempts import READY, Outcome, Text
from cucu_pipeline.campaign.writing.briefs import Draft
from cucu_pipeline.campaign.writing.drafting import within_caps
from cucu_pipeline_tests.campaign.test_matching import REFERENCE, event, member, members_frame

DAY = dt.date(2024, 2, 10)


def history(*texts: tuple[str, str, int]) -> pd.DataFrame:
    """(event id, status as of the date, days before the date) per text."""
    return pd.DataFrame(
        {
            "event_id": [event_id for event_id, _, _ in texts],
            "status_as_of": [status for _, status, _ in texts],
            "contact_day": pd.to_datetime([pd.Timestamp(DAY) - pd.Timedelta(days=days) for _, _, days in texts]),
        }
    )


def test_a_cap_is_seats_left_times_invites_per_seat_less_what_is_outstanding():
    events = pd.DataFrame({"id": ["e1", "e2", "e3"], "spots_left": [1, 3, 2]})
    texts = history(
        ("e1", "sent", 1), ("e1", "queued", 6), ("e1", "sent", 7),  # the third is older than the memory
        ("e2", "other", 1),  # a failed text invites nobody
        ("e3", "sent", 0), ("e3", "queued", 2), ("e3", "sent", 3), ("e3", "sent", 4), ("e3", "sent", 5),
        ("e3", "sent", 5), ("e3", "sent", 6), ("e3", "queued", 6), ("e3", "sent", 6), ("e3", "sent", 6),
        ("e3", "sent", 6),
    )  # fmt: skip
    caps = event_caps(events, texts, DAY, invites_per_seat=2.5, memory_days=7)
    assert caps.loc["e1"].tolist() == [1, 3, 2, 1]  # spots_left, cap = ceil(2.5), outstanding, room
    assert caps.loc["e2"].tolist() == [3, 8, 0, 8]
    assert caps.loc["e3"].tolist() == [2, 5, 11, 0]  # more outstanding than the cap: no room, never negative


def test_the_assignment_maximizes_the_total_score_not_each_member_greedily():
    candidates = pd.Series([["e1", "e2"], ["e1", "e2"]])
    scores = pd.Series([[90.0, 80.0], [85.0, 10.0]])
    chosen = allocate_seats(candidates, scores, pd.Series({"e1": 1, "e2": 1}))
    # Greedy in member order would give m1 e1 and m2 e2 (100); the optimum gives m1 e2 and m2 e1 (165).
    assert chosen.tolist() == [1, 0]


def test_a_member_without_room_is_left_out_and_ties_go_to_the_earlier_candidate():
    candidates = pd.Series([["e1"], ["e1"], ["e2", "e3"]])
    scores = pd.Series([[50.0], [70.0], [40.0, 40.0]])
    room = pd.Series({"e1": 1, "e2": 5, "e3": 5})
    chosen = allocate_seats(candidates, scores, room)
    assert chosen.tolist() == [-1, 0, 0]
    assert allocate_seats(candidates, scores, room).tolist() == chosen.tolist()  # deterministic
    assert allocate_seats(candidates, scores, pd.Series({"e1": 0, "e2": 0, "e3": 0})).tolist() == [-1, -1, -1]


@pytest.mark.parametrize("room", [0, 1, 2, 3])
def test_matching_never_allocates_an_event_beyond_its_room(room):
    members = members_frame([member(f"m{n}") for n in range(6)])
    events = pd.DataFrame([event("full", days=2), event("other", days=9)])
    caps = pd.DataFrame(
        {"spots_left": [4, 4], "cap": [room, 6], "outstanding": [0, 0], "room": [room, 6]},
        index=pd.Index(["full", "other"], name="event_id"),
    )
    matching = match_members(members, events, REFERENCE, 30, caps)
    matches = matching.matches
    assert (matches["event_id"] == "full").sum() == room
    assert (matches["event_id"] == "other").sum() == 6 - room
    assert matching.events.loc["full", "allocated"] == room
    for _, row in matches.iterrows():  # the writer may pick the allocated event or one that still has room
        assert row["candidates"][0] == row["event_id"]
        assert "full" not in row["candidates"][1:]
    assert caps_by_event(matches) == {"other": 6, **({"full": room} if room else {})}  # what the check holds texts to
    assert matching.allocated_score <= matching.uncapped_score


def test_a_member_whose_every_candidate_is_taken_is_skipped_for_capacity():
    members = members_frame([member("m1", interests=["cooking"]), member("m2", interests=[])])
    events = pd.DataFrame([event("only", name="Cooking Supper")])
    caps = pd.DataFrame(
        {"spots_left": [1], "cap": [1], "outstanding": [0], "room": [1]}, index=pd.Index(["only"], name="event_id")
    )
    matches = match_members(members, events, REFERENCE, 30, caps).matches.set_index("user_id")
    assert matches.loc["m1", "event_id"] == "only"  # the better fit gets the seat
    assert (matches.loc["m2", "event_id"], matches.loc["m2", "skip_reason"]) == ("", "event_capacity_reached")


def test_a_writer_pick_beyond_an_events_cap_goes_back_to_the_allocated_event():
    """Three members allocated to `a`; the writer picks `b` for all three, which has one seat of room left."""
    matched = pd.DataFrame(
        {
            "user_id": ["m1", "m2", "m3"],
            "event_id": ["a", "a", "a"],
            "candidates": [["a", "b"]] * 3,
            "candidate_caps": [[3, 1]] * 3,
        }
    )
    texts = [
        Text(SimpleNamespace(user_id=user), Outcome(READY, Draft(user, "b", "text"), "text", [], 1))
        for user in matched["user_id"]
    ]
    capped = within_caps(texts, matched)
    assert [text.brief.user_id for text in capped if text.outcome is None] == ["m2", "m3"]  # the first pick fits
    assert capped[0].outcome.draft.event_id == "b"
    assert "no room left" in capped[1].failures[0]


def test_a_skipped_member_keeps_its_short_list_for_the_record():
    members = members_frame([member("m1"), member("m2", interests=[])])
    events = pd.DataFrame([event("only", name="Cooking Supper")])
    caps = pd.DataFrame(
        {"spots_left": [1], "cap": [1], "outstanding": [0], "room": [1]}, index=pd.Index(["only"], name="event_id")
    )
    matching = match_members(members, events, REFERENCE, 30, caps)
    skipped = matching.matches.set_index("user_id").loc["m2"].to_dict()
    assert pd.isna(skipped.pop("campaign"))
    assert skipped == {
        "event_id": "",
        "reasoning": "",
        "confidence": 0,
        "skip_reason": "event_capacity_reached",
        "candidates": ["only"],
        "candidate_scores": [15.0],
        "candidate_caps": [1],
    }
    assert (matching.allocated_score, matching.uncapped_score) == (28.3, 43.3)  # m1 alone: 15 + 40/3


def test_allocation_follows_the_callers_index_and_caps_have_their_columns():
    chosen = allocate_seats(pd.Series([["e1"], []], index=["x", "y"]), pd.Series([[10.0], []]), pd.Series({"e1": 1}))
    assert chosen.to_dict() == {"x": 0, "y": -1}
    caps = event_caps(pd.DataFrame({"id": ["e1"], "spots_left": [2]}), history(), DAY, 5, 7)
    assert list(caps.columns) == ["spots_left", "cap", "outstanding", "room"] and caps.index.name == "event_id"
