"""What learning earned over the weekly read's dates (docs/experiments.md: "The weekly read"): per campaign and
variant, the share of the texts it got and of the bookings of the invited event, its posterior booking rate with a
95% interval and the probability it is best; and the bookings gained against the configured fixed split of the same
texts, with an interval.

The gain is what each variant's texts beyond (or short of) its fixed share booked at that variant's rate:
sum over campaigns and variants of (texts - fixed share x the campaign's texts) x rate, the rates' Beta posteriors
giving its mean and (their variances summed, a normal interval) its 95% interval. Pooled over dates whose split moved,
it is an estimate, not an experiment: the lift over the holdout stays the headline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cucu_pipeline.experiments.arms import HOLDOUT, Experiment
from cucu_pipeline.experiments.learning import probability_best

EARNED_COLUMNS = [
    "campaign",
    "arm",
    "texts",
    "bookings",
    "text_share",
    "booking_share",
    "posterior_mean",
    "posterior_low",
    "posterior_high",
    "p_best",
]


@dataclass(frozen=True)
class Earned:
    table: pd.DataFrame  # EARNED_COLUMNS, one row per campaign and variant with texts
    gained: float  # bookings gained against the fixed split
    low: float
    high: float


def what_learning_earned(outcomes: pd.DataFrame, experiment: Experiment) -> Earned:
    """From the pooled `campaign_outcomes` rows of the experiment's sent texts."""
    from scipy import stats

    sent = outcomes[
        outcomes["sent"].astype(bool) & outcomes["arm"].ne(HOLDOUT) & outcomes["experiment"].eq(experiment.name)
    ]
    counts = sent.groupby(["campaign", "arm"])["booked_invited_event"].agg(texts="size", bookings="sum").reset_index()
    variants = dict(arm for arm in experiment.arms if arm[0] != HOLDOUT)
    fixed = {arm: share / sum(variants.values()) for arm, share in variants.items()}
    rows, gained, variance = [], 0.0, 0.0
    for _, group in counts.groupby("campaign", sort=True):
        texts, bookings = group["texts"].to_numpy(), group["bookings"].to_numpy().astype(float)
        alpha, beta = 1 + bookings, 1 + texts - bookings
        mean, spread = alpha / (alpha + beta), alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1))
        beyond = texts - np.array([fixed.get(arm, 0.0) for arm in group["arm"]]) * texts.sum()
        gained, variance = gained + float(beyond @ mean), variance + float(beyond**2 @ spread)
        rows.append(
            group.assign(
                text_share=texts / texts.sum(),
                booking_share=bookings / bookings.sum() if bookings.sum() else 0.0,
                posterior_mean=mean,
                posterior_low=stats.beta.ppf(0.025, alpha, beta),
                posterior_high=stats.beta.ppf(0.975, alpha, beta),
                p_best=probability_best(bookings, texts),
            )
        )
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=EARNED_COLUMNS)
    margin = 1.959964 * variance**0.5
    return Earned(table[EARNED_COLUMNS], gained, gained - margin, gained + margin)
