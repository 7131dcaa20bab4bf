"""The local judge: each measurable signal lowers its criterion with a named issue; a good text scores 5 on each."""

from __future__ import annotations

import dataclasses

import pytest

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.quality.rubric import CRITERIA, Judgement, Review
from cucu_pipeline.quality.signals import local_judgement
from cucu_pipeline_tests.campaign.test_templates import brief, event


def judged(body: str, campaign=FILL_THE_TABLE, seats=2, guests=3, evening=True, hook="", **member) -> Judgement:
    facts = event(campaign, seats, guests, evening, hook)
    return local_judgement(Review(dataclasses.replace(brief(facts), **member), facts, body))


def test_a_good_text_scores_five_on_every_criterion_and_is_approved():
    verdict = judged("Sarah, Chinese food fans, 2 seats left at Dumpling Workshop, Friday at 7:30pm. Grab one:",
                     hook="Chinese food")  # fmt: skip
    assert verdict.scores == dict.fromkeys(CRITERIA, 5) and verdict.issues == () and verdict.approved
    assert verdict.score == 5 and verdict.passes(3.5)


@pytest.mark.parametrize(
    ("body", "changes", "criterion", "score", "issue"),
    [
        ("Sarah, 2 seats left at Dumpling Workshop, Friday at 7:30pm. Grab one:", {"hook": "Chinese food"},
         "personal", 2, "does not use the taste"),
        ("Sarah, Dumpling Workshop, Friday at 7:30pm:", {}, "call_to_action", 1, "bare facts"),
        ("Sarah, Dumpling Workshop is Friday at 7:30pm, 2 seats left!! Grab one:", {}, "natural", 2, "doubled"),
        ("Sarah, join them: Dumpling Workshop, Friday at 7:30pm, 2 seats left. Grab one:", {"guests": 0},
         "fit", 1, "social proof"),
        ("Sarah, Dumpling Workshop needs a few more at the table: Friday at 7:30pm, 12 seats left:", {"seats": 12},
         "fit", 1, "filling with 12 seats"),
        ("Sarah, dinner plans: Dumpling Workshop, Friday at 11am, 2 seats left. Grab one:", {"evening": False},
         "fit", 1, "evening words for a daytime event"),
        ("Sarah, we've missed you! Dumpling Workshop, Friday at 7:30pm. Come back:",
         {"campaign": SEAT_THE_NEWCOMER}, "tone", 2, "welcomes a first-timer back"),
        ("Sarah, a first dinner with us? Dumpling Workshop, Friday at 7:30pm. Join us:",
         {"campaign": RETURN_TO_TABLE}, "tone", 2, "greets a returning member as a first-timer"),
        ("Sarah, Dumpling Workshop is Friday at 7:30pm. Join us:", {}, "tone", 3, "no reason to book now"),
    ],
)  # fmt: skip
def test_each_signal_lowers_its_criterion_with_a_named_issue(body, changes, criterion, score, issue):
    verdict = judged(body, **changes)
    assert verdict.scores[criterion] == score, verdict
    assert any(found.startswith(f"{criterion}: ") and issue in found for found in verdict.issues), verdict.issues
    assert verdict.approved == (score >= 2)


def test_the_event_and_venue_names_are_not_read_as_claims():
    verdict = judged("Sarah, 2 seats left at Dumpling Workshop, Friday at 11am at The Vault. Grab one:",
                     evening=False)  # fmt: skip
    assert verdict.scores["fit"] == 5
    night = dataclasses.replace(event(FILL_THE_TABLE, 2, 3, False), name="Night Market Brunch")
    body = "Sarah, 2 seats left at Night Market Brunch, Friday at 11am. Grab one:"
    assert local_judgement(Review(brief(night), night, body)).scores["fit"] == 5


def test_repeating_a_recent_texts_phrasing_or_words_reads_unnatural():
    body = "Sarah, your chair has been lonely. Dumpling Workshop, Friday at 7:30pm. Welcome back:"
    earlier = "Sarah, your chair has been lonely. Pasta Night, Tuesday at 7pm. Welcome back:"
    verdict = judged(body, campaign=RETURN_TO_TABLE, recent_texts=(earlier,))
    assert (
        verdict.scores["natural"] == 2 and "repeats the phrasing of a recent text (lonely-chair)" in verdict.issues[0]
    )
    fresh = judged(body, campaign=RETURN_TO_TABLE, recent_texts=("Sarah, back for more? Tacos, Monday at 7pm:",))
    assert fresh.scores["natural"] == 5
    echo = judged("Sarah, your chair has been lonely at Pasta Night, Tuesday at 7pm. Come back:",
                  campaign=RETURN_TO_TABLE, recent_texts=(earlier,))  # fmt: skip
    assert any("echoes a recent text" in issue for issue in echo.issues)


def test_the_same_text_for_the_same_member_and_event_scores_the_same():
    body = "Sarah, only 2 seats left at Dumpling Workshop, Friday at 7:30pm. Grab one:"
    assert judged(body) == judged(body)
