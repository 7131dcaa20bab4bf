"""Claims checked for meaning: days and dates from the campaign date, times, counts by what they count, scarcity,
social proof, places, and other members' names (docs/writing.md: "Writing and checking")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cucu_pipeline.campaign.checks import claims as claims_module
from cucu_pipeline.campaign.checks import counts as counts_module
from cucu_pipeline.campaign.checks.claims import (
    _CLOCK,
    _HOSTED_BY,
    _HOSTING,
    _MONTH_DAY,
    _MONTH_YEAR,
    _NUMERIC_DATE,
    _ORDINAL,
    _TIME,
    false_facts,
)
from cucu_pipeline.campaign.checks.counts import _COUNTS, _DIGITS, _NUMBER_LED, _NUMBER_START, _WORD_LED, _matches_at
from cucu_pipeline.campaign.checks.sieve import Sieved, holds
from cucu_pipeline.campaign.checks.when import EventTime, clock_time, event_time
from cucu_pipeline_tests.campaign.test_sms_rules import CONTEXT

WEDNESDAY = dt.date(2024, 2, 14)


def claims(text: str, **changes) -> list[str]:
    return false_facts(text, dataclasses.replace(CONTEXT, **changes))


def starting(days: int, hour: int = 19, minute: int = 30) -> dict:
    """Changes to the context for an event `days` after the campaign date (a Wednesday) at `hour`:`minute`."""
    return {"start": dt.datetime.combine(WEDNESDAY + dt.timedelta(days=days), dt.time(hour, minute))}


@pytest.mark.parametrize(
    ("days", "hour", "minute", "phrase"),
    [
        (0, 19, 0, "tonight at 7pm"),
        (0, 17, 0, "tonight at 5pm"),
        (0, 11, 0, "today at 11am"),
        (0, 16, 59, "today at 4:59pm"),
        (1, 19, 30, "tomorrow at 7:30pm"),
        (2, 12, 0, "Friday at 12pm"),
        (6, 0, 5, "Tuesday at 12:05am"),
        (7, 19, 0, "Wed Feb 21 at 7pm"),
        (24, 11, 30, "Sat Mar 9 at 11:30am"),
    ],
)
def test_the_when_phrase_from_the_campaign_date(days, hour, minute, phrase):
    start = pd.Timestamp(dt.datetime.combine(WEDNESDAY + dt.timedelta(days=days), dt.time(hour, minute)))
    when = event_time(WEDNESDAY, start.tz_localize("America/Los_Angeles").tz_convert("UTC"))
    assert when.phrase == phrase and when.days_ahead == days


def test_pacific_wall_clock_across_utc_midnight():
    when = event_time(dt.date(2025, 6, 19), pd.Timestamp("2025-06-20T02:30:00Z"))  # 7:30pm PDT on the 19th
    assert (when.phrase, clock_time(when.start)) == ("tonight at 7:30pm", "7:30pm")


@pytest.mark.parametrize(
    ("text", "changes", "true"),
    [
        ("Dumpling Workshop tonight at 7:30pm", starting(0), True),
        ("Dumpling Workshop tonight at 11am", starting(0, 11, 0), False),  # a morning is not tonight
        ("Dumpling Workshop today at 11am", starting(0, 11, 0), True),
        ("Dumpling Workshop this morning", starting(0, 11, 0), True),
        ("Dumpling Workshop this afternoon", starting(0, 14, 0), True),
        ("Dumpling Workshop this evening", starting(0, 14, 0), False),
        ("Dumpling Workshop later today", starting(1), False),
        ("Dumpling Workshop today", starting(1), False),
        ("Dumpling Workshop tomorrow at 7:30pm", starting(1), True),
        ("Dumpling Workshop tmrw", starting(2), False),
        ("Dumpling Workshop tomorrow", starting(0), False),
        ("Dumpling Workshop this weekend", starting(3), True),  # Saturday
        ("Dumpling Workshop this weekend", starting(2), False),  # Friday
        ("Dumpling Workshop this weekend", starting(10), False),  # next Saturday
        ("Dumpling Workshop next weekend", starting(10), True),
        ("Dumpling Workshop this week", starting(4), True),  # Sunday ends the week
        ("Dumpling Workshop this week", starting(5), False),
        ("Dumpling Workshop next week", starting(5), True),
        ("Dumpling Workshop next week", starting(11), True),
        ("Dumpling Workshop next week", starting(12), False),
        ("Dumpling Workshop on Friday", starting(2), True),
        ("Dumpling Workshop on Fri.", starting(2), True),
        ("Dumpling Workshop on Saturday", starting(2), False),
        ("Dumpling Workshop on Sat", starting(2), False),
        ("Dumpling Workshop on Wednesday", starting(7), False),  # a bare weekday a week ahead
        ("Dumpling Workshop on Wed Feb 21", starting(7), True),
        ("Dumpling Workshop on Wednesday, February 21st", starting(7), True),
        ("Dumpling Workshop on Wed 2/21", starting(7), True),
        ("Dumpling Workshop on Wed Feb 22", starting(7), False),
        ("Dumpling Workshop on Feb 21", starting(7), True),
        ("Dumpling Workshop on 2/22", starting(7), False),
        ("Dumpling Workshop on the 21st", starting(7), True),
        ("Dumpling Workshop on the 27th", starting(7), False),
        ("Dumpling Workshop at 7:30pm", starting(2), True),
        ("Dumpling Workshop at 7:30 p.m.", starting(2), True),
        ("Dumpling Workshop at 7:30", starting(2), True),  # no meridiem: the clock reading must match
        ("Dumpling Workshop at 8:30", starting(2), False),
        ("Dumpling Workshop at 8pm", starting(2), False),
        ("Dumpling Workshop at 7 pm", starting(2, 19, 0), True),
        ("Dumpling Workshop at noon", starting(2, 12, 0), True),
        ("Dumpling Workshop at noon", starting(2), False),
        ("Dumpling Workshop at midnight", starting(2, 0, 0), True),
        ("Dumpling Workshop at midnight", starting(2), False),
    ],
)
def test_days_dates_and_times_are_checked_against_the_start(text, changes, true):
    found = claims(text, **changes)
    assert (not found) == true, found


@pytest.mark.parametrize(
    ("phrase", "true"),
    [
        ("7 seats left", True),
        ("seven seats left", True),
        ("5 seats left", False),  # 5 is the guests in, not the seats left
        ("11 seats left", False),
        ("12 open seats", False),
        ("7 spots open", True),
        ("5 guests in", True),
        ("five people are going", True),
        ("7 guests in", False),  # 7 is the seats left
        ("5 in", True),
        ("7 in", False),
        ("join 5 others", True),
        ("a table for 12", True),
        ("a table for 7", False),
        ("a 12-person table", True),
        ("12 max", True),
        ("5 max", False),
        ("5 of 12 seats taken", True),
        ("7 of 12 seats left", True),
        ("5 of 12 seats left", False),
        ("5 seats taken", True),
        ("a dozen seats left", False),
        ("7 courses", False),  # a number that counts nothing on record
        ("one more", True),  # a number word counting nothing is not a claim
    ],
)
def test_each_count_is_checked_against_what_it_counts(phrase, true):
    found = claims(f"Hi Sarah! Dumpling Workshop: {phrase}. Join us:")
    assert (not found) == true, found


@pytest.mark.parametrize("phrase", ["last few seats", "almost sold out", "only a few spots left", "filling up fast"])
def test_scarcity_only_at_three_seats_or_fewer(phrase):
    assert claims(f"Dumpling Workshop: {phrase}")
    assert not claims(f"Dumpling Workshop: {phrase}", spots_left=3, max_participants=8)


@pytest.mark.parametrize("phrase", ["0 guests in. Join them", "no one yet, join the crowd", "others are in"])
def test_no_social_proof_from_zero_guests(phrase):
    assert claims(f"Dumpling Workshop: {phrase}", participant_count=0, spots_left=12)
    assert not claims(f"Dumpling Workshop: {phrase.replace('0 guests', '5 guests')}")


@pytest.mark.parametrize(
    ("text", "true"),
    [
        ("Dumpling Workshop, hosted by Chef Ploy", True),  # the event's host may be named
        ("Dumpling Workshop, hosted by Chef Mario", False),
        ("Dumpling Workshop at Culinary Studio", False),
        ("Dumpling Workshop in SoMa", False),
        ("Dumpling Workshop in Financial District", True),
        ("Dumpling Workshop near Mission District", True),  # the member's own neighborhood
        ("Dumpling Workshop with Maya Lopez", False),  # another member's full name
        ("Dumpling Workshop: Maya is going", False),  # a guest's first name
        ("Dumpling Workshop in June", True),  # a month, not the guest named June
        ("Sarah Cohen, Dumpling Workshop", True),  # the member's own name
        ("Dumpling Workshop with Sam Park", False),
    ],
)
def test_places_hosts_and_other_members(text, true):
    found = claims(text)
    assert (not found) == true, found


def test_places_are_named_in_one_order_whatever_the_string_hashing():
    """The problems are stored with the text: a set's order, which changes with each process, must not reach them."""
    venues = frozenset({"Fillmore Parlor", "Castro Table", "The Vault", "Mission Kitchen", "Noe Pantry", "Dockside"})
    text = "Dumpling Workshop: " + ", ".join(sorted(venues, reverse=True)) + ", in SOMA, NOE VALLEY, Dogpatch"
    found = claims(
        text,
        known_venues=venues,
        known_neighborhoods=frozenset({"SoMa", "Noe Valley", "Dogpatch", "Castro"}),
        venue_name=None,
    )
    assert found == [f"names venue {venue}" for venue in sorted(venues)] + [
        "names neighborhood Castro",  # inside "Castro Table"
        "names neighborhood Dogpatch",
        "names neighborhood Noe Valley",
        "names neighborhood SoMa",
    ]


