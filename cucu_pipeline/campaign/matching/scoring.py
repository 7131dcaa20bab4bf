"""The deterministic scorer: every qualified event scored for every member, hard rules applied, a short list kept.

Scores are computed as dense member × event matrices in chunks of members (matrix products and broadcasts, no
Python loop over pairs), so cost grows linearly with members for a day's catalog of upcoming events; the chunks are
shared among the machine's cores (`core.parallel.mapped`).
"""

from __future__ import annotations

import functools
from collections import Counter

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.matching.audience import ADULTS_ONLY, SINGLES_ONLY
from cucu_pipeline.campaign.matching.campaigns import RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.matching.diet import RESTRICTIONS
from cucu_pipeline.campaign.matching.features import Features, features_of
from cucu_pipeline.core.frames import top_positions
from cucu_pipeline.core.parallel import mapped

SHORT_LIST = 5
CHUNK = 2048
# Chunks of members scored on each core at least (`core.parallel.mapped`): a share of 8,192 members against a
# day's few hundred events takes a tenth of a second, well above the cost of a fork.
CHUNKS_A_SHARE = 4
# The reasons under which pairs the person rules exclude are counted: an event the person hosts, and one they were
# already invited to within `reinvite_after_days`.
OWN_EVENT = "hosts_the_event"
ALREADY_INVITED = "already_invited"
DIET_REASONS = tuple(f"diet_{restriction}" for restriction in RESTRICTIONS)

# Preferences of docs/matching.md, in order of importance: weights sum to 100, so a score reads as a confidence.
WEIGHTS = {"interests": 40, "invited": 20, "diet": 12, "neighborhood": 12, "quality": 10, "soon": 6}


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


def _chunk_scores(features: Features, rows: slice, event_count: int) -> tuple[np.ndarray, dict[str, int]]:
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
    score += (WEIGHTS["quality"] * f.quality)[campaign_row]
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


def _short_lists(features: Features, event_ids: np.ndarray, rows: slice) -> tuple[list, list, dict[str, int]]:
    """The short lists (event ids and scores, best first) of the members in `rows`, and the pairs each audience
    rule excluded."""
    score, excluded = _chunk_scores(features, rows, len(event_ids))
    # Best first; ties go to the sooner event (events arrive sorted by start), then the smaller id.
    order = top_positions(score, SHORT_LIST)
    top = np.take_along_axis(score, order, axis=1)
    # Best first, so a row's allowed events come before its forbidden ones (-inf): each short list is a prefix.
    kept = np.isfinite(top).sum(axis=1).tolist()
    ids = [row[:n] for row, n in zip(event_ids[order].tolist(), kept)]
    return ids, [values[:n] for values, n in zip(np.round(top, 1).tolist(), kept)], excluded


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
    features = features_of(members, events, textable, reference, horizon_days, invited)
    chunks = [slice(start, min(start + CHUNK, len(members))) for start in range(0, len(members), CHUNK)]
    short_lists = functools.partial(_short_lists, features, events["id"].to_numpy())
    short_ids, short_scores, excluded = [], [], Counter()
    for ids, scores, chunk_excluded in mapped(short_lists, chunks, min_share=CHUNKS_A_SHARE):
        short_ids += ids
        short_scores += scores
        excluded.update(chunk_excluded)
    short = pd.DataFrame(
        {
            "user_id": members["id"].to_numpy(),
            "campaign": features.campaigns,
            "candidates": short_ids,
            "scores": short_scores,
        }
    )
    return short, excluded
