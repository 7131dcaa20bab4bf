"""Which arm of the experiment each member is in on a campaign date (docs/experiments.md).

An experiment is a name and weighted arms: `holdout` (recorded, never sent) and one or more message variants. A
member's arm follows from a hash of (experiment, member, campaign date), so re-runs and backfills assign the same
arm; within each campaign the members are ordered by that hash and cut at the arms' cumulative shares, so every
campaign gets the configured proportions to within one member. The cut points start at a random offset (a hash of
experiment, campaign and date), so each member's chance of each arm is exactly its share, in small campaigns too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOLDOUT = "holdout"
DEFAULT_EXPERIMENT = "copy_styles:warm=1,playful=1"
_SPEC = re.compile(r"^\s*([\w.-]+)\s*:\s*([\w-]+\s*=\s*\d+(?:\.\d+)?(?:\s*,\s*[\w-]+\s*=\s*\d+(?:\.\d+)?)*)\s*$")


@dataclass(frozen=True)
class Experiment:
    name: str
    arms: tuple[tuple[str, float], ...]  # (arm, share of the members), holdout first; shares sum to 1

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(arm for arm, _ in self.arms if arm != HOLDOUT)


def parse_experiment(spec: str | None, holdout_percent: float) -> Experiment:
    """`CUCU_EXPERIMENT` (`name:variant=weight,variant=weight`, weights relative among the variants) and
    `CUCU_HOLDOUT_PERCENT` as one experiment. Raises `ValueError` naming what is wrong."""
    match = _SPEC.match(spec or DEFAULT_EXPERIMENT)
    if not match:
        raise ValueError(f"CUCU_EXPERIMENT must look like 'name:variant=weight,variant=weight', not {spec!r}")
    if not 0 <= holdout_percent < 100:
        raise ValueError(f"CUCU_HOLDOUT_PERCENT must be at least 0 and below 100, not {holdout_percent}")
    weights = {}
    for part in match.group(2).split(","):
        arm, weight = (piece.strip() for piece in part.split("="))
        if arm == HOLDOUT or arm in weights:
            raise ValueError(f"CUCU_EXPERIMENT names arm {arm!r} twice or as a variant")
        weights[arm] = float(weight)
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("CUCU_EXPERIMENT needs a variant with a positive weight")
    treated = 1 - holdout_percent / 100
    arms = ((HOLDOUT, holdout_percent / 100), *((arm, treated * weight / total) for arm, weight in weights.items()))
    return Experiment(match.group(1), tuple(arms))


def unit_hash(experiment: str, user_id: str, campaign_date: dt.date) -> float:
    """A number in [0, 1) that only (experiment, member, date) decide: the same on every machine and run."""
    digest = hashlib.sha256(f"{experiment}:{user_id}:{campaign_date.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_arms(
    members: pd.DataFrame,
    experiment: Experiment,
    campaign_date: dt.date,
    shares: dict[str, tuple[tuple[str, float], ...]] | None = None,
) -> pd.Series:
    """The arm of each member (`user_id`, `campaign`; same index): within each campaign of n members, the member at
    position i in hash order falls at (i + offset) / n on the arms' cumulative shares (systematic sampling). The
    shares are the campaign's in `shares` (the date's learned allocation, `learning.py`), else the experiment's."""
    hashes = pd.Series(
        [unit_hash(experiment.name, user, campaign_date) for user in members["user_id"]], index=members.index
    )
    arms = pd.Series(pd.NA, index=members.index, dtype=object)
    for campaign, group in hashes.groupby(members["campaign"], sort=True):
        split = (shares or {}).get(campaign, experiment.arms)
        names = np.array([arm for arm, _ in split], dtype=object)
        bounds = np.cumsum([share for _, share in split])
        offset = unit_hash(experiment.name, f"campaign:{campaign}", campaign_date)
        points = (np.arange(len(group)) + offset) / len(group)
        ordered = group.sort_values(kind="stable").index
        arms[ordered] = names[np.minimum(np.searchsorted(bounds, points, side="right"), len(names) - 1)]
    return arms