def test_numbers_and_days_inside_names_are_not_claims():
    assert not claims("Taco Tuesday at Pier 5 Loft", event_name="Taco Tuesday", venue_name="Pier 5 Loft")


@pytest.mark.parametrize(
    ("text", "changes", "problems"),
    [
        ("Dumpling Workshop on Saturday", {}, ["says saturday, the event is on Friday"]),
        (
            "Dumpling Workshop on Wednesday",
            starting(7),
            ["says wednesday alone, the event is 7 days away (Wed Feb 21)"],
        ),
        ("Dumpling Workshop tomorrow", {}, ["says tomorrow, the event is Friday"]),
        ("Dumpling Workshop on Feb 22", {}, ["says feb 22, the event is on Feb 16"]),
        ("Dumpling Workshop on 2/22", {}, ["says 2/22, the event is on 2/16"]),
        ("Dumpling Workshop on the 27th, 7 seats left", {}, ["says the 27th, the event is on the 16"]),
        ("Dumpling Workshop at 8pm", {}, ["says 8pm, the event starts at 7:30pm"]),
        ("Dumpling Workshop at 8:30", {}, ["says 8:30, the event starts at 7:30pm"]),
        ("Dumpling Workshop at noon", {}, ["says noon, the event starts at 7:30pm"]),
        ("Dumpling Workshop: 5 seats left", {}, ["says '5 seats': spots left is 7"]),
        ("Dumpling Workshop: 0 guests in", {"participant_count": 0}, ["social proof from 0 guests: '0 guests'"]),
        ("Dumpling Workshop: 9 courses", {}, ["states 9 without saying what it counts"]),
        ("Dumpling Workshop: last seats", {}, ["scarcity 'last seats' with 7 seats left"]),
        ("Dumpling Workshop: join them", {"participant_count": 0}, ["social proof 'join them' with no guests in"]),
        ("Dumpling Workshop at Culinary Studio", {}, ["names venue Culinary Studio"]),
        ("Dumpling Workshop in SoMa", {}, ["names neighborhood SoMa"]),
        ("Dumpling Workshop, hosted by Chef Mario", {}, ["names host Chef Mario"]),
        ("Dumpling Workshop with Sam Park", {}, ["names another member"]),
        ("Dumpling Workshop: Maya is in", {}, ["names a guest or friend of the member"]),
    ],
)
def test_each_problem_says_what_the_text_claims_and_what_is_true(text, changes, problems):
    assert claims(text, **changes) == problems


