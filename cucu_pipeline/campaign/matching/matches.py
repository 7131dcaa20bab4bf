"""Matching: the scorer's short lists, seats allocated under each event's cap, and one event per member with its
campaign, reasoning and confidence, or a skip reason."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from cucu_pipeline.campaign.checks.sms_rules import textable_event_name
from cucu_pipeline.campaign.checks.when import BEFORE_START
from cucu_pipeline.campaign.matching.allocation import allocate_seats
from cucu_pipeline.campaign.matching.campaigns import RETURN_TO_TABLE, campaign_for
from cucu_pipeline.campaign.matching.features import words
from cucu_pipeline.campaign.matching.scoring import score_candidates
from cucu_pipeline.core.frames import records
from cucu_pipeline.core.wording import plural

_REASONING_FIELDS = (
    "first_name", "email", "interests", "cuisine_preferences", "favorite_event_types", "home_neighborhood",
    "work_neighborhood", "event_count", "days_since_last_event", "events_hosted",
)  # fmt: skip


# The profile fields matching reads (the scores, the exclusions, the campaigns and the reasoning): the lists of past
# events, friends and texts stay on disk.
MATCHING_FIELDS = (
    *_REASONING_FIELDS, "id", "person_id", "age", "dietary_restrictions", "relationship_status",
    "hasnt_attended_in_60_days",
)  # fmt: skip


def _history_reason(member: dict, campaign: str) -> str:
    """The member's own history in a few words: what makes this campaign theirs."""
    if member["events_hosted"]:
        return f"hosted {plural(int(member['events_hosted']), 'event')}"
    if not member["event_count"]:
        return "first dinner with us"
    days = member["days_since_last_event"]
    if campaign == RETURN_TO_TABLE and pd.notna(days):
        return f"last came {plural(int(days), 'day')} ago"
    return f"came to {plural(int(member['event_count']), 'event')}"


def _reasoning(member: dict, event: dict, campaign: str, reference: pd.Timestamp) -> str:
    """The member's own reasons, then the event's: "loves korean, live music, lives in Mission District, first dinner
    with us; 60% full with 4 seats left; in 3 days" (a taste counts when all its words are the event's)."""
    reasons = []
    themes = words([*event["categories"], *event["features"], *event["common_interests"], event["name"]])
    tastes = [*member["cuisine_preferences"], *member["interests"], *member["favorite_event_types"]]
    shared = list(dict.fromkeys(str(taste).lower() for taste in tastes if words([taste]) and words([taste]) <= themes))
    if shared:
        reasons.append(f"loves {', '.join(shared[:3])}")
    if member["email"] in event["invited_participants"]:
        reasons.append("was invited")
    if event["neighborhood"] == member["home_neighborhood"]:
        reasons.append(f"lives in {event['neighborhood']}")
    elif event["neighborhood"] == member["work_neighborhood"]:
        reasons.append(f"works in {event['neighborhood']}")
    reasons.append(_history_reason(member, campaign))
    days = (event["start_date"] - reference).days
    facts = (
        f"{event['fill_rate']:.0%} full with {plural(int(event['spots_left']), 'seat')} left; in {plural(days, 'day')}"
    )
    return f"{campaign}: {member['first_name']} " + ", ".join(reasons) + f"; {facts}."


@dataclass(frozen=True)
class Matching:
    matches: pd.DataFrame  # one row per member
    events: pd.DataFrame  # per event id: spots_left, cap, outstanding, room and allocated
    excluded_pairs: Counter  # member-event pairs the person, diet and audience rules excluded, by reason
    uncapped_score: float  # every member's best score summed, as if seats were unlimited
    allocated_score: float  # the allocated events' scores summed
    solver_seconds: float  # time the allocation took, for the benchmark and the UI


def unlimited_caps(events: pd.DataFrame, members: int) -> pd.DataFrame:
    """Caps that never bind: every event may take every member."""
    return pd.DataFrame(
        {"spots_left": events["spots_left"].to_numpy(), "cap": members, "outstanding": 0, "room": members},
        index=pd.Index(events["id"], name="event_id"),
    )


