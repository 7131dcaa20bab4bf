"""The deterministic writer's phrasings, exhaustively: grammatical and true for every count from 0 to 3 and around
the "few seats" line, time-of-day aware, at least twelve per campaign, the shared taste first, never a family of the
member's last three texts, within one segment (docs/writing.md: "Writing and checking")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re

import pytest

from cucu_pipeline.campaign.checks.segments import count_segments
from cucu_pipeline.campaign.checks.sms_rules import check_message, failed_hard_rules
from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.writing.briefs import Brief, EventFacts, compose
from cucu_pipeline.campaign.writing.composer import shared_taste
from cucu_pipeline.campaign.writing.phrasings import FEW_SEATS, TEMPLATES, phrasing_family
from cucu_pipeline.campaign.writing.templates import fill, phrasings_for, template_bodies
from cucu_pipeline_tests.campaign.test_sms_rules import CONTEXT, LINK

CAMPAIGNS = (SEAT_THE_NEWCOMER, RETURN_TO_TABLE, FILL_THE_TABLE)
WHEN = {
    True: ("Friday at 7:30pm", dt.datetime(2024, 2, 16, 19, 30)),
    False: ("Friday at 11am", dt.datetime(2024, 2, 16, 11)),
}
UNGRAMMATICAL = re.compile(
    r"\b1 (seats|guests)\b|\b([02-9]|\d\d+) (seat|guest)\b|\b1 (seat|guest) are\b|\b(seats|guests) is\b"
)
EVENING_WORDS = re.compile(r"\b(dinner|tonight|evening|night)\b", re.IGNORECASE)
DAYTIME_WORDS = re.compile(r"\b(morning|before dark|daytime|brunch|sunny)\b", re.IGNORECASE)


def event(campaign: str, seats: int, guests: int, evening: bool, hook: str = "", host: str | None = None) -> EventFacts:
    return EventFacts(
        id="event_004",
        name="Dumpling Workshop",
        campaign=campaign,
        when=WHEN[evening][0],
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
    )


def template_drafts(brief: Brief) -> list[str]:
    return list(template_bodies(brief))


def brief(facts: EventFacts, opt_out: bool = True) -> Brief:
    return Brief("user_001", "Sarah", "", (facts,), opt_out, "Cuculi:", dt.date(2024, 2, 14), "2024-02-14:user_001")


SEATS = (0, 1, 2, 3, FEW_SEATS - 1, FEW_SEATS, 20)
HOSTS = (None, "Maya Lopez")
CASES = list(itertools.product(CAMPAIGNS, SEATS, range(4), (True, False), ("", "Chinese food"), HOSTS))
SOCIAL_PROOF = re.compile(r"\bguests?\b|join them|one more|a few more", re.IGNORECASE)


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_at_least_twelve_phrasings_per_campaign_each_its_own_family(campaign):
    phrasings = TEMPLATES[campaign]
    assert len(phrasings) >= 12
    assert len({phrasing.text for phrasing in phrasings}) == len(phrasings)
    families = [phrasing.family for templates in TEMPLATES.values() for phrasing in templates]
    assert len(set(families)) == len(families)


@pytest.mark.parametrize(("campaign", "style", "hook"), list(itertools.product(CAMPAIGNS, (0, 1), (False, True))))
def test_each_style_has_four_phrasings_for_any_event_with_and_without_a_hook(campaign, style, hook):
    """Three recent families excluded still leave a fresh one, whatever the event."""
    unconditional = [
        p
        for p in TEMPLATES[campaign]
        if p.style == style
        and p.needs_hook == hook
        and p.fits(event(campaign, 20, 0, True, "Thai food"))
        and p.fits(event(campaign, 20, 0, False, "Thai food"))
    ]
    assert len(unconditional) >= 4, [p.family for p in unconditional]


@pytest.mark.parametrize(("campaign", "seats", "guests", "evening", "hook", "host"), CASES)
def test_every_usable_phrasing_is_grammatical_and_true(campaign, seats, guests, evening, hook, host):
    facts = event(campaign, seats, guests, evening, hook, host)
    usable = phrasings_for(facts)
    assert usable, "every campaign has a phrasing for every event"
    context = dataclasses.replace(
        CONTEXT,
        start=WHEN[evening][1],
        spots_left=seats,
        participant_count=guests,
        max_participants=seats + guests,
        host_name=host,
    )
    for phrasing in usable:
        body = fill(phrasing, brief(facts), facts)
        assert phrasing_family(body) == phrasing.family, body
        assert not UNGRAMMATICAL.search(body), body
        crowded = guests == 0 or (campaign == FILL_THE_TABLE and seats >= FEW_SEATS)
        assert not (crowded and SOCIAL_PROOF.search(body)), body
        assert not (EVENING_WORDS.search(body) if not evening else DAYTIME_WORDS.search(body)), body
        if seats:  # an event with no seat left is never offered
            text = compose(body, brief(facts), facts.id)
            assert not failed_hard_rules(check_message(text, context)), (
                text,
                failed_hard_rules(check_message(text, context)),
            )


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_the_member_gets_one_segment_even_with_a_long_name(campaign):
    facts = dataclasses.replace(event(campaign, 2, 3, True), name="Sourdough and Seasonal Jam Masterclass")
    drafts = template_drafts(brief(facts))
    assert drafts and all(count_segments(compose(body, brief(facts), facts.id)) == 1 for body in drafts)


def test_two_segments_only_when_the_bare_facts_cannot_fit_one():
    facts = dataclasses.replace(event(FILL_THE_TABLE, 2, 3, True), name="A " + "Very " * 14 + "Long Supper")
    assert brief(facts).segments_for(facts) == 2
    (bare,) = template_drafts(brief(facts))[-1:]
    assert count_segments(compose(bare, brief(facts), facts.id)) == 2
    short = event(FILL_THE_TABLE, 2, 3, True)
    assert brief(short).segments_for(short) == 1
    assert brief(short).budget_for(short) == 160 - len(f"Cuculi:  {LINK} Reply STOP to opt out")
    assert brief(short, opt_out=False).budget_for(short) == 160 - len(f"Cuculi:  {LINK}")


def test_the_phrasing_varies_by_member_and_a_regeneration_moves_on():
    facts = event(FILL_THE_TABLE, 2, 3, True)
    firsts = {template_drafts(dataclasses.replace(brief(facts), seed=f"2024-02-14:user_{n}"))[0] for n in range(40)}
    assert len(firsts) >= 5


@pytest.mark.parametrize(
    ("cuisines", "interests", "hook"),
    [
        (["Thai", "Chinese"], ["cooking"], "Chinese food"),  # a cuisine the event is, first
        ([], ["hiking", "cooking"], "cooking"),  # an interest its categories name
        ([], ["art"], ""),  # whole words only: not the "art" in "Hands-on Party"
        ([], [], ""),
    ],
)
def test_the_hook_is_a_taste_the_member_and_the_event_share(cuisines, interests, hook):
    event = {"name": "Dumpling Workshop", "categories": ["Cooking Class", "Chinese"], "features": ["Hands-on Party"]}
    assert shared_taste({"cuisine_preferences": cuisines, "interests": interests}, event) == hook


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_each_variant_of_the_experiment_writes_from_its_own_family_of_phrasings(campaign):
    facts = event(campaign, 2, 3, True, "Chinese food")
    warm, playful = (
        set(template_drafts(dataclasses.replace(brief(facts), variant=v, variants=("warm", "playful")))[:-1])
        for v in ("warm", "playful")
    )
    assert warm and playful and not warm & playful  # the bare facts, last, are shared


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_the_shared_taste_comes_first_for_every_member(campaign):
    facts = event(campaign, 2, 3, True, "Chinese food")
    for n in range(30):
        first = template_drafts(dataclasses.replace(brief(facts), seed=f"2024-02-14:user_{n}"))[0]
        assert "Chinese food" in first, first


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_no_family_of_the_last_three_texts_while_a_fresh_one_fits(campaign):
    facts = event(campaign, 2, 3, True, "Chinese food")
    sent: list[str] = []
    for week in range(8):
        member = dataclasses.replace(brief(facts), seed=f"2024-0{week % 9 + 1}-14:user_1", recent_texts=tuple(sent[:3]))
        body = template_drafts(member)[0]
        assert phrasing_family(body) not in {phrasing_family(text) for text in sent[:3]}, (week, body, sent[:3])
        sent.insert(0, body)


def test_a_rejected_text_moves_the_writer_to_another_family():
    facts = event(RETURN_TO_TABLE, 2, 3, True)
    first = template_drafts(brief(facts))[0]
    second = template_drafts(dataclasses.replace(brief(facts), rejected=(first,)))[0]
    assert phrasing_family(second) != phrasing_family(first)
