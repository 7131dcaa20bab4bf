"""The deterministic scorer: every qualified event scored for every member, hard rules applied, a short list kept.

Scores are computed as dense member × event matrices in chunks of members (matrix products and broadcasts, no
Python loop over pairs), so cost grows linearly with members for a day's catalog of upcoming events.
"""

from __future__ import annotations

import functools
import itertools
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


def _vocabulary_matrix(phrase_lists: list[list], vocabulary: dict[str, int]) -> np.ndarray:
    """Row × vocabulary: 1 where the row's phrases hold the word. Each distinct phrase is read once and the matrix
    is filled in one assignment (a set and an assignment per member took 10 us each)."""
    lengths = np.fromiter(map(len, phrase_lists), dtype=np.int64, count=len(phrase_lists))
    flat = np.fromiter(itertools.chain.from_iterable(phrase_lists), dtype=object, count=int(lengths.sum()))
    codes, phrases = pd.factorize(flat, use_na_sentinel=False)
    # The words of each distinct phrase as a run of `columns`: columns[start:][:count] of the phrase.
    positions = [[vocabulary[word] for word in _phrase_words(str(phrase)) if word in vocabulary] for phrase in phrases]
    counts = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    columns = np.fromiter(itertools.chain.from_iterable(positions), dtype=np.int64, count=int(counts.sum()))
    starts, per_phrase = (np.cumsum(counts) - counts)[codes], counts[codes]
    offsets = np.arange(per_phrase.sum()) - np.repeat(np.cumsum(per_phrase) - per_phrase, per_phrase)
    matrix = np.zeros((len(phrase_lists), len(vocabulary)), dtype=np.float32)
    rows = np.repeat(np.repeat(np.arange(len(phrase_lists)), lengths), per_phrase)
    matrix[rows, columns[np.repeat(starts, per_phrase) + offsets]] = 1.0
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
    weighted_quality: np.ndarray  # campaign × event: how good each event's fill looks to Seat the Newcomer, Return
    # to the Table and Fill the Table, weighted
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
    member_phrases = [
        [*a, *b, *c]
        for a, b, c in zip(members["interests"], members["cuisine_preferences"], members["favorite_event_types"])
    ]
    event_phrases = [
        [*a, *b, *c, name]
        for a, b, c, name in zip(events["categories"], events["features"], events["common_interests"], events["name"])
    ]
    vocabulary = {token: position for position, token in enumerate(sorted(words(itertools.chain(*event_phrases))))}
    event_conflict, event_friendly = event_conflicts(events)
    fill = events["fill_rate"].to_numpy()
    days_until = ((events["start_date"] - reference).dt.total_seconds() / 86400).to_numpy()
    return _Features(
        member_vectors=_vocabulary_matrix(member_phrases, vocabulary),
        event_vectors=_vocabulary_matrix(event_phrases, vocabulary).T,
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
        weighted_quality=WEIGHTS["quality"]
        * np.stack(
            [
                np.clip(1 - 2 * np.maximum(0.5 - fill, fill - 0.8).clip(min=0), 0, 1),  # Seat the Newcomer
                np.clip(fill / 0.5, 0, 1),  # Return to the Table
                1 - fill,  # Fill the Table
            ]
        ),
        joined=_pairs(events, "participants", members["email"]),
        single=single_members(members),
        adult=adult_members(members),
        singles_event=singles_events(events),
        alcohol_event=alcohol_events(events),
        invited=_pairs(events, "invited_participants", members["email"]),
    )


def _in_rows(pairs: tuple[np.ndarray, np.ndarray], rows: slice, event_count: int) -> np.ndarray:
    """The pairs whose member is in `rows`, as distinct flat positions of the chunk's member × event matrix."""
    members, events = pairs
    inside = (members >= rows.start) & (members < rows.stop)
    return np.unique((members[inside] - rows.start) * event_count + events[inside])


