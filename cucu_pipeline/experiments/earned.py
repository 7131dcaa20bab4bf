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
from cucu_pipeline.experiments.learning import posteriors, sent_counts

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
    counts = sent_counts(outcomes, experiment).reset_index()
    variants = dict(arm for arm in experiment.arms if arm[0] != HOLDOUT)
    fixed = {arm: share / sum(variants.values()) for arm, share in variants.items()}
    rows, gained, variance = [], 0.0, 0.0
    for _, group in counts.groupby("campaign", sort=True):
        texts, bookings = group["texts"].to_numpy(), group["bookings"].to_numpy()
        found = posteriors(texts, bookings)
        mean = found["posterior_mean"]
        beyond = texts - np.array([fixed.get(arm, 0.0) for arm in group["arm"]]) * texts.sum()
        # Var of Beta(a, b) = mean (1 - mean) / (a + b + 1), and a + b = texts + 2.
        gained += float(beyond @ mean)
        variance += float(beyond**2 @ (mean * (1 - mean) / (texts + 3)))
        rows.append(
            group.assign(
                text_share=texts / texts.sum(),
                booking_share=bookings / bookings.sum() if bookings.sum() else 0.0,
                **found,
            )
        )
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=EARNED_COLUMNS)
    margin = 1.959964 * variance**0.5
    return Earned(table[EARNED_COLUMNS], gained, gained - margin, gained + margin)
