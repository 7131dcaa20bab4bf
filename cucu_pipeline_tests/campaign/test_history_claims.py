"""Claims about the member's past and words that must fit the event, as hard rules for every writer (docs/writing.md:
"Writing and checking"): a return needs a past event, "back for more French food" a French one, "first table" none;
"dinner" only for a dinner, hunger only where food is served, "a" and "an" as the word sounds."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cucu_pipeline.campaign.reasons.history import Attended, MemberHistory
from cucu_pipeline.campaign.reasons.kinds import CLASS, DINNER, TASTING, EventKind, event_kind
from cucu_pipeline_tests.campaign.test_sms_rules import CONTEXT, failures, with_body

NEVER = MemberHistory()
THAI = MemberHistory((Attended("Thai Cooking Class", dt.date(2024, 1, 10), "Chef Ploy", ("Cooking Class", "Thai")),))
FRENCH = MemberHistory((Attended("Founders Dinner", dt.date(2023, 11, 2), None, ("Dinner", "French")),))
WORKSHOP = MemberHistory((Attended("Dumpling Workshop", dt.date(2023, 12, 1), None, ("Cooking Class", "Chinese")),))
CLASS_KIND, DINNER_KIND, WINE = EventKind(CLASS, True), EventKind(DINNER, True), EventKind(TASTING, False)


def refused(body: str, history: MemberHistory, kind: EventKind = CLASS_KIND) -> dict[str, str]:
    found = failures(with_body(body), dataclasses.replace(CONTEXT, history=history, kind=kind))
    return {rule: detail for rule, detail in found.items() if rule in ("history", "wording")}


@pytest.mark.parametrize(
    ("body", "history"),
    [
        ("Sarah, back for more French food? Dumpling Workshop, Friday at 7:30pm. Come back:", THAI),
        ("Sarah, missed your French food fix? Dumpling Workshop is Friday at 7:30pm. Join us:", THAI),
        ("Sarah, welcome back! Dumpling Workshop is Friday at 7:30pm. Save a seat:", NEVER),
        ("Sarah, come back to the table: Dumpling Workshop, Friday at 7:30pm. Save a seat:", NEVER),
        ("Sarah, your first table with us? Dumpling Workshop, Friday at 7:30pm. Save a seat:", THAI),
        ("Sarah, a first dinner with us? Dumpling Workshop, Friday at 7:30pm. Join us:", FRENCH),
        ("Sarah, you were at Dumpling Workshop in March. It's back Friday at 7:30pm. Join us:", THAI),
        ("Sarah, we haven't seen you since March. Dumpling Workshop, Friday at 7:30pm. Join us:", THAI),
        ("Sarah, time for a jazz reunion: Dumpling Workshop, Friday at 7:30pm. Save a seat:", THAI),
        ("Sarah, you loved it last time. Dumpling Workshop is Friday at 7:30pm. Join us:", NEVER),
    ],
)
def test_a_claim_about_the_members_past_that_their_attendance_does_not_support_is_refused(body, history):
    assert "history" in refused(body, history)


@pytest.mark.parametrize(
    ("body", "history"),
    [
        ("Sarah, back for more Thai food? Dumpling Workshop, Friday at 7:30pm. Come back:", THAI),
        ("Sarah, welcome back! Dumpling Workshop is Friday at 7:30pm. Save a seat:", THAI),
        ("Sarah, your first table with us? Dumpling Workshop, Friday at 7:30pm. Save a seat:", NEVER),
        ("Sarah, you were at Dumpling Workshop in December. It's back Friday at 7:30pm. Join us:", WORKSHOP),
        ("Sarah, we haven't seen you since January. Dumpling Workshop, Friday at 7:30pm. Join us:", THAI),
        ("Sarah, be among the first at Dumpling Workshop, Friday at 7:30pm. Save a seat:", THAI),
        ("Sarah, the first seats are open at Dumpling Workshop, Friday at 7:30pm. Grab one:", NEVER),
        ("Sarah, Chef Ploy is hosting again: Dumpling Workshop, Friday at 7:30pm. Save a seat:", THAI),
    ],
)
def test_a_claim_their_attendance_supports_passes(body, history):
    assert refused(body, history) == {}


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Sarah, dinner plans: Dumpling Workshop, Friday at 7:30pm. Save a seat:", CLASS_KIND),
        ("Sarah, come hungry to Dumpling Workshop, Friday at 7:30pm. Save a seat:", WINE),
        ("Sarah, a Ethiopian feast awaits at Dumpling Workshop, Friday at 7:30pm. Save a seat:", DINNER_KIND),
        ("Sarah, an cozy table at Dumpling Workshop, Friday at 7:30pm. Save a seat:", CLASS_KIND),
    ],
)
def test_words_that_do_not_fit_the_event_are_refused(body, kind):
    assert "wording" in refused(body, THAI, kind)


@pytest.mark.parametrize(
    "body",
    [
        "Sarah, dinner plans: Dumpling Workshop, Friday at 7:30pm. Save a seat:",
        "Sarah, come hungry to Dumpling Workshop, Friday at 7:30pm. An hour of dumplings and a unique table:",
        "Sarah, an Ethiopian feast at Dumpling Workshop, Friday at 7:30pm. Save a seat:",
    ],
)
def test_the_same_words_fit_a_dinner(body):
    assert refused(body, THAI, DINNER_KIND) == {}


def test_a_name_holding_a_claim_is_not_read_as_one():
    supper = dataclasses.replace(CONTEXT, event_name="Taco Supper Club", history=NEVER, kind=CLASS_KIND)
    body = "Sarah, Taco Supper Club is Friday at 7:30pm. Save a seat:"
    assert {rule for rule in failures(with_body(body), supper)} & {"history", "wording"} == set()


@pytest.mark.parametrize(
    ("name", "categories", "features", "kind", "food"),
    [
        ("Italian Wine Tasting", ("Tasting", "Italian", "Wine"), ("Wine pairing",), "tasting", False),
        ("Oysters & Bubbles", ("Tasting", "Seafood"), ("Wine pairing",), "tasting", True),
        ("Mezcal Tasting", ("Tasting", "Mexican"), ("Small plates",), "tasting", True),
        ("Thai Cooking Class", ("Cooking Class", "Thai"), ("Hands-on",), "class", True),
        ("Dim Sum Brunch", ("Brunch", "Chinese"), (), "brunch", True),
        ("Jazz & Tapas Night", ("Dinner", "Spanish"), ("Live music",), "dinner", True),
        ("Rooftop Mixer", (), (), "event", False),
    ],
)
def test_the_kind_of_an_event_is_read_from_its_name_and_categories(name, categories, features, kind, food):
    assert event_kind(name, categories, features) == EventKind(kind, food)
