"""Deterministic matching: every qualified event scored for every member, a short list kept, a campaign chosen.

Scores are computed as dense member × event matrices in chunks of members (matrix products and broadcasts, no
Python loop over pairs), so cost grows linearly with members for a day's catalog of upcoming events.

Campaign priority, defined here only: a member-driven campaign wins over the event-driven one.
1. **Return to Table** — the member last attended 31+ days ago (or not in 60 days): warm, nostalgic.
2. **Seat The Newcomer** — the member has attended at most 2 events: welcoming, prefers 50–80% full tables.
3. **Fill the Table** — everyone else, and only for events with low occupancy: urgency with true numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.sms_rules import textable_event_name
from cucu_pipeline.core.wording import plural

RETURN_TO_TABLE = "Return to Table"
SEAT_THE_NEWCOMER = "Seat The Newcomer"
FILL_THE_TABLE = "Fill the Table"
CAMPAIGNS = (RETURN_TO_TABLE, SEAT_THE_NEWCOMER, FILL_THE_TABLE)
SHORT_LIST = 5
CHUNK = 2048

# Preferences of the README's "Matching", in order of importance: weights sum to 100, so a score reads as a confidence.
WEIGHTS = {"interests": 40, "invited": 20, "diet": 12, "neighborhood": 12, "quality": 10, "soon": 6}
# Where an event makes a dietary conflict or fit knowable (categories and features, lower-cased).
DIET_CONFLICTS = {
    "seafood": {"vegetarian", "vegan", "shellfish allergy"},
    "steakhouse": {"vegetarian", "vegan"},
    "bbq": {"vegetarian", "vegan"},
    "baking": {"gluten-free"},
}
DIET_FRIENDLY = {
    "vegan": {"vegan", "vegetarian", "dairy-free"},
    "vegetarian options": {"vegetarian"},
    "gluten-free options": {"gluten-free"},
}
_STOPWORDS = {"and", "the", "with", "for", "night", "class", "options", "table", "from", "scratch", "club"}


def words(phrases) -> set[str]:
    """Lower-case words of three letters or more: `["Cooking Class", "Live music"]` -> {cooking, live, music}."""
    return {w for phrase in phrases for w in re.findall(r"[a-z]{3,}", str(phrase).lower())} - _STOPWORDS


def member_campaigns(members: pd.DataFrame) -> pd.Series:
    """The member-driven campaign, or None when only Fill the Table can apply."""
    dormant = members["days_since_last_event"].ge(31).fillna(False) | members["hasnt_attended_in_60_days"].fillna(False)
    newcomer = members["event_count"].le(2)
    campaign = np.where(dormant, RETURN_TO_TABLE, np.where(newcomer, SEAT_THE_NEWCOMER, None))
    return pd.Series(campaign, index=members.index, dtype=object)


def _vocabulary_matrix(token_sets: list[set[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(token_sets), len(vocabulary)), dtype=np.float32)
    for row, tokens in enumerate(token_sets):
        matrix[row, [vocabulary[token] for token in tokens if token in vocabulary]] = 1.0
    return matrix


def _pairs(frame: pd.DataFrame, column: str, emails: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(member position, event position) for every event listing a member's email in `column`."""
    listed = frame[[column]].reset_index(drop=True).rename_axis("event_pos").reset_index().explode(column)
    member_pos = pd.Series(np.arange(len(emails)), index=emails.to_numpy())
    member_pos = member_pos[~member_pos.index.duplicated()]
    listed["member_pos"] = listed[column].map(member_pos)
    listed = listed.dropna(subset=["member_pos"])
    return listed["member_pos"].to_numpy(dtype=int), listed["event_pos"].to_numpy(dtype=int)


@dataclass(frozen=True)
class _Features:
    """Everything the scorer needs as arrays: members by row, events by column."""

    member_vectors: np.ndarray  # member × vocabulary: interests, cuisines and favorite types
    event_vectors: np.ndarray  # vocabulary × event: categories, features, crowd interests and name
    member_diet: np.ndarray  # member × restriction
    event_conflict: np.ndarray  # event × restriction the event conflicts with
    event_friendly: np.ndarray  # event × restriction the event caters for
    campaigns: np.ndarray  # member-driven campaign per member, or None
    home: np.ndarray
    work: np.ndarray
    neighborhood: np.ndarray
    soon: np.ndarray
    low_occupancy: np.ndarray
    textable: np.ndarray
    quality: dict[str, np.ndarray]  # per campaign: how good each event's fill looks to it
    joined: tuple[np.ndarray, np.ndarray]  # (member, event) positions of attendances
    invited: tuple[np.ndarray, np.ndarray]  # (member, event) positions of invitations