def _exclude(allowed: np.ndarray, rule: tuple[np.ndarray, ...] | np.ndarray) -> int:
    """Forbid the pairs of `rule` (flat positions, or the member rows × event columns of `np.ix_`); how many of them
    were still allowed."""
    if isinstance(rule, tuple):
        excluded = int(allowed[rule].sum())
        allowed[rule] = False
    else:
        flat = allowed.reshape(-1)  # a view: the chunk is C-contiguous
        excluded = int(flat[rule].sum())
        flat[rule] = False
    return excluded


def _chunk_scores(features: _Features, rows: slice, event_count: int) -> tuple[np.ndarray, dict[str, int]]:
    """Scores of the members in `rows` against every event, -inf where a hard rule forbids the pair; and the pairs
    each audience rule excluded.

    The score is built in place, term by term in the order of `WEIGHTS`, and the rules that touch few pairs
    (invitations, hosts, diets, audiences) are applied where they hold: each full member × event pass costs
    seconds at a million members. The arithmetic is the plain sum's, so the scores are the same to the last bit.
    """
    f = features
    score = np.minimum(f.member_vectors[rows] @ f.event_vectors, 3) / 3  # float32, as the products
    score *= WEIGHTS["interests"]
    score.reshape(-1)[_in_rows(f.invited, rows, event_count)] += WEIGHTS["invited"]
    score = score.astype(np.float64)
    diet = f.member_diet[rows]
    diet_fit = (diet.astype(np.float32) @ f.event_friendly.T.astype(np.float32)) > 0
    np.add(score, WEIGHTS["diet"], out=score, where=diet_fit)
    home, work, hood = f.home[rows, None], f.work[rows, None], f.neighborhood[None, :]
    at_home = home == hood
    np.add(score, WEIGHTS["neighborhood"] * 1.0, out=score, where=at_home)
    np.add(score, WEIGHTS["neighborhood"] * 0.7, out=score, where=~at_home & (work == hood))
    campaigns = f.campaigns[rows]
    campaign_row = np.where(campaigns == SEAT_THE_NEWCOMER, 0, np.where(campaigns == RETURN_TO_TABLE, 1, 2))
    score += f.weighted_quality[campaign_row]
    score += WEIGHTS["soon"] * f.soon[None, :]
    allowed = np.repeat(f.textable[None, :], rows.stop - rows.start, axis=0)
    allowed &= pd.notna(campaigns)[:, None] | f.low_occupancy[None, :]  # no campaign of their own: Fill the Table only
    _exclude(allowed, _in_rows(f.joined, rows, event_count))
    # The person, diet and audience rules last, so each pair they exclude is counted once, under the first that
    # applies.
    excluded = {
        OWN_EVENT: _exclude(allowed, _in_rows(f.hosted, rows, event_count)),
        ALREADY_INVITED: _exclude(allowed, _in_rows(f.already_invited, rows, event_count)),
    }
    for position, reason in enumerate(DIET_REASONS):
        excluded[reason] = _exclude(allowed, np.ix_(diet[:, position], f.event_conflict[:, position]))
    excluded[SINGLES_ONLY] = _exclude(allowed, np.ix_(~f.single[rows], f.singles_event))
    excluded[ADULTS_ONLY] = _exclude(allowed, np.ix_(~f.adult[rows], f.alcohol_event))
    np.copyto(score, -np.inf, where=~allowed)
    return score, excluded


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
        # Best first, so a row's allowed events come before its forbidden ones (-inf): each short list is a prefix.
        kept = np.isfinite(top).sum(axis=1).tolist()
        short_ids += [ids[:n] for ids, n in zip(event_ids[order].tolist(), kept)]
        short_scores += [values[:n] for values, n in zip(np.round(top, 1).tolist(), kept)]
    short = pd.DataFrame(
        {
            "user_id": members["id"].to_numpy(),
            "campaign": features.campaigns,
            "candidates": short_ids,
            "scores": short_scores,
        }
    )
    return short, excluded
