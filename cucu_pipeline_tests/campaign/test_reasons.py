"""The reasons a member would go, each derived only when its evidence holds (docs/quality.md: "Reasons"): on one
member and event changed one fact at a time, and over every texted pair of a sample date, checked against the raw
events, orders and members read independently of the writer."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.campaign.checks.when import EventTime
from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.reasons.evidence import REPEAT_AFTER_DAYS, REPEAT_WITHIN_DAYS, derive_reasons
from cucu_pipeline.campaign.reasons.history import Attended, MemberHistory
from cucu_pipeline.campaign.reasons.occasions import occasion_on
from cucu_pipeline.campaign.writing.composer import composer_for
from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources, campaign_rules
from cucu_pipeline.sample_data.copy_report import READ, attended

MEMBER = {
    "first_name": "Sarah", "home_neighborhood": "Mission District", "work_neighborhood": "SoMa",
    "dietary_restrictions": ["vegan"], "relationship_status": "Single", "cuisine_preferences": ["Thai"],
    "interests": ["cooking", "jazz"], "days_since_last_event": 45.0, "events_hosted": 0,
}  # fmt: skip
EVENT = {
    "name": "Thai Cooking Class", "categories": ["Cooking Class", "Thai"], "features": ["Small group", "Vegan"],
    "neighborhood": "Dogpatch", "host_name": "Chef Ploy", "spots_left": 8, "participant_count": 4,
    "max_participants": 12,
}  # fmt: skip
PAST = MemberHistory((Attended("Pasta from Scratch", dt.date(2024, 1, 5), "Chef Mario", ("Cooking Class", "Italian")),))
TUESDAY = EventTime(dt.date(2024, 2, 14), dt.datetime(2024, 2, 20, 19))


def kinds(member=None, event=None, campaign=RETURN_TO_TABLE, when=TUESDAY, history=PAST, hook="", invited=False):
    found = derive_reasons(MEMBER | (member or {}), EVENT | (event or {}), campaign, when, history, hook, invited)
    return [reason.kind for reason in found]


def test_the_baseline_pair_has_only_the_reasons_its_facts_support():
    assert kinds() == ["been_kind", "diet", "returning", "host", "feature"]


@pytest.mark.parametrize(
    ("change", "gained"),
    [
        ({"event": {"spots_left": 2, "max_participants": 6}}, "last_seats"),
        ({"event": {"neighborhood": "Mission District"}}, "neighborhood"),
        ({"event": {"neighborhood": "SoMa"}}, "neighborhood"),  # close to work on a Tuesday
        ({"hook": "Thai food"}, "taste"),
        ({"invited": True}, "invited"),
        ({"event": {"participant_count": 8, "spots_left": 4}}, "half_full"),
        ({"event": {"participant_count": 0, "spots_left": 12}}, "first_seats"),
        ({"event": {"name": "Singles Supper", "features": ["Singles"]}}, "singles"),
        ({"when": EventTime(dt.date(2024, 2, 1), dt.datetime(2024, 2, 14, 19))}, "holiday"),
        ({"history": MemberHistory((Attended("Thai Cooking Class", dt.date(2023, 5, 1), None, ()),))}, "been_here"),
        ({"history": MemberHistory((Attended("Ramen Night", dt.date(2023, 5, 1), "Chef Ploy", ()),))}, "been_host"),
        ({"history": MemberHistory(), "campaign": SEAT_THE_NEWCOMER}, "first_table"),
    ],
)
def test_each_reason_appears_exactly_when_its_evidence_does(change, gained):
    assert gained not in kinds() and gained in kinds(**change)


@pytest.mark.parametrize(
    ("change", "lost"),
    [
        ({"member": {"dietary_restrictions": []}}, "diet"),
        ({"member": {"days_since_last_event": 20.0}}, "returning"),  # came three weeks ago: not away
        ({"event": {"host_name": None}}, "host"),
        ({"event": {"host_name": "Sarah Lee"}}, "host"),  # "Sarah, Sarah Lee is hosting" reads as a mistake
        ({"event": {"categories": ["Dinner", "Italian"]}, "history": MemberHistory(
            (Attended("Founders Dinner", dt.date(2024, 1, 5), None, ("Dinner", "French")),))}, "been_kind"),
    ],
)  # fmt: skip
def test_each_reason_goes_when_its_evidence_does(change, lost):
    assert lost not in kinds(**change)


def test_close_to_work_is_no_reason_on_a_sunday_and_guests_persuade_only_from_two_fifths():
    sunday = EventTime(dt.date(2024, 2, 14), dt.datetime(2024, 2, 18, 11))
    assert "neighborhood" not in kinds({}, {"neighborhood": "SoMa"}, when=sunday)
    assert "guests" not in kinds(event={"participant_count": 4, "max_participants": 20, "spots_left": 16})
    assert "guests" in kinds(event={"participant_count": 5, "max_participants": 12, "spots_left": 7})


def test_a_new_member_has_a_first_table_but_a_host_never_does():
    assert "first_table" in kinds(history=MemberHistory(), campaign=SEAT_THE_NEWCOMER)
    assert "first_table" not in kinds({"events_hosted": 2}, history=MemberHistory(), campaign=FILL_THE_TABLE)


@pytest.mark.slow
@pytest.mark.parametrize("date", ["2025-12-20", "2026-12-01"])
def test_every_reason_of_every_texted_pair_holds_on_the_raw_data(date, sample_data_dir):
    """Property over a whole sample date: each derived reason checked against the raw tables, and each reason whose
    raw evidence holds derived."""
    result = dg.materialize(
        ASSETS, selection="*matched_messages", resources=build_resources({"CUCU_DATA_DIR": str(sample_data_dir)}),
        partition_key=date,
    )  # fmt: skip
    outputs = {name: result.output_for_node(name) for name in READ}
    rules, day = campaign_rules({}), dt.date.fromisoformat(date)
    composer = composer_for(*(outputs[name] for name in READ[:4]), day, rules)
    users, events = outputs["raw_users"].set_index("id"), outputs["raw_events"].set_index("id")
    past = attended(outputs["raw_users"], outputs["raw_events"], outputs["raw_orders"], rules.reference_instant(day))
    texted = outputs["matched_messages"].query("status in ['ready', 'fallback']")
    checked = 0
    for user_id, event_id in zip(texted["user_id"], texted["event_id"]):
        found = {reason.kind: reason for reason in composer.facts(user_id, event_id).reasons}
        user, event, history = users.loc[user_id], events.loc[event_id], past.get(user_id, MemberHistory())
        start = event["start_date"].tz_convert(PACIFIC)
        seats, guests = event["max_participants"] - len(event["participants"]), len(event["participants"])
        assert ("last_seats" in found) == (0 < seats <= 3), (user_id, event_id)
        assert ("holiday" in found) == (occasion_on(start.date()) is not None)
        same = history.named(event["name"])
        assert ("been_here" in found) == (
            same is not None and REPEAT_AFTER_DAYS <= (day - same.day).days <= REPEAT_WITHIN_DAYS
        )
        assert ("first_seats" in found) == (guests == 0)
        if "neighborhood" in found:
            assert event["neighborhood"] in (user["home_neighborhood"], user["work_neighborhood"])
        elif user["home_neighborhood"] == event["neighborhood"]:
            pytest.fail(f"{user_id} lives where {event_id} is, and no reason says so")
        if "taste" in found:
            taste = dict(found["taste"].slots)["taste"].removesuffix(" food").lower()
            assert taste in " ".join([event["name"], *event["categories"], *event["features"]]).lower()
            assert taste in [t.lower() for t in [*user["preferred_cuisines"], *user["interests"]]]
        if "first_table" in found:
            assert history.count == 0
        if {"returning", "been_kind", "been_host"} & set(found):
            assert history.count > 0
        if "guests" in found:
            assert guests >= 2 and guests >= 0.4 * event["max_participants"]
        checked += 1
    assert checked > 300 and pd.notna(checked)
