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

import numpy as np
import pandas as pd

from cucu_pipeline.lib.sms import textable_event_name

RETURN_TO_TABLE = "Return to Table"
SEAT_THE_NEWCOMER = "Seat The Newcomer"
FILL_THE_TABLE = "Fill the Table"
CAMPAIGNS = (RETURN_TO_TABLE, SEAT_THE_NEWCOMER, FILL_THE_TABLE)
SHORT_LIST = 5
CHUNK = 2048

# Preferences of SPEC §8, in order of importance: weights sum to 100, so a score reads as a confidence.
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


def score_candidates(
    members: pd.DataFrame, events: pd.DataFrame, textable: pd.Series, reference: pd.Timestamp, horizon_days: int
) -> pd.DataFrame:
    """The short list per member: `event_ids`, `scores` (0–100, best first) and the `campaign` it is scored for.

    `events` are the enriched events with their `participants` and `invited_participants` emails; an event is never
    offered to a member who joined it, who cannot eat there, or when its name cannot be texted (`textable`).
    """
    campaigns = member_campaigns(members)
    member_tokens = [
        words([*a, *b, *c])
        for a, b, c in zip(members["interests"], members["cuisine_preferences"], members["favorite_event_types"])
    ]
    event_tokens = [
        words([*a, *b, *c, name])
        for a, b, c, name in zip(events["categories"], events["features"], events["common_interests"], events["name"])
    ]
    vocabulary = {token: position for position, token in enumerate(sorted(set().union(*event_tokens)))}
    member_vectors = _vocabulary_matrix(member_tokens, vocabulary)
    event_vectors = _vocabulary_matrix(event_tokens, vocabulary).T

    event_tags = [{str(tag).lower() for tag in (*cats, *feats)} for cats, feats in zip(events["categories"], events["features"])]
    restrictions = sorted({r for conflicts in DIET_CONFLICTS.values() for r in conflicts} | {r for fits in DIET_FRIENDLY.values() for r in fits})
    member_diet = np.array([[r in {d.lower() for d in diets} for r in restrictions] for diets in members["dietary_restrictions"]], dtype=bool).reshape(len(members), len(restrictions))
    event_conflict = np.array([[any(r in DIET_CONFLICTS.get(tag, ()) for tag in tags) for r in restrictions] for tags in event_tags], dtype=bool).reshape(len(events), len(restrictions))
    event_friendly = np.array([[any(r in DIET_FRIENDLY.get(tag, ()) for tag in tags) for r in restrictions] for tags in event_tags], dtype=bool).reshape(len(events), len(restrictions))

    fill = events["fill_rate"].to_numpy(dtype=float)
    days_until = ((events["start_date"] - reference).dt.total_seconds() / 86400).to_numpy(dtype=float)
    soon = np.clip(1 - days_until / horizon_days, 0, 1)
    low = events["has_low_occupancy"].to_numpy(dtype=bool)
    allowed_event = textable.to_numpy(dtype=bool)
    # Event quality as each campaign sees it: newcomers like 50–80% full, returners a lively table, Fill the Table
    # the emptiest one.
    quality_newcomer = np.clip(1 - 2 * np.maximum(0.5 - fill, fill - 0.8).clip(min=0), 0, 1)
    quality_return = np.clip(fill / 0.5, 0, 1)
    quality_fill = 1 - fill
    home = members["home_neighborhood"].to_numpy(dtype=object)
    work = members["work_neighborhood"].to_numpy(dtype=object)
    hood = events["neighborhood"].to_numpy(dtype=object)
    joined_m, joined_e = _pairs(events, "participants", members["email"])
    invited_m, invited_e = _pairs(events, "invited_participants", members["email"])
    event_ids = events["id"].to_numpy(dtype=object)
    campaign_values = campaigns.to_numpy(dtype=object)

    short_ids, short_scores = [], []
    for start in range(0, len(members), CHUNK):
        rows = slice(start, min(start + CHUNK, len(members)))
        size = rows.stop - rows.start
        interests = np.minimum(member_vectors[rows] @ event_vectors, 3) / 3
        invited = np.zeros((size, len(events)), dtype=np.float32)
        in_chunk = (invited_m >= rows.start) & (invited_m < rows.stop)
        invited[invited_m[in_chunk] - rows.start, invited_e[in_chunk]] = 1
        diet_fit = (member_diet[rows].astype(np.float32) @ event_friendly.T.astype(np.float32)) > 0
        conflict = (member_diet[rows].astype(np.float32) @ event_conflict.T.astype(np.float32)) > 0
        near = np.where(home[rows, None] == hood[None, :], 1.0, np.where(work[rows, None] == hood[None, :], 0.7, 0.0))
        chunk_campaigns = campaign_values[rows]
        quality = np.where(
            (chunk_campaigns == SEAT_THE_NEWCOMER)[:, None], quality_newcomer,
            np.where((chunk_campaigns == RETURN_TO_TABLE)[:, None], quality_return, quality_fill),
        )  # fmt: skip
        score = (
            WEIGHTS["interests"] * interests + WEIGHTS["invited"] * invited + WEIGHTS["diet"] * diet_fit
            + WEIGHTS["neighborhood"] * near + WEIGHTS["quality"] * quality + WEIGHTS["soon"] * soon[None, :]
        )  # fmt: skip
        allowed = ~conflict & allowed_event[None, :]
        allowed &= pd.notna(chunk_campaigns)[:, None] | low[None, :]
        in_chunk = (joined_m >= rows.start) & (joined_m < rows.stop)
        allowed[joined_m[in_chunk] - rows.start, joined_e[in_chunk]] = False
        score = np.where(allowed, score, -np.inf)
        # Best first; ties go to the sooner event (events arrive sorted by start), then the smaller id.
        order = np.argsort(-score, axis=1, kind="stable")[:, :SHORT_LIST]
        top = np.take_along_axis(score, order, axis=1)
        for positions, values in zip(order, top):
            keep = np.isfinite(values)
            short_ids.append(event_ids[positions[keep]].tolist())
            short_scores.append(np.round(values[keep], 1).tolist())
    return pd.DataFrame(
        {"user_id": members["id"].to_numpy(), "campaign": campaign_values, "candidates": short_ids, "scores": short_scores}
    )


