"""Booking rates per arm and each variant's lift over the holdout, with honest intervals (docs/experiments.md).

Rates carry Wilson 95% intervals; a lift (treated rate minus holdout rate) carries Newcombe's hybrid-score interval;
its p-value comes from the two-proportion score test, or Fisher's exact test when an expected count is below 5.
All from statsmodels and scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ALPHA = 0.05
POWER = 0.8
SMALL_EXPECTED_COUNT = 5  # below this in any cell of the 2×2 table the score test's normal approximation fails


@dataclass(frozen=True)
class Rate:
    members: int
    bookings: int
    rate: float
    low: float
    high: float


def rate(bookings: int, members: int) -> Rate:
    """The booking rate with its Wilson 95% interval (no members: a rate of 0 within [0, 1])."""
    if not members:
        return Rate(0, 0, 0.0, 0.0, 1.0)
    from statsmodels.stats.proportion import proportion_confint  # statsmodels and scipy load in ~0.5 s: when used

    low, high = proportion_confint(bookings, members, alpha=ALPHA, method="wilson")
    return Rate(members, bookings, bookings / members, float(low), float(high))


@dataclass(frozen=True)
class Lift:
    treated: Rate
    holdout: Rate
    difference: float  # treated rate minus holdout rate
    low: float
    high: float
    relative: float | None  # difference over the holdout rate; None when the holdout rate is 0
    p_value: float
    test: str  # "score" or "fisher_exact"

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA

    def incremental_bookings(self) -> tuple[float, float, float]:
        """Bookings the texts added among the treated members: estimate, low, high."""
        members = self.treated.members
        return self.difference * members, self.low * members, self.high * members


def lift(treated: Rate, holdout: Rate) -> Lift | None:
    """The treated arm against the holdout; None when either arm has no members."""
    if not treated.members or not holdout.members:
        return None
    from scipy.stats import fisher_exact
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    counts = (treated.bookings, treated.members, holdout.bookings, holdout.members)
    low, high = confint_proportions_2indep(*counts, method="newcomb", compare="diff", alpha=ALPHA)
    table = [
        [treated.bookings, treated.members - treated.bookings],
        [holdout.bookings, holdout.members - holdout.bookings],
    ]
    total = treated.members + holdout.members
    booked = treated.bookings + holdout.bookings
    expected = [
        members * share / total for members in (treated.members, holdout.members) for share in (booked, total - booked)
    ]
    if min(expected) < SMALL_EXPECTED_COUNT:
        p_value, test = float(fisher_exact(table).pvalue), "fisher_exact"
    else:
        p_value, test = float(test_proportions_2indep(*counts, method="score").pvalue), "score"
    difference = treated.rate - holdout.rate
    relative = difference / holdout.rate if holdout.rate else None
    return Lift(treated, holdout, difference, float(low), float(high), relative, p_value, test)


def members_needed(treated: Rate, holdout: Rate, holdout_share: float) -> int | None:
    """Members needed in all (treated and holdout, in the experiment's proportions) for the observed difference to
    be found at 5% significance with 80% power; None when there is no difference to find."""
    if treated.rate == holdout.rate or not 0 < holdout_share < 1:
        return None
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    effect = abs(proportion_effectsize(treated.rate, holdout.rate))
    ratio = holdout_share / (1 - holdout_share)
    treated_members = NormalIndPower().solve_power(effect_size=effect, alpha=ALPHA, power=POWER, ratio=ratio)
    return math.ceil(treated_members * (1 + ratio))


def smallest_detectable_difference(baseline: Rate, members: int, holdout_share: float) -> float | None:
    """The smallest rise over `baseline`'s rate that `members` in all (in the experiment's proportions) would find at
    5% significance with 80% power, in rate points; None when there are too few members to find any."""
    if members < 2 or not 0 < holdout_share < 1:
        return None
    from statsmodels.stats.power import NormalIndPower

    ratio = holdout_share / (1 - holdout_share)
    treated_members = members / (1 + ratio)
    effect = NormalIndPower().solve_power(nobs1=treated_members, alpha=ALPHA, power=POWER, ratio=ratio)
    # Cohen's h = 2·asin(√p1) − 2·asin(√p0), solved for p1 (capped at a rate of 1).
    angle = min(math.asin(math.sqrt(baseline.rate)) + effect / 2, math.pi / 2)
    return math.sin(angle) ** 2 - baseline.rate
