"""Allocation that learns (docs/experiments.md: "Allocation that learns").

For each campaign, the share of a date's texts each variant gets is the probability that its booking rate for the
invited event is the best: Thompson sampling in its batch form (the share of the date's Thompson draws each variant
would win), computed by quadrature instead of drawn, so a date's allocation is the same on every run and machine,
and the members are then cut on those shares by hash (`arms.assign_arms`). Every variant keeps a floor (`FLOOR` of
the campaign's texts) so it keeps being measured, and the holdout keeps its fixed share, outside the learning.

Each variant's posterior is Beta(1 + bookings, 1 + texts - bookings) over the texts sent on the last
`POOLED_DATES` campaign dates whose attribution windows closed before the date's reference instant, bookings counted
up to that instant: nothing the date could not have known.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.experiments.arms import HOLDOUT, Experiment
from cucu_pipeline.experiments.outcomes import campaign_outcomes
from cucu_pipeline.experiments.performance import pooled_dates

FLOOR = 0.1  # the least share of a campaign's texts each variant keeps
CAMPAIGNS = (FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER)
ALLOCATION_COLUMNS = [
    "campaign",
    "arm",
    "texts",
    "bookings",
    "posterior_mean",
    "posterior_low",
    "posterior_high",
    "p_best",
    "share",
    "learning",
]
_GRID = 4001  # quadrature points over where the posteriors have mass
_TAIL = 1e-9  # the mass each posterior may leave outside the grid


def probability_best(bookings: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """For Beta(1 + bookings, 1 + texts - bookings) posteriors, the probability each is the largest:
    P(best_a) = integral of f_a(x) * prod over b != a of F_b(x) dx, on a grid spanning every posterior's mass."""
    from scipy import integrate, stats

    alpha, beta = 1.0 + bookings, 1.0 + texts - bookings
    low = stats.beta.ppf(_TAIL, alpha, beta).min()
    high = stats.beta.ppf(1 - _TAIL, alpha, beta).max()
    grid = np.linspace(low, high, _GRID)[:, None]
    density, below = stats.beta.pdf(grid, alpha, beta), stats.beta.cdf(grid, alpha, beta)
    found = np.array(
        [
            integrate.trapezoid(density[:, arm] * np.prod(np.delete(below, arm, axis=1), axis=1), grid[:, 0])
            for arm in range(len(alpha))
        ]
    )
    return found / found.sum()


def learned_shares(p_best: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    """Each variant's share of the campaign's non-holdout texts: its floor, and the rest in proportion to the
    probability it is best."""
    floor = min(floor, 1 / len(p_best))
    return floor + (1 - floor * len(p_best)) * p_best


def sent_counts(outcomes: pd.DataFrame, experiment: Experiment) -> pd.DataFrame:
    """The experiment's texts sent and bookings of the invited event per (campaign, variant), over the closed
    windows of `outcomes` (`campaign_outcomes` rows; a former experiment's texts teach this one nothing)."""
    sent = outcomes[
        outcomes["sent"].astype(bool)
        & outcomes["window_closed"].astype(bool)
        & outcomes["experiment"].eq(experiment.name)
    ]
    return sent.groupby(["campaign", "arm"])["booked_invited_event"].agg(texts="size", bookings="sum").astype(int)


def posteriors(texts: np.ndarray, bookings: np.ndarray) -> dict[str, np.ndarray]:
    """Each variant's Beta(1 + bookings, 1 + texts - bookings) booking rate: its mean, 95% interval and the
    probability it is the best of them."""
    from scipy import stats

    alpha, beta = 1.0 + bookings, 1.0 + texts - bookings
    low, high = stats.beta.ppf([[0.025], [0.975]], alpha, beta)
    return {
        "posterior_mean": alpha / (alpha + beta),
        "posterior_low": low,
        "posterior_high": high,
        "p_best": probability_best(bookings, texts),
    }


def allocation(outcomes: pd.DataFrame, experiment: Experiment, floor: float = FLOOR, learning: bool = True):
    """One row per campaign and arm (`ALLOCATION_COLUMNS`): the texts and bookings counted from `outcomes` (the
    closed dates' `campaign_outcomes` rows), each variant's posterior mean and 95% interval, the probability it is
    best, and its share of the campaign's texts: learned (`learned_shares`) or, with learning off, the experiment's
    configured split. The holdout keeps its configured share in every campaign."""
    holdout = dict(experiment.arms).get(HOLDOUT, 0.0)
    configured = np.array([share for arm, share in experiment.arms if arm != HOLDOUT]) / (1 - holdout)
    index = pd.MultiIndex.from_product([CAMPAIGNS, experiment.variants], names=["campaign", "arm"])
    counts = sent_counts(outcomes, experiment).reindex(index, fill_value=0).reset_index()
    rows = []
    for campaign, group in counts.groupby("campaign", sort=False):
        texts, bookings = group["texts"].to_numpy(), group["bookings"].to_numpy()
        found = posteriors(texts, bookings)
        shares = learned_shares(found["p_best"], floor) if learning else configured
        rows.append(pd.DataFrame({"campaign": campaign, "arm": HOLDOUT, "share": holdout}, index=[0]))
        rows.append(group.assign(**found, share=(1 - holdout) * shares))
    table = pd.concat(rows, ignore_index=True).assign(learning=learning)
    return table.reindex(columns=ALLOCATION_COLUMNS).astype({"texts": "Int64", "bookings": "Int64"})


def campaign_shares(table: pd.DataFrame, experiment: Experiment) -> dict[str, tuple[tuple[str, float], ...]]:
    """The allocation as `arms.assign_arms` reads it: per campaign, (arm, share) in the experiment's order."""
    order = [arm for arm, _ in experiment.arms]
    return {
        campaign: tuple(
            (arm, float(share)) for arm, share in group.set_index("arm")["share"].reindex(order).fillna(0.0).items()
        )
        for campaign, group in table.groupby("campaign", sort=False)
    }


def allocation_as_of(
    records: pd.DataFrame, orders: pd.DataFrame, users: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules
) -> pd.DataFrame:
    """The date's `allocation`, learned from the last `POOLED_DATES` dates whose windows closed before the date,
    with the bookings placed by its reference instant: a booking made later changes nothing the date decided."""
    dates = pooled_dates(rules.last_closed_date(campaign_date))
    outcomes = campaign_outcomes(records, orders, users, dates, rules, rules.reference_instant(campaign_date))
    return allocation(outcomes, rules.arms(), rules.learning_floor, rules.learning)