def _diet_matrices(members: pd.DataFrame, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which restrictions each member keeps, and which each event conflicts with or caters for."""
    event_tags = [
        {str(tag).lower() for tag in (*categories, *features)}
        for categories, features in zip(events["categories"], events["features"])
    ]
    restrictions = sorted(set().union(*DIET_CONFLICTS.values(), *DIET_FRIENDLY.values()))

    def matrix(rows: list[list[bool]], count: int) -> np.ndarray:
        return np.array(rows, dtype=bool).reshape(count, len(restrictions))

    member_diet = matrix(
        [[r in {d.lower() for d in diets} for r in restrictions] for diets in members["dietary_restrictions"]],
        len(members),
    )
    conflict = matrix(
        [[any(r in DIET_CONFLICTS.get(tag, ()) for tag in tags) for r in restrictions] for tags in event_tags],
        len(events),
    )
    friendly = matrix(
        [[any(r in DIET_FRIENDLY.get(tag, ()) for tag in tags) for r in restrictions] for tags in event_tags],
        len(events),
    )
    return member_diet, conflict, friendly


def _features(
    members: pd.DataFrame, events: pd.DataFrame, textable: pd.Series, reference: pd.Timestamp, horizon_days: int
) -> _Features:
    member_tokens = [
        words([*a, *b, *c])
        for a, b, c in zip(members["interests"], members["cuisine_preferences"], members["favorite_event_types"])
    ]
    event_tokens = [
        words([*a, *b, *c, name])
        for a, b, c, name in zip(events["categories"], events["features"], events["common_interests"], events["name"])
    ]
    vocabulary = {token: position for position, token in enumerate(sorted(set().union(*event_tokens)))}
    member_diet, event_conflict, event_friendly = _diet_matrices(members, events)
    fill = events["fill_rate"].to_numpy(dtype=float)
    days_until = ((events["start_date"] - reference).dt.total_seconds() / 86400).to_numpy(dtype=float)
    return _Features(
        member_vectors=_vocabulary_matrix(member_tokens, vocabulary),
        event_vectors=_vocabulary_matrix(event_tokens, vocabulary).T,
        member_diet=member_diet,
        event_conflict=event_conflict,
        event_friendly=event_friendly,
        campaigns=member_campaigns(members).to_numpy(dtype=object),
        home=members["home_neighborhood"].to_numpy(dtype=object),
        work=members["work_neighborhood"].to_numpy(dtype=object),
        neighborhood=events["neighborhood"].to_numpy(dtype=object),
        soon=np.clip(1 - days_until / horizon_days, 0, 1),
        low_occupancy=events["has_low_occupancy"].to_numpy(dtype=bool),
        textable=textable.to_numpy(dtype=bool),
        # Event quality as each campaign sees it: newcomers like 50–80% full, returners a lively table, Fill the
        # Table the emptiest one.
        quality={
            SEAT_THE_NEWCOMER: np.clip(1 - 2 * np.maximum(0.5 - fill, fill - 0.8).clip(min=0), 0, 1),
            RETURN_TO_TABLE: np.clip(fill / 0.5, 0, 1),
            FILL_THE_TABLE: 1 - fill,
        },
        joined=_pairs(events, "participants", members["email"]),
        invited=_pairs(events, "invited_participants", members["email"]),
    )


def _in_rows(pairs: tuple[np.ndarray, np.ndarray], rows: slice) -> tuple[np.ndarray, np.ndarray]:
    """The (member, event) pairs whose member is in `rows`, member positions relative to the chunk."""
    members, events = pairs
    inside = (members >= rows.start) & (members < rows.stop)
    return members[inside] - rows.start, events[inside]


def _chunk_scores(features: _Features, rows: slice, event_count: int) -> np.ndarray:
    """Scores of the members in `rows` against every event; -inf where a hard rule forbids the pair."""
    f = features
    interests = np.minimum(f.member_vectors[rows] @ f.event_vectors, 3) / 3
    invited = np.zeros((rows.stop - rows.start, event_count), dtype=np.float32)
    invited[_in_rows(f.invited, rows)] = 1
    diet = f.member_diet[rows].astype(np.float32)
    diet_fit = (diet @ f.event_friendly.T.astype(np.float32)) > 0
    conflict = (diet @ f.event_conflict.T.astype(np.float32)) > 0
    home, work, hood = f.home[rows, None], f.work[rows, None], f.neighborhood[None, :]
    near = np.where(home == hood, 1.0, np.where(work == hood, 0.7, 0.0))
    campaigns = f.campaigns[rows]
    quality = np.where(
        (campaigns == SEAT_THE_NEWCOMER)[:, None],
        f.quality[SEAT_THE_NEWCOMER],
        np.where((campaigns == RETURN_TO_TABLE)[:, None], f.quality[RETURN_TO_TABLE], f.quality[FILL_THE_TABLE]),
    )
    score = (
        WEIGHTS["interests"] * interests
        + WEIGHTS["invited"] * invited
        + WEIGHTS["diet"] * diet_fit
        + WEIGHTS["neighborhood"] * near
        + WEIGHTS["quality"] * quality
        + WEIGHTS["soon"] * f.soon[None, :]
    )
    allowed = ~conflict & f.textable[None, :]
    allowed &= pd.notna(campaigns)[:, None] | f.low_occupancy[None, :]  # no campaign of their own: Fill the Table only
    allowed[_in_rows(f.joined, rows)] = False
    return np.where(allowed, score, -np.inf)


def score_candidates(
    members: pd.DataFrame, events: pd.DataFrame, textable: pd.Series, reference: pd.Timestamp, horizon_days: int
) -> pd.DataFrame:
    """The short list per member: `event_ids`, `scores` (0–100, best first) and the `campaign` it is scored for.

    `events` are the enriched events with their `participants` and `invited_participants` emails; an event is never
    offered to a member who joined it, who cannot eat there, or when its name cannot be texted (`textable`).
    """
    features = _features(members, events, textable, reference, horizon_days)
    event_ids = events["id"].to_numpy(dtype=object)
    short_ids, short_scores = [], []
    for start in range(0, len(members), CHUNK):
        score = _chunk_scores(features, slice(start, min(start + CHUNK, len(members))), len(events))
        # Best first; ties go to the sooner event (events arrive sorted by start), then the smaller id.
        order = np.argsort(-score, axis=1, kind="stable")[:, :SHORT_LIST]
        top = np.take_along_axis(score, order, axis=1)
        for positions, values in zip(order, top):
            keep = np.isfinite(values)
            short_ids.append(event_ids[positions[keep]].tolist())
            short_scores.append(np.round(values[keep], 1).tolist())
    return pd.DataFrame(
        {
            "user_id": members["id"].to_numpy(),
            "campaign": features.campaigns,
            "candidates": short_ids,
            "scores": short_scores,
        }
    )


def campaign_for(member_campaign: str | None, event_low_occupancy: bool) -> str | None:
    """The campaign of a (member, event) pair: the member's own, else Fill the Table for a low-occupancy event."""
    if isinstance(member_campaign, str):
        return member_campaign
    return FILL_THE_TABLE if event_low_occupancy else None


def _reasoning(member: dict, event: dict, campaign: str, reference: pd.Timestamp) -> str:
    reasons = []
    shared = sorted(
        words([*member["interests"], *member["cuisine_preferences"], *member["favorite_event_types"]])
        & words([*event["categories"], *event["features"], *event["common_interests"], event["name"]])
    )
    if shared:
        reasons.append(f"shares {', '.join(shared[:3])}")
    if member["email"] in event["invited_participants"]:
        reasons.append("was invited")
    if event["neighborhood"] in (member["home_neighborhood"], member["work_neighborhood"]):
        reasons.append(f"in {event['neighborhood']}, near home or work")
    reasons.append(f"{event['fill_rate']:.0%} full with {event['spots_left']} seats left")
    days = (event["start_date"] - reference).days
    reasons.append(f"in {plural(days, 'day')}")
    return f"{campaign}: {member['first_name']} " + "; ".join(reasons) + "."


def match_members(
    members: pd.DataFrame, events: pd.DataFrame, reference: pd.Timestamp, horizon_days: int
) -> pd.DataFrame:
    """One row per member: the scorer's pick, its campaign, reasoning and confidence, the short list it came from,
    or an empty `event_id` and a `skip_reason`."""
    events = events.sort_values(["start_date", "id"], kind="stable").reset_index(drop=True)
    short = score_candidates(members, events, events["name"].map(textable_event_name), reference, horizon_days)
    records = members[
        [
            "first_name",
            "email",
            "interests",
            "cuisine_preferences",
            "favorite_event_types",
            "home_neighborhood",
            "work_neighborhood",
        ]
    ].to_dict("records")
    event_records = {record["id"]: record for record in events.to_dict("records")}
    rows = []
    for member, member_campaign, candidates, scores in zip(
        records, short["campaign"], short["candidates"], short["scores"]
    ):
        if not candidates:
            reason = "no_eligible_event" if isinstance(member_campaign, str) else "no_low_occupancy_event"
            rows.append({"event_id": "", "campaign": None, "reasoning": "", "confidence": 0, "skip_reason": reason})
            continue
        event = event_records[candidates[0]]
        campaign = campaign_for(member_campaign, bool(event["has_low_occupancy"]))
        rows.append(
            {
                "event_id": event["id"],
                "campaign": campaign,
                "reasoning": _reasoning(member, event, campaign, reference),
                "confidence": int(round(scores[0])),
                "skip_reason": None,
            }
        )
    columns = ["event_id", "campaign", "reasoning", "confidence", "skip_reason"]
    matches = pd.concat([short[["user_id"]], pd.DataFrame(rows, index=short.index, columns=columns)], axis=1)
    matches["candidates"] = short["candidates"]
    matches["candidate_scores"] = short["scores"]
    return matches