def campaign_for(member_campaign: str | None, event_low_occupancy: bool) -> str | None:
    """The campaign of a (member, event) pair: the member's own, else Fill the Table for a low-occupancy event."""
    if isinstance(member_campaign, str):
        return member_campaign
    return FILL_THE_TABLE if event_low_occupancy else None


def _reasoning(member: dict, event: dict, campaign: str, reference: pd.Timestamp) -> str:
    reasons = []
    shared = sorted(words([*member["interests"], *member["cuisine_preferences"], *member["favorite_event_types"]])
                    & words([*event["categories"], *event["features"], *event["common_interests"], event["name"]]))  # fmt: skip
    if shared:
        reasons.append(f"shares {', '.join(shared[:3])}")
    if member["email"] in event["invited_participants"]:
        reasons.append("was invited")
    if event["neighborhood"] in (member["home_neighborhood"], member["work_neighborhood"]):
        reasons.append(f"in {event['neighborhood']}, near home or work")
    reasons.append(f"{event['fill_rate']:.0%} full with {event['spots_left']} seats left")
    days = (event["start_date"] - reference).days
    reasons.append(f"in {days} day{'s' if days != 1 else ''}")
    return f"{campaign}: {member['first_name']} " + "; ".join(reasons) + "."


def match_members(
    members: pd.DataFrame, events: pd.DataFrame, reference: pd.Timestamp, horizon_days: int
) -> pd.DataFrame:
    """One row per member: the scorer's pick, its campaign, reasoning and confidence, the short list it came from,
    or an empty `event_id` and a `skip_reason`."""
    events = events.sort_values(["start_date", "id"], kind="stable").reset_index(drop=True)
    short = score_candidates(members, events, events["name"].map(textable_event_name), reference, horizon_days)
    records = members[["first_name", "email", "interests", "cuisine_preferences", "favorite_event_types",
                       "home_neighborhood", "work_neighborhood"]].to_dict("records")  # fmt: skip
    event_records = {record["id"]: record for record in events.to_dict("records")}
    rows = []
    for member, member_campaign, candidates, scores in zip(records, short["campaign"], short["candidates"], short["scores"]):
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
