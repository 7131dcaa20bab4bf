"""The deterministic scorer: every qualified event scored for every member, hard rules applied, a short list kept.

Scores are computed as dense member × event matrices in chunks of members (matrix products and broadcasts, no
Python loop over pairs), so cost grows linearly with members for a day's catalog of upcoming events.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.matching.audience import (
    ADULTS_ONLY,
    SINGLES_ONLY,
    adult_members,
    alcohol_events,
    single_members,
    singles_events,
)
from cucu_pipeline.campaign.matching.campaigns import (
    FILL_THE_TABLE,
    RETURN_TO_TABLE,
    SEAT_THE_NEWCOMER,
    member_campaigns,
)
from cucu_pipeline.campaign.matching.diet import RESTRICTIONS, event_conflicts, member_restrictions
from cucu_pipeline.core.frames import top_positions

SHORT_LIST = 5
CHUNK = 2048
# The reasons under which pairs the person rules exclude are counted: an event the person hosts, and one they were
# already invited to within `reinvite_after_days`.
OWN_EVENT = "hosts_the_event"
ALREADY_INVITED = "already_invited"
DIET_REASONS = tuple(f"diet_{restriction}" for restriction in RESTRICTIONS)

# Preferences of docs/matching.md, in order of importance: weights sum to 100, so a score reads as a confidence.
WEIGHTS = {"interests": 40, "invited": 20, "diet": 12, "neighborhood": 12, "quality": 10, "soon": 6}
_STOPWORDS = {"and", "the", "with", "for", "night", "class", "options", "table", "from", "scratch", "club"}


_WORD = re.compile(r"[a-z]{3,}")


@functools.lru_cache(maxsize=1 << 16)
def _phrase_words(phrase: str) -> frozenset[str]:
    # Members pick their tastes from a short list: at 100k members 450,000 phrases are a few hundred distinct ones
    # (bounded: every event name is a phrase too).
    return frozenset(_WORD.findall(phrase.lower())) - _STOPWORDS


def words(phrases) -> set[str]:
    """Lower-case words of three letters or more: `["Cooking Class", "Live music"]` -> {cooking, live, music}."""
    return set().union(*(_phrase_words(str(phrase)) for phrase in phrases))


def _vocabulary_matrix(token_sets: list[set[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(token_sets), len(vocabulary)), dtype=np.float32)
    for row, tokens in enumerate(token_sets):
        matrix[row, [vocabulary[token] for token in tokens if token in vocabulary]] = 1.0
    return matrix


def _person_pairs(members: pd.DataFrame, events: pd.DataFrame, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(member position, event position) for every (`person_id`, `event_id`) in `pairs`."""
    member_pos = pd.DataFrame({"person_id": _persons(members), "member_pos": np.arange(len(members))})
    event_pos = pd.DataFrame({"event_id": events["id"].to_numpy(), "event_pos": np.arange(len(events))})
    found = pairs.merge(member_pos, on="person_id").merge(event_pos, on="event_id")
    return found["member_pos"].to_numpy(dtype=int), found["event_pos"].to_numpy(dtype=int)


def _persons(members: pd.DataFrame) -> np.ndarray:
    """Each member's person (profiles carry `person_id`; a member alone is their own person)."""
    return (members["person_id"] if "person_id" in members else members["id"]).to_numpy(dtype=object)


