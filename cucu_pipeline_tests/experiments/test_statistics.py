"""Rates, lifts and p-values against published values, and over many simulated campaigns: the intervals cover the
true lift about 95% of the time and, with no effect, the p-values are uniform (no more than 5% false winners)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kstest

from cucu_pipeline.experiments.statistics import lift, members_needed, rate


def test_wilson_interval_of_a_rate():
    booked = rate(12, 100)
    assert (booked.members, booked.bookings, booked.rate) == (100, 12, 0.12)
    assert (booked.low, booked.high) == pytest.approx((0.0700, 0.1981), abs=1e-4)  # Wilson (1927)
    assert rate(0, 0) == rate(0, 0) and (rate(0, 0).low, rate(0, 0).high) == (0.0, 1.0)
    assert rate(0, 50).low == 0.0 and 0 < rate(0, 50).high < 0.08


def test_newcombe_interval_and_score_test_for_large_counts():
    published = lift(rate(56, 70), rate(48, 80))  # Newcombe (1998), Statistics in Medicine 17, table II, method 10
    assert (published.low, published.high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    found = lift(rate(120, 1000), rate(50, 1000))
    assert found.difference == pytest.approx(0.07) and found.relative == pytest.approx(1.4)
    assert found.test == "score" and found.p_value < 1e-5 and found.significant
    estimate, low, high = found.incremental_bookings()
    assert (estimate, low, high) == pytest.approx((70, 1000 * found.low, 1000 * found.high))
    assert 0.04 < found.low < 0.07 < found.high < 0.1


def test_fisher_exact_test_when_counts_are_small():
    found = lift(rate(6, 40), rate(1, 40))
    assert found.test == "fisher_exact"
    assert found.p_value == pytest.approx(0.1083, abs=1e-3)  # scipy's two-sided Fisher exact on [[6, 34], [1, 39]]
    assert not found.significant and found.low < 0 < found.high


def test_no_lift_without_members_and_no_relative_lift_from_a_zero_rate():
    assert lift(rate(3, 10), rate(0, 0)) is None and lift(rate(0, 0), rate(3, 10)) is None
    assert lift(rate(3, 100), rate(0, 100)).relative is None


def test_members_needed_for_the_observed_effect():
    needed = members_needed(rate(60, 1000), rate(50, 1000), holdout_share=0.1)
    assert 30_000 < needed < 60_000  # a 1-point lift on 5% with a 10% holdout needs tens of thousands
    assert members_needed(rate(120, 1000), rate(50, 1000), 0.1) < needed  # a larger effect needs fewer
    assert members_needed(rate(50, 1000), rate(50, 1000), 0.1) is None


def simulate(true_treated: float, true_holdout: float, seeds: int, treated: int = 1800, holdout: int = 200):
    rng = np.random.default_rng(20261121)
    return [
        lift(
            rate(int(rng.binomial(treated, true_treated)), treated),
            rate(int(rng.binomial(holdout, true_holdout)), holdout),
        )
        for _ in range(seeds)
    ]


def test_intervals_cover_the_true_lift_about_95_percent_of_the_time():
    lifts = simulate(0.08, 0.05, seeds=1000)
    coverage = np.mean([found.low <= 0.03 <= found.high for found in lifts])
    assert 0.93 <= coverage <= 0.97, coverage


def test_with_no_effect_p_values_are_uniform_and_false_winners_stay_near_five_percent():
    lifts = simulate(0.06, 0.06, seeds=1000, treated=4000, holdout=1000)
    p_values = np.array([found.p_value for found in lifts])
    assert kstest(p_values, "uniform").pvalue > 0.01
    assert np.mean(p_values < 0.05) <= 0.07