@pytest.mark.parametrize(
    ("text", "changes", "true"),
    [
        ("Dumpling Workshop tonight", starting(0, 17, 0), True),  # 5pm is evening
        ("Dumpling Workshop at 12pm", starting(2, 12, 0), True),
        ("Dumpling Workshop at 12am", starting(2, 0, 0), True),
        ("Dumpling Workshop at 12:30", starting(2, 0, 30), True),
        ("Dumpling Workshop next weekend", starting(5), False),  # next week, but a Monday
        ("Dumpling Workshop, hosted by Ploy", {}, True),
        ("Dumpling Workshop tonite", starting(0, 16, 0), False),
        ("Dumpling Workshop this morning", starting(0, 12, 0), False),
        ("Dumpling Workshop this afternoon", starting(0, 12, 0), True),
        ("Dumpling Workshop this afternoon", starting(0, 17, 0), False),
        ("Dumpling Workshop: 3 seats left, filling fast", {"spots_left": 3, "max_participants": 8}, True),
        ("Dumpling Workshop: 4 seats left, filling fast", {"spots_left": 4, "max_participants": 9}, False),
        ("Dumpling Workshop: 1 guest in", {"participant_count": 1, "max_participants": 8}, True),
        ("Hi Tuesday! Dumpling Workshop, Fri 7:30pm", {"first_name": "Tuesday"}, True),  # a name, not a day
        ("Hi Sarah! Dumpling Workshop", {"private_first_names": frozenset({"sarah"})}, True),  # her own name
        ("Dumpling Workshop with Ploy", {"private_first_names": frozenset({"ploy"})}, True),  # the host
        ("Dumpling Workshop with Ploy", {"private_first_names": frozenset({"ploy"}), "host_name": None}, False),
        ("Dumpling Workshop, hosted by Chef Ploy", {"host_name": None}, False),
        ("Dumpling Workshop at Culinary Studios", {}, False),  # a known venue inside a longer word still counts
        ("Dumpling Workshop with Somali spices", {}, True),  # a neighborhood is a whole word: not SoMa
        ("Dumpling Workshop at The Vault", {"venue_name": "The Vault Rooftop"}, True),  # part of its venue
        ("Dumpling Workshop in the Mission", {"known_neighborhoods": frozenset({"Mission"})}, True),  # hers
        (
            "Dumpling Workshop in the Mission",
            {"known_neighborhoods": frozenset({"Mission"}), "member_neighborhoods": frozenset()},
            False,
        ),
        ("Dumpling Workshop, Fri 7:30pm", {"first_name": ""}, True),
    ],
)
def test_claims_at_their_edges(text, changes, true):
    found = claims(text, **changes)
    assert (not found) == true, found