def _hosted(members: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """(`person_id`, `event_id`) of each event and the person who hosts it."""
    if "host_person_id" not in events:
        return pd.DataFrame({"person_id": [], "event_id": []}, dtype=object)
    return pd.DataFrame({"person_id": events["host_person_id"], "event_id": events["id"]}).dropna()


def _pairs(frame: pd.DataFrame, column: str, emails: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(member position, event position) for every event listing a member's email in `column`."""
    listed = frame[[column]].assign(event_pos=np.arange(len(frame))).explode(column)
    member_pos = pd.Series(np.arange(len(emails)), index=emails.to_numpy())
    member_pos = member_pos[~member_pos.index.duplicated()]
    listed["member_pos"] = listed[column].map(member_pos)
    listed = listed.dropna(subset=["member_pos"])
    return listed["member_pos"].to_numpy(dtype=int), listed["event_pos"].to_numpy()


def _neighborhood_codes(home: pd.Series, work: pd.Series, place: pd.Series) -> dict[str, np.ndarray]:
    """Neighborhoods as integer codes, compared a billion times at 1M members (text compared in Python per pair); an
    unknown neighborhood is near nothing: -1 for members, -2 for events."""
    known = pd.Index(pd.concat([home, work, place]).dropna().unique())
    return {
        name: np.where(column.isna().to_numpy(), missing, known.get_indexer(column))
        for name, column, missing in (("home", home, -1), ("work", work, -1), ("neighborhood", place, -2))
    }


@dataclass(frozen=True)
class _Features:
    """Everything the scorer needs as arrays: members by row, events by column."""

    member_vectors: np.ndarray  # member × vocabulary: interests, cuisines and favorite types
    event_vectors: np.ndarray  # vocabulary × event: categories, features, crowd interests and name
    member_diet: np.ndarray  # member × restriction (`diet.RESTRICTIONS`)
    event_conflict: np.ndarray  # event × restriction the event conflicts with
    event_friendly: np.ndarray  # event × restriction the event caters for
    hosted: tuple[np.ndarray, np.ndarray]  # (member, event) positions of events the member's person hosts
    already_invited: tuple[np.ndarray, np.ndarray]  # (member, event) positions of recent invitations
    campaigns: np.ndarray  # member-driven campaign per member, or None
    home: np.ndarray  # neighborhood codes (`_neighborhood_codes`): the member's home, work; the event's place
    work: np.ndarray
    neighborhood: np.ndarray
    soon: np.ndarray
    low_occupancy: np.ndarray
    textable: np.ndarray
    quality: dict[str, np.ndarray]  # per campaign: how good each event's fill looks to it
    joined: tuple[np.ndarray, np.ndarray]  # (member, event) positions of attendances
    single: np.ndarray  # per member: recorded as single
    adult: np.ndarray  # per member: known to be 21 or older
    singles_event: np.ndarray  # per event: aimed at singles
    alcohol_event: np.ndarray  # per event: alcohol-focused
    invited: tuple[np.ndarray, np.ndarray]  # (member, event) positions of invitations


def _features(
    members: pd.DataFrame,
    events: pd.DataFrame,
    textable: pd.Series,
    reference: pd.Timestamp,
    horizon_days: int,
    already_invited: pd.DataFrame,
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
    event_conflict, event_friendly = event_conflicts(events)
    fill = events["fill_rate"].to_numpy()
    days_until = ((events["start_date"] - reference).dt.total_seconds() / 86400).to_numpy()
    return _Features(
        member_vectors=_vocabulary_matrix(member_tokens, vocabulary),
        event_vectors=_vocabulary_matrix(event_tokens, vocabulary).T,
        member_diet=member_restrictions(members),
        event_conflict=event_conflict,
        event_friendly=event_friendly,
        hosted=_person_pairs(members, events, _hosted(members, events)),
        already_invited=_person_pairs(members, events, already_invited),
        campaigns=member_campaigns(members).to_numpy(),
        **_neighborhood_codes(members["home_neighborhood"], members["work_neighborhood"], events["neighborhood"]),
        soon=np.clip(1 - days_until / horizon_days, 0, 1),
        low_occupancy=events["has_low_occupancy"].to_numpy(),
        textable=textable.to_numpy(dtype=bool),
        # Event quality as each campaign sees it: newcomers like 50–80% full, returners a lively table, Fill the
        # Table the emptiest one.
        quality={
            SEAT_THE_NEWCOMER: np.clip(1 - 2 * np.maximum(0.5 - fill, fill - 0.8).clip(min=0), 0, 1),
            RETURN_TO_TABLE: np.clip(fill / 0.5, 0, 1),
            FILL_THE_TABLE: 1 - fill,
        },
        joined=_pairs(events, "participants", members["email"]),
        single=single_members(members),
        adult=adult_members(members),
        singles_event=singles_events(events),
        alcohol_event=alcohol_events(events),
        invited=_pairs(events, "invited_participants", members["email"]),
    )


def _in_rows(pairs: tuple[np.ndarray, np.ndarray], rows: slice) -> tuple[np.ndarray, np.ndarray]:
    """The (member, event) pairs whose member is in `rows`, member positions relative to the chunk."""
    members, events = pairs
    inside = (members >= rows.start) & (members < rows.stop)
    return members[inside] - rows.start, events[inside]


def _chunk_scores(features: _Features, rows: slice, event_count: int) -> tuple[np.ndarray, dict[str, int]]:
    """Scores of the members in `rows` against every event, -inf where a hard rule forbids the pair; and the pairs
    each audience rule excluded."""
    f = features
    interests = np.minimum(f.member_vectors[rows] @ f.event_vectors, 3) / 3
    invited = np.zeros((rows.stop - rows.start, event_count), dtype=np.float32)
    invited[_in_rows(f.invited, rows)] = 1
    diet = f.member_diet[rows]
    diet_fit = (diet.astype(np.float32) @ f.event_friendly.T.astype(np.float32)) > 0
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
    allowed = np.repeat(f.textable[None, :], rows.stop - rows.start, axis=0)
    allowed &= pd.notna(campaigns)[:, None] | f.low_occupancy[None, :]  # no campaign of their own: Fill the Table only
    allowed[_in_rows(f.joined, rows)] = False
    # The person, diet and audience rules last, so each pair they exclude is counted once, under the first that
    # applies.
    excluded = {}
    for reason, pairs in ((OWN_EVENT, f.hosted), (ALREADY_INVITED, f.already_invited)):
        rule = np.zeros_like(allowed)
        rule[_in_rows(pairs, rows)] = True
        excluded[reason] = int((allowed & rule).sum())
        allowed &= ~rule
    for position, reason in enumerate(DIET_REASONS):
        keeps = diet[:, position]
        excluded[reason] = 0
        if keeps.any():  # most members keep no restriction: skip the outer product
            rule = keeps[:, None] & f.event_conflict[None, :, position]
            excluded[reason] = int((allowed & rule).sum())
            allowed &= ~rule
    not_for_them = {
        SINGLES_ONLY: f.singles_event[None, :] & ~f.single[rows, None],
        ADULTS_ONLY: f.alcohol_event[None, :] & ~f.adult[rows, None],
    }
    for reason, rule in not_for_them.items():
        excluded[reason] = int((allowed & rule).sum())
        allowed &= ~rule
    return np.where(allowed, score, -np.inf), excluded


def score_candidates(
    members: pd.DataFrame,
    events: pd.DataFrame,
    textable: pd.Series,
    reference: pd.Timestamp,
    horizon_days: int,
    already_invited: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, Counter]:
    """The short list per member: `candidates` (event ids), `scores` (0–100, best first) and the `campaign` it is
    scored for; and the member-event pairs the audience rules excluded, by reason.

    `events` are the enriched events with their `participants` and `invited_participants` emails (and
    `host_person_id`); an event is never offered to a member who joined it, whose person hosts it or was invited to it
    lately (`already_invited`: `person_id`, `event_id`), who cannot eat there, who is not its audience, or when its
    name cannot be texted (`textable`).
    """
    no_invitations = pd.DataFrame({"person_id": [], "event_id": []}, dtype=object)
    invited = no_invitations if already_invited is None else already_invited
    features = _features(members, events, textable, reference, horizon_days, invited)
    event_ids = events["id"].to_numpy()
    short_ids, short_scores, excluded = [], [], Counter()
    for start in range(0, len(members), CHUNK):
        score, chunk_excluded = _chunk_scores(features, slice(start, min(start + CHUNK, len(members))), len(events))
        excluded.update(chunk_excluded)
        # Best first; ties go to the sooner event (events arrive sorted by start), then the smaller id.
        order = top_positions(score, SHORT_LIST)
        top = np.take_along_axis(score, order, axis=1)
        for positions, values in zip(order, top):
            keep = np.isfinite(values)
            short_ids.append(event_ids[positions[keep]].tolist())
            short_scores.append(np.round(values[keep], 1).tolist())
    short = pd.DataFrame(
        {
            "user_id": members["id"].to_numpy(),
            "campaign": features.campaigns,
            "candidates": short_ids,
            "scores": short_scores,
        }
    )
    return short, excluded
