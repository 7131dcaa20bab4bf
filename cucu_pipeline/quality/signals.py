"""The local judge: the rubric scored from measurable signals, so the gate, the metadata and the review fields work
without credentials (docs/quality.md). Deterministic: the same text for the same member and event scores the same.

- tone: a welcome-back for a first-timer, a first-visit welcome for a returning member, a Fill the Table text with no
  reason to book now;
- personal: the shared taste left unused where there is one; no name to greet;
- natural: doubled punctuation, more than one "!", the phrasing family or most words of one of the last three texts;
- call to action: the bare facts, or no invitation at all;
- fit: social proof with no guest in, "a few more" with ten or more seats open, evening words for a daytime event or
  daytime words for an evening one (the event's and venue's own names are not read).
"""

from __future__ import annotations

import re

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.writing.phrasings import BARE_FAMILY, FEW_SEATS, phrasing_family
from cucu_pipeline.core.parallel import mapped
from cucu_pipeline.quality.rubric import CRITERIA, Judgement, Review

LOCAL_JUDGE = "local"
ECHO_SHARE = 0.7  # this share of a recent text's words again reads as the same text

_WORDS = re.compile(r"[a-z']+")
_DOUBLED = re.compile(r"[!?,;:]\s*[!?.,;:]|\.\s*[!?,;:]|(?<!\.)\.\.(?!\.)")
_BACK = re.compile(r"\b(back|missed you|again|it's been|reunion|encore|sequel|long time)\b")
_FIRST_VISIT = re.compile(r"\b(first table|first dinner|first cuculi|new faces|start here)\b")
_URGENCY = re.compile(r"\b(\d+|one) seats?\b|\bseats?\b.*\b(left|open)\b|\broom\b|\bchairs?\b|\bfirst seats\b")
_CALL = re.compile(
    r"\b(save|grab|claim|join|come|pull up|book|pick|answer|make it|welcome back|yours|your seat|step two|"
    r"start here|say hi)\b|\?"
)
_SOCIAL_PROOF = re.compile(r"\b(guests? (is|are) in|\d+ guests? in|join them|make it one more|others are)\b")
_FILLING = re.compile(r"\b(a few more|filling|almost full|last seats?)\b")
_EVENING = re.compile(r"\b(dinner|supper|tonight|evening|night|nightcap)\b")
_DAYTIME = re.compile(r"\b(morning|brunch|breakfast|lunch|daytime|before dark|afternoon|sunny)\b")


def local_judgement(review: Review) -> Judgement:
    """The rubric's scores and issues for one text, from its words and the facts of its member and event."""
    body, event, brief = review.body, review.event, review.brief
    words = body.lower()
    for name in filter(None, (event.name, event.venue, event.host)):
        words = words.replace(name.lower(), " ")  # "Supper Club", "Brunch House" are names, not claims
    family = phrasing_family(body)
    found: dict[str, tuple[int, str]] = {}  # criterion -> (score, issue)

    def flag(criterion: str, score: int, issue: str) -> None:
        if criterion not in found or score < found[criterion][0]:
            found[criterion] = (score, issue)

    if event.campaign == SEAT_THE_NEWCOMER and _BACK.search(words):
        flag("tone", 2, "welcomes a first-timer back")
    if event.campaign == RETURN_TO_TABLE and _FIRST_VISIT.search(words):
        flag("tone", 2, "greets a returning member as a first-timer")
    if event.campaign == FILL_THE_TABLE and not _URGENCY.search(words):
        flag("tone", 3, "no reason to book now: no seats or room named")
    if event.hook and event.hook.lower() not in body.lower():
        flag("personal", 2, f"does not use the taste the member shares with the event ({event.hook})")
    if not brief.first_name:
        flag("personal", 3, "greets without a name")
    if _DOUBLED.search(body):
        flag("natural", 2, "doubled punctuation")
    if body.count("!") > 1:
        flag("natural", 3, "more than one '!'")
    facts = set(_WORDS.findall(" ".join(filter(None, (event.name, event.venue, event.when, brief.first_name))).lower()))
    for recent in brief.recent_texts:
        if family and family != BARE_FAMILY and family == phrasing_family(recent):
            flag("natural", 2, f"repeats the phrasing of a recent text ({family})")
        elif _overlap(body, recent, facts) >= ECHO_SHARE:
            flag("natural", 2, "echoes a recent text")
    if family == BARE_FAMILY:
        flag("call_to_action", 1, "bare facts, no invitation")
    elif not _CALL.search(body.lower()):
        flag("call_to_action", 3, "no clear call to action")
    if event.participant_count == 0 and _SOCIAL_PROOF.search(words):
        flag("fit", 1, "social proof with no guest in")
    if event.spots_left >= FEW_SEATS and _FILLING.search(words):
        flag("fit", 1, f"says the table is filling with {event.spots_left} seats open")
    if not event.evening and _EVENING.search(words):
        flag("fit", 1, "evening words for a daytime event")
    if event.evening and _DAYTIME.search(words):
        flag("fit", 1, "daytime words for an evening event")
    scores = {criterion: found.get(criterion, (5, ""))[0] for criterion in CRITERIA}
    issues = tuple(f"{criterion}: {found[criterion][1]}" for criterion in CRITERIA if criterion in found)
    return Judgement(scores=scores, issues=issues, approved=min(scores.values()) >= 2, model=LOCAL_JUDGE)


def _overlap(body: str, recent: str, facts: set[str]) -> float:
    """The share of the recent text's own words (not the member's name nor this event's facts) the new text repeats:
    the same wording, whatever event it was about."""
    old = set(_WORDS.findall(recent.lower())) - facts
    return len(old & set(_WORDS.findall(body.lower()))) / len(old) if old else 0.0


def local_judgements(reviews: list[Review]) -> list[Judgement]:
    """`local_judgement` of each text, on every core: the local judge reads every text of a date."""
    return mapped(local_judgement, reviews)