COUNT_WORDS = ["3", "12", "a dozen", "one", "twenty", "seventeen", "of", "seats", "spots", "left", "taken", "guests"]
COUNT_WORDS += ["already", "in", "going", "table", "for", "max", "-person", "open", "more", "someone", "x3", "3rd", "!"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(COUNT_WORDS), max_size=14), st.sampled_from([" ", "  ", "-", ""]))
def test_count_patterns_tried_where_numbers_start_find_what_finditer_finds(words, separator):
    text = separator.join(words)
    starts = [match.start() for match in _NUMBER_START.finditer(text)]
    for pattern in _NUMBER_LED:
        found = [match.span() for match in _matches_at(pattern, text, starts)]
        assert found == [match.span() for match in pattern.finditer(text)], (pattern.pattern, text)


# Whatever a sieved pattern could match holds what it is sieved by: the sieve never changes a result.
SIEVED = [
    value for module in (claims_module, counts_module) for value in vars(module).values() if isinstance(value, Sieved)
]
SIEVED += list(_WORD_LED.values())
NEED_A_DIGIT = [
    _MONTH_YEAR.pattern,
    _MONTH_DAY.pattern,
    _NUMERIC_DATE.pattern,
    _ORDINAL,
    _TIME,
    _CLOCK.pattern,
    _DIGITS,
]
NEED_A_NUMBER = [pattern for pattern, _ in _COUNTS]