def _offered(candidates: list, scores: list, chosen: int, room_left: dict[str, int]) -> tuple[list, list]:
    """What the writer may pick from: the allocated event first, then the other candidates that still have room."""
    others = [(c, s) for position, (c, s) in enumerate(zip(candidates, scores)) if position != chosen]
    kept = [(candidates[chosen], scores[chosen]), *((c, s) for c, s in others if room_left[c] > 0)]
    return [c for c, _ in kept], [s for _, s in kept]


def match_members(
    members: pd.DataFrame,
    events: pd.DataFrame,
    reference: pd.Timestamp,
    horizon_days: int,
    caps: pd.DataFrame | None = None,
    already_invited: pd.DataFrame | None = None,
) -> Matching:
    """One row per member: the allocated event, its campaign, reasoning and confidence, and the candidates the writer
    may pick from (each with its score and the date's cap); or an empty `event_id` and a `skip_reason`. Without
    `caps` (from `event_caps`), seats are unlimited; `already_invited` (`person_id`, `event_id`) are never offered."""
    events = events.sort_values(["start_date", "id"])
    # An event too soon for a text to arrive in time, or whose name no compliant text may carry, is never offered.
    textable = events["name"].map(textable_event_name).astype(bool) & events["start_date"].ge(reference + BEFORE_START)
    short, excluded = score_candidates(members, events, textable, reference, horizon_days, already_invited)
    caps = unlimited_caps(events, len(members)) if caps is None else caps
    started = time.perf_counter()
    chosen = allocate_seats(short["candidates"], short["scores"], caps["room"])
    solver_seconds = time.perf_counter() - started
    allocated = Counter(c[k] for c, k in zip(short["candidates"], chosen) if k >= 0)
    caps = caps.assign(allocated=[allocated[event] for event in caps.index])
    # Plain dicts: one lookup per candidate, 226,000 of them at 100k members.
    room, room_left = caps["room"].to_dict(), (caps["room"] - caps["allocated"]).to_dict()
    member_rows = records(members[list(_REASONING_FIELDS)])
    event_records = {record["id"]: record for record in records(events)}
    rows = []
    for member, member_campaign, candidates, scores, k in zip(
        member_rows, short["campaign"], short["candidates"], short["scores"], chosen
    ):
        if not candidates or k < 0:
            reason = "no_eligible_event" if isinstance(member_campaign, str) else "no_low_occupancy_event"
            rows.append(_skipped("event_capacity_reached" if candidates else reason, candidates, scores, room))
            continue
        event = event_records[candidates[k]]
        campaign = campaign_for(member_campaign, bool(event["has_low_occupancy"]))
        offered, offered_scores = _offered(candidates, scores, k, room_left)
        rows.append(
            {
                "event_id": event["id"],
                "campaign": campaign,
                "reasoning": _reasoning(member, event, campaign, reference),
                "confidence": int(round(scores[k])),
                "skip_reason": None,
                "candidates": offered,
                "candidate_scores": offered_scores,
                "candidate_caps": [int(room[c]) for c in offered],
            }
        )
    matches = pd.concat([short[["user_id"]], pd.DataFrame(rows, columns=MATCH_COLUMNS)], axis=1)
    best = sum(scores[0] for scores in short["scores"] if scores)
    taken = sum(scores[k] for scores, k in zip(short["scores"], chosen) if k >= 0)
    return Matching(matches, caps, excluded, float(best), float(taken), solver_seconds)


MATCH_COLUMNS = [
    "event_id", "campaign", "reasoning", "confidence", "skip_reason", "candidates", "candidate_scores",
    "candidate_caps",
]  # fmt: skip


def _skipped(reason: str, candidates: list, scores: list, room: dict[str, int]) -> dict:
    return {
        "event_id": "",
        "campaign": None,
        "reasoning": "",
        "confidence": 0,
        "skip_reason": reason,
        "candidates": candidates,
        "candidate_scores": scores,
        "candidate_caps": [int(room[c]) for c in candidates],
    }


def caps_by_event(matches: pd.DataFrame) -> dict[str, int]:
    """Each candidate event's cap for the date, as the matches carry it."""
    return {
        event: cap
        for events, caps in zip(matches["candidates"], matches["candidate_caps"])
        for event, cap in zip(events, caps)
    }
