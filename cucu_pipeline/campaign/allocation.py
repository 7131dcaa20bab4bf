"""Seats are scarce: each event's cap of invitations for a date, and the member→event assignment that maximizes the
total score under those caps (README: "Matching").

The assignment is a transportation problem (one event per member, at most `room` members per event). Its
constraint matrix is totally unimodular, so the linear program solved by HiGHS already has an integral optimum.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, linprog, milp

# Among equal scores, a member's earlier candidate wins: a nudge far below the scores' 0.1 resolution.
RANK_NUDGE = 1e-6
CAP_COLUMNS = ["spots_left", "cap", "outstanding", "room"]


def event_caps(
    events: pd.DataFrame,
    history: pd.DataFrame,
    campaign_date: dt.date,
    invites_per_seat: float,
    memory_days: int,
) -> pd.DataFrame:
    """Per event id: `cap` = ceil(spots_left × invites_per_seat); `outstanding` = texts queued or sent for the event
    in the last `memory_days` days before the date; `room` = what the date may still send, never below zero."""
    contact_days = (pd.Timestamp(campaign_date) - history["contact_day"]).dt.days
    recent = history["status_as_of"].isin(["sent", "queued"]) & contact_days.between(0, memory_days - 1)
    outstanding = history.loc[recent].groupby("event_id").size()
    caps = pd.DataFrame({"spots_left": events["spots_left"].to_numpy(dtype=int)}, index=events["id"].to_numpy())
    caps["cap"] = np.ceil(caps["spots_left"] * invites_per_seat).astype(int)
    caps["outstanding"] = outstanding.reindex(caps.index, fill_value=0).astype(int)
    caps["room"] = (caps["cap"] - caps["outstanding"]).clip(lower=0)
    return caps.rename_axis("event_id")


def allocate_seats(candidates: pd.Series, scores: pd.Series, room: pd.Series) -> pd.Series:
    """Per member (same index): the position in its candidate list of the allocated event, or -1 when every
    candidate with room went to members it served better."""
    lengths = candidates.map(len).to_numpy(dtype=int)
    member = np.repeat(np.arange(len(candidates)), lengths)
    rank = np.concatenate([np.arange(n) for n in lengths]) if len(member) else np.array([], dtype=int)
    event = np.array([e for events in candidates for e in events], dtype=object)
    score = np.array([s for values in scores for s in values], dtype=float)
    event_room = pd.Series(event).map(room).fillna(0).to_numpy(dtype=int)
    keep = event_room > 0
    member, rank, event, score, event_room = member[keep], rank[keep], event[keep], score[keep], event_room[keep]
    chosen = np.full(len(candidates), -1)
    if len(member):
        taken = _solve(member, event, score - RANK_NUDGE * rank, event_room, len(candidates))
        chosen[member[taken]] = rank[taken]
    return pd.Series(chosen, index=candidates.index)


def _solve(member: np.ndarray, event: np.ndarray, value: np.ndarray, event_room: np.ndarray, members: int):
    """Which (member, event) variables are 1 in the optimum: max Σ value·x, Σ x per member ≤ 1, Σ x per event ≤ room."""
    codes, events = pd.factorize(event)
    variables = np.arange(len(member))
    rows = np.concatenate([member, members + codes])
    matrix = sparse.csr_array((np.ones(2 * len(member)), (rows, np.tile(variables, 2))))
    room = pd.Series(event_room).groupby(codes).first().to_numpy()
    limits = np.concatenate([np.ones(members), room])
    result = linprog(-value, A_ub=matrix, b_ub=limits, bounds=(0, 1), method="highs")
    if result.status != 0:
        raise RuntimeError(f"seat allocation failed: {result.message}")
    if not np.allclose(result.x, np.round(result.x), atol=1e-6):  # a vertex is integral; guard all the same
        result = milp(-value, constraints=(matrix, -np.inf, limits), integrality=1, bounds=Bounds(0, 1))
    return result.x > 0.5