@pytest.mark.parametrize("sieved", SIEVED, ids=[sieved.pattern.pattern[:30] for sieved in SIEVED])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_text_a_pattern_matches_holds_what_the_pattern_is_sieved_by(sieved, data):
    text = data.draw(st.from_regex(sieved.pattern))
    assert holds(text, sieved.needs), (sieved.pattern.pattern, text)


def test_every_gated_scan_is_sieved_and_tested():
    assert len(SIEVED) == 12


@pytest.mark.parametrize("pattern", NEED_A_DIGIT, ids=[pattern.pattern[:30] for pattern in NEED_A_DIGIT])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_dates_times_and_bare_numbers_are_read_only_where_a_number_starts(pattern, data):
    text = data.draw(st.from_regex(pattern))
    assert re.search(r"\d", text) and _NUMBER_START.search(text), (pattern.pattern, text)


@pytest.mark.parametrize("pattern", NEED_A_NUMBER, ids=[pattern.pattern[:30] for pattern in NEED_A_NUMBER])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_counts_are_read_only_where_a_number_starts(pattern, data):
    text = data.draw(st.from_regex(pattern))
    assert _NUMBER_START.search(text), (pattern.pattern, text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_HOSTED_BY, alphabet=st.characters(max_codepoint=127)))
def test_a_host_named_in_any_case_is_read_in_lower_case(text):
    assert holds(text.lower(), _HOSTING), text


@settings(max_examples=500, deadline=None)
@given(
    st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    st.integers(0, 60),
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
)
def test_the_when_phrase_code_writes_is_true_of_the_event_it_is_taken_out_as(campaign_date, days, hour, minute):
    """The phrase is taken out before the other days and times are read: it must never be a false claim itself."""
    start = dt.datetime.combine(campaign_date + dt.timedelta(days=days), dt.time(hour, minute))
    context = dataclasses.replace(CONTEXT, campaign_date=campaign_date, start=start)
    phrase = EventTime(campaign_date, start).phrase
    assert claims_module.false_dates(phrase.lower(), phrase, EventTime(campaign_date, start), []) == []
    assert claims_module.false_times(phrase.lower(), EventTime(campaign_date, start), []) == []
    assert false_facts(f"{CONTEXT.event_name}, {phrase}. Join us:", context) == []


def test_a_false_day_or_time_beside_the_true_phrase_is_still_refused():
    true = event_time(WEDNESDAY, pd.Timestamp("2024-02-16 03:30", tz="UTC")).phrase  # Thursday at 7:30pm in Pacific
    context = dataclasses.replace(CONTEXT, start=dt.datetime(2024, 2, 15, 19, 30), campaign_date=WEDNESDAY)
    assert false_facts(f"Dumpling Workshop, {true}. Join us:", context) == []
    assert false_facts(f"Dumpling Workshop, {true}, doors at 6pm on Friday. Join us:", context) == [
        "says friday, the event is on Thursday",
        "says 6pm, the event starts at 7:30pm",
    ]
