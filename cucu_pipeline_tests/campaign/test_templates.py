"""The copy library and the deterministic writer (docs/quality.md: "The copy library"): every line with every call
to action, over every combination of its reasons' values, events of each kind it allows, each campaign, a member
with and without a name and a past, is grammatical and passes every hard rule; the writer leads with the strongest
true reason and the shared taste, spreads a date over the lines, and never repeats a recent or refused line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections import Counter

import pytest

from cucu_pipeline.campaign.checks.segments import count_segments
from cucu_pipeline.campaign.checks.sms_rules import check_message, failed_hard_rules
from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.reasons.evidence import RETURNING, Reason, ranks, shared_taste
from cucu_pipeline.campaign.reasons.history import Attended, MemberHistory
from cucu_pipeline.campaign.reasons.kinds import EventKind
from cucu_pipeline.campaign.writing.briefs import Brief, EventFacts, compose
from cucu_pipeline.campaign.writing.library import FACT_SLOTS, calls_to_action, fill, line_of, lines
from cucu_pipeline.campaign.writing.templates import LINE_SHARE, PLAIN, options, template_writes
from cucu_pipeline_tests.campaign.test_sms_rules import CONTEXT, LINK

CAMPAIGNS = (SEAT_THE_NEWCOMER, RETURN_TO_TABLE, FILL_THE_TABLE)
# Each kind of event as the sample has it: name, kind, food, evening.
EVENTS = {
    "dinner": ("Taco Supper Club", "dinner", True, True),
    "class": ("Dumpling Workshop", "class", True, False),
    "tasting": ("Natural Wine Night", "tasting", False, True),
    "brunch": ("Dim Sum Brunch", "brunch", True, False),
}
# The values each reason's slots take in the pipeline, at their edges (one seat, an occasion with "the", a taste
# with "an", a month in another year).
VALUES = {
    "last_seats": [{"seats": "1 seat", "seats_are": "1 seat is"}, {"seats": "3 seats", "seats_are": "3 seats are"}],
    "been_here": [{"last_time": "in March"}, {"last_time": "this month"}, {"last_time": "in March 2025"}],
    "holiday": [{"holiday": "Christmas Eve"}, {"holiday": "the Fourth of July"}],
    "diet": [{"diet_offer": "vegan options"}, {"diet_offer": "gluten-free options"}],
    "taste": [{"taste": "Ethiopian food", "a_taste": "an Ethiopian food"},
              {"taste": "live music", "a_taste": "a live music"}],
    "neighborhood": [{"neighborhood": "Mission District", "near": "close to home"},
                     {"neighborhood": "SoMa", "near": "close to work"}],
    "been_host": [{"host": "Maya Chen"}],
    "host": [{"host": "Maya Chen"}],
    "been_kind": [{"past_event": "Pasta from Scratch"}],
    "returning": [{"since": "January"}, {"since": "January 2024"}],  # the history below: January 5, 2024
    "guests": [{"guests": "2 guests", "guests_are": "2 guests are"},
               {"guests": "7 guests", "guests_are": "7 guests are"}],
    "half_full": [{"guests": "6 guests", "seats": "5 seats"}],
    "feature": [{"feature": "live music"}, {"feature": "one long communal table"}],
}  # fmt: skip
HISTORY_REASONS = {"been_here", "been_host", "been_kind", "returning"}
UNGRAMMATICAL = re.compile(
    r"\b1 (seats|guests)\b|\b([02-9]|\d\d+) (seat|guest)\b|\b1 (seat|guest) are\b|\b(seats|guests) is\b|"
    r"\s[,.:;!?]|\s{2}|[,:;]\s*[.,:;]|\bthe the\b|\b(a|an) (the|a|an)\b|\{|\}"
)
SENTENCE_START = re.compile(r"[.!?] +([a-z])")


def _counts(slots: dict[str, str]) -> tuple[int, int]:
    """(seats left, guests in) that make the slots true."""
    seats = int((slots.get("seats") or "8 seats").split()[0])
    guests = int((slots.get("guests") or "0 guests").split()[0]) if "guests" in slots else (0 if seats == 8 else 4)
    return seats, guests


def event(campaign: str, seats: int, guests: int, evening: bool, hook: str = "", host: str | None = None,
          reasons: tuple[Reason, ...] = (), kind: str = "class", name: str = "Dumpling Workshop",
          food: bool = True) -> EventFacts:  # fmt: skip
    return EventFacts(
        id="event_004",
        name=name,
        campaign=campaign,
        when="Friday at 7:30pm" if evening else "Friday at 11am",
        evening=evening,
        link=LINK,
        venue="The Vault",
        neighborhood="Financial District",
        host=host,
        spots_left=seats,
        participant_count=guests,
        max_participants=seats + guests,
        summary="",
        hook=hook,
        reasons=reasons,
        kind=kind,
        food=food,
    )


def brief(facts: EventFacts, opt_out: bool = True, first_name: str = "Sarah", **changes) -> Brief:
    made = Brief("user_001", first_name, "", (facts,), opt_out, "Cuculi:", dt.date(2024, 2, 14), "2024-02-14:user_001")
    return dataclasses.replace(made, **changes)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def _slots(kind: str) -> set[str]:
    return {slot for values in VALUES.get(kind, [{}]) for slot in values}


def test_the_library_has_over_150_lines_each_leading_with_a_ranked_reason_and_using_only_its_slots():
    known = {reason for order in ranks().values() for reason in order} | {PLAIN}
    assert len(lines()) >= 150 and len({line.id for line in lines()}) == len(lines())
    for line in lines():
        assert line.lead in known and line.also <= known, line.id
        allowed = set(FACT_SLOTS).union(*(_slots(kind) for kind in line.reasons))
        assert _placeholders(line.text) <= allowed, line.id
        assert all(line.text.count(f"{{{slot}}}") == 1 for slot in ("first", "event", "when")), line.id
        assert line.text.rstrip()[-1] in ".?!", line.id  # a call to action follows
    for call in calls_to_action():
        assert call.text.endswith(":") and not _placeholders(call.text), call.id


@pytest.mark.parametrize("campaign", CAMPAIGNS)
@pytest.mark.parametrize("style", ["warm", "playful"])
def test_every_campaign_and_style_has_several_lines_for_each_common_reason(campaign, style):
    for reason in ("last_seats", "taste", "neighborhood", "host", "feature", "been_here", "holiday"):
        usable = [line for line in lines() if line.lead == reason and campaign in line.campaigns
                  and line.style in ("any", style)]  # fmt: skip
        assert len(usable) >= 3, (reason, campaign, style)


def _combinations(line):
    """(event facts, member history, name, with venue) for every way the line can be used."""
    kinds = [kind for kind in EVENTS if "any" in line.kinds or kind in line.kinds]
    histories = [MemberHistory()] if "first_table" in line.reasons else []
    if not line.reasons & {"first_table"}:
        histories.append(MemberHistory((Attended("Pasta from Scratch", dt.date(2024, 1, 5), "Maya Chen",
                                                  ("Cooking Class", "Italian")),)))  # fmt: skip
        if not line.reasons & HISTORY_REASONS:
            histories.append(MemberHistory())
    for kind, campaign, history in itertools.product(kinds, sorted(line.campaigns), histories):
        name, event_kind, food, evening = EVENTS[kind]
        if line.time != "any" and (line.time == "evening") != evening:
            evening = not evening
        if "been_here" in line.reasons:  # they were at this very event, before the one in the history
            history = MemberHistory((*history.attended, Attended(name, dt.date(2023, 6, 1), None, ())))
        for values in itertools.product(*(VALUES.get(reason, [{}]) for reason in sorted(line.reasons))):
            slots = {key: value for one in values for key, value in one.items()}
            reasons = tuple(Reason(reason, "", tuple(slots.items())) for reason in sorted(line.reasons))
            if history.count and "returning" not in line.reasons:
                reasons += (Reason(RETURNING, "", (("since", "January"),)),)
            seats, guests = _counts(slots)
            facts = event(campaign, seats, guests, evening, slots.get("taste", ""), slots.get("host"), reasons,
                          event_kind, name, food)  # fmt: skip
            yield facts, history, slots


def test_every_line_with_its_calls_to_action_is_grammatical_and_passes_every_hard_rule():
    checked = 0
    for line in lines():
        for number, (facts, history, slots) in enumerate(_combinations(line)):
            available = frozenset(reason.kind for reason in facts.reasons)
            calls = [
                call
                for call in calls_to_action()
                if call.fits_member(facts.campaign, None) and call.follows(line, available)
            ]
            assert calls, line.id
            first_name, with_venue = ("Sarah", True) if number % 2 == 0 else ("", False)
            body = f"{fill(line.text, first_name, facts, with_venue)} {calls[number % len(calls)].text}"
            text = compose(body, brief(facts, first_name=first_name), facts.id)
            context = dataclasses.replace(
                CONTEXT, first_name=first_name, event_name=facts.name, host_name=facts.host,
                spots_left=facts.spots_left, participant_count=facts.participant_count,
                max_participants=facts.max_participants, history=history,
                kind=EventKind(facts.kind, facts.food),
                start=dt.datetime(2024, 2, 16, 19, 30) if facts.evening else dt.datetime(2024, 2, 16, 11),
                neighborhood=slots.get("neighborhood", "Financial District"),
                member_neighborhoods=frozenset({slots.get("neighborhood", "Mission District")}),
            )  # fmt: skip
            failed = [f"{r.rule}: {r.detail}" for r in failed_hard_rules(check_message(text, context))
                      if r.rule not in ("length", "segments")]  # fmt: skip
            assert not failed, (line.id, body, failed)
            assert not UNGRAMMATICAL.search(body) and not SENTENCE_START.search(body), (line.id, body)
            assert body[0].isupper(), (line.id, body)
            checked += 1
    assert checked > 2000


def test_every_line_fits_one_segment_for_a_short_event_name_and_values():
    """Every line is usable: in one segment for a short name, event and values, and nine in ten of them with the
    opt-out line too (the longer ones go to members texted in the last 30 days, who need none)."""
    with_opt_out = []
    for line in lines():
        facts = min(_combinations(line), key=lambda found: sum(map(len, found[2].values())))[0]
        facts = dataclasses.replace(facts, name="Dim Sum Brunch", venue=None, when="Friday at 7pm")
        body = f"{fill(line.text, 'Sam', facts)} Join us:"
        assert count_segments(compose(body, brief(facts, opt_out=False, first_name="Sam"), facts.id)) == 1, line.id
        with_opt_out.append(count_segments(compose(body, brief(facts, first_name="Sam"), facts.id)) == 1)
    assert sum(with_opt_out) >= 0.9 * len(lines())


def _reason(kind: str, **slots: str) -> Reason:
    return Reason(kind, kind, tuple(slots.items()))


SEATS = _reason("last_seats", seats="2 seats", seats_are="2 seats are")
TASTE = _reason("taste", taste="Chinese food", a_taste="a Chinese food")
NEAR = _reason("neighborhood", neighborhood="Financial District", near="close to work")


def test_the_writer_leads_with_the_strongest_reason_and_says_the_shared_taste():
    facts = event(FILL_THE_TABLE, 2, 4, True, reasons=(SEATS, NEAR))
    best = options(brief(facts))[0]
    assert best.lead == "last_seats" and "2 seats" in best.body
    tasted = event(FILL_THE_TABLE, 2, 4, True, hook="Chinese food", reasons=(SEATS, TASTE, NEAR))
    found = options(brief(tasted, opt_out=False))
    assert found[0].lead == "last_seats" and "Chinese food" in found[0].body
    assert "Chinese food" in options(brief(tasted))[0].body  # with less room, the taste before the seats
    assert all("Chinese food" in option.body for option in found if option.tier == found[0].tier)


def test_a_date_spreads_its_texts_over_the_lines():
    briefs = [
        brief(
            event(campaign, 2, 4, True, hook="Chinese food", reasons=(SEATS, TASTE, NEAR)),
            user_id=f"user_{n:03d}",
            seed=f"2024-02-14:user_{n:03d}",
        )  # fmt: skip
        for n, campaign in zip(range(300), itertools.cycle(CAMPAIGNS))
    ]
    drafts = template_writes(briefs)
    used = Counter(draft.line for draft in drafts)
    assert all(draft.body for draft in drafts) and max(used.values()) <= LINE_SHARE * len(briefs)
    assert all("Chinese food" in draft.body for draft in drafts)


def test_never_a_line_of_the_last_three_texts_nor_a_refused_one():
    facts = event(SEAT_THE_NEWCOMER, 2, 4, True, reasons=(SEATS, NEAR))
    first = template_writes([brief(facts)])[0]
    recent = template_writes([brief(facts, recent_texts=(first.body,))])[0]
    refused = template_writes([brief(facts, rejected=(first.body,))])[0]
    assert line_of(first.body) == first.line and first.line not in (recent.line, refused.line)
    assert refused.body != first.body


def test_a_member_without_a_usable_name_is_greeted_without_one():
    facts = event(FILL_THE_TABLE, 2, 4, True, reasons=(SEATS, NEAR))
    for option in options(brief(facts, first_name="")):
        assert "{" not in option.body and not option.body.startswith((",", " ")) and ", ." not in option.body


@pytest.mark.parametrize(
    ("cuisines", "interests", "categories", "hook"),
    [
        (["Chinese"], ["jazz"], ["Cooking Class", "Chinese"], "Chinese food"),
        (["Thai"], ["jazz"], ["Cooking Class", "Chinese"], ""),
        ([], ["wine"], ["Tasting", "Wine"], ""),  # never a drink
        (["Italian"], [], ["Tasting", "Italian", "Wine"], ""),  # a wine tasting serves no Italian food
    ],
)
def test_the_hook_is_a_taste_the_member_and_the_event_share(cuisines, interests, categories, hook):
    member = {"cuisine_preferences": cuisines, "interests": interests}
    name = "Italian Wine Tasting" if "Wine" in categories else "Dumpling Workshop"
    assert shared_taste(member, {"name": name, "categories": categories, "features": []}) == hook
