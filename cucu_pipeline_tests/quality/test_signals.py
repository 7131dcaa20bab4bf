"""The local judge (docs/quality.md: "The local judge"): each definite flaw caps its criterion with a named issue,
and the fitted weights rank planted weak texts below a strong one for the same member and event."""

from __future__ import annotations

import dataclasses

import pytest

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.reasons.evidence import Reason
from cucu_pipeline.quality.judge import local_judgement, weights
from cucu_pipeline.quality.rubric import Judgement, Review
from cucu_pipeline.quality.signals import FEATURES
from cucu_pipeline_tests.campaign.test_templates import brief, event

SEATS = Reason("last_seats", "2 seats left", (("seats", "2 seats"), ("seats_are", "2 seats are")))
TASTE = Reason("taste", "shares their taste for Chinese food", (("taste", "Chinese food"),))
NEAR = Reason("neighborhood", "is close to work", (("neighborhood", "Financial District"), ("near", "close to work")))
STRONG = (
    "Sarah, only 2 seats are left at Dumpling Workshop, Friday at 7:30pm, and Chinese food is your thing. Grab one:"
)


def judged(body: str, campaign=FILL_THE_TABLE, seats=2, guests=3, evening=True, hook="Chinese food",
           reasons=(SEATS, TASTE, NEAR), repeats=0.0, **member) -> Judgement:  # fmt: skip
    facts = event(campaign, seats, guests, evening, hook, reasons=reasons)
    return local_judgement(Review(dataclasses.replace(brief(facts), **member), facts, body), repeats)


def test_the_weights_cover_every_signal_and_criterion():
    assert all(set(model) == {"intercept", *FEATURES} for model in weights().values()) and len(weights()) == 5


@pytest.mark.parametrize(
    ("body", "changes", "criterion", "cap", "issue"),
    [
        ("Sarah, 2 seats left at Dumpling Workshop, Friday at 7:30pm. Grab one:", {}, "personal", 3,
         "does not use the taste"),
        ("Sarah, back for more Chinese food? Dumpling Workshop, Friday at 7:30pm. Grab one:",
         {"campaign": SEAT_THE_NEWCOMER}, "personal", 1, "claims a past"),
        ("Sarah, your first table? Chinese food at Dumpling Workshop, Friday at 7:30pm. Grab one:",
         {"campaign": RETURN_TO_TABLE}, "personal", 1, "first-timer"),
        ("Sarah, dinner and Chinese food: Dumpling Workshop, Friday at 7:30pm, 2 seats left. Grab one:", {},
         "fit", 1, "dinner"),
        ("Sarah, Chinese food at Dumpling Workshop, Friday at 7:30pm, 2 seats left!! Grab one:", {}, "natural", 2,
         "doubled"),
        ("Sarah, join them for Chinese food: Dumpling Workshop, Friday at 7:30pm, 2 seats left. Grab one:",
         {"guests": 0}, "fit", 1, "social proof"),
        ("Sarah, Chinese food and a few more needed: Dumpling Workshop, Friday at 7:30pm:", {"seats": 12},
         "fit", 1, "filling with 12 seats"),
        ("Sarah, Chinese food brunch: Dumpling Workshop, Friday at 7:30pm, 2 seats left. Grab one:", {},
         "fit", 1, "daytime words"),
        ("Sarah, Dumpling Workshop, Friday at 7:30pm, Chinese food:", {}, "call_to_action", 2, "without an invitation"),
    ],
)  # fmt: skip
def test_each_flaw_caps_its_criterion_with_a_named_issue(body, changes, criterion, cap, issue):
    verdict = judged(body, **changes)
    assert verdict.scores[criterion] <= cap, verdict
    assert any(found.startswith(f"{criterion}: ") and issue in found for found in verdict.issues), verdict.issues


@pytest.mark.parametrize(
    "weak",
    [
        "Sarah, Dumpling Workshop, Friday at 7:30pm:",  # the bare facts, no reason, no invitation
        "Sarah, Dumpling Workshop is Friday at 7:30pm. Save a seat:",  # correct but says no reason
        "Sarah, back for more dumplings? Dumpling Workshop, Friday at 7:30pm, 2 seats left. Grab one:",  # false past
        "Sarah, dinner plans: Dumpling Workshop, Friday at 7:30pm. Chinese food fans, grab one:",  # a class, no dinner
        "Sarah, Dumpling Workshop, Friday at 7:30pm at The Vault, 2 seats left:",  # a listing
    ],
)
def test_planted_weak_texts_score_below_a_strong_one_for_the_same_member_and_event(weak):
    assert judged(weak).score < judged(STRONG).score


def test_the_line_every_other_member_got_scores_lower():
    repeated = judged(STRONG, repeats=0.4)
    assert repeated.score < judged(STRONG).score and repeated.scores["natural"] <= 2
    assert any("the same line as 40%" in issue for issue in repeated.issues)


def test_the_event_and_venue_names_are_not_read_as_claims():
    night = dataclasses.replace(event(FILL_THE_TABLE, 2, 3, False, reasons=(SEATS,)), name="Night Market Brunch")
    body = "Sarah, only 2 seats are left at Night Market Brunch, Friday at 11am. Grab one:"
    verdict = local_judgement(Review(brief(night), night, body))
    assert not any(issue.startswith("fit:") for issue in verdict.issues), verdict.issues


@pytest.mark.parametrize(
    "body",
    [
        STRONG,
        "Sarah, Chinese food close to work: Dumpling Workshop, Friday at 7:30pm. Grab one:",
        "Sarah, 2 seats left at Dumpling Workshop, Friday at 7:30pm. Grab one:",
    ],
)
def test_a_text_the_hard_rules_passed_is_judged_as_if_its_claims_were_read_again(body):
    """The pipeline judges only texts whose `history` and `wording` rules passed (`Review.checked`): the judge
    skips reading those claims again, and must come to the same verdict."""
    facts = event(FILL_THE_TABLE, 2, 3, True, "Chinese food", reasons=(SEATS, TASTE, NEAR))
    unread, checked = (local_judgement(Review(brief(facts), facts, body, checked=flag)) for flag in (False, True))
    assert checked == unread
