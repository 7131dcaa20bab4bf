"""The experiment's readout from campaign outcomes: rates per arm, each variant's lift over the holdout, incremental
bookings and what they cost, and whether a variant wins (docs/experiments.md).

The primary analysis is by assignment: every member of a variant against the holdout, sent or not, so texts the team
skipped in review bias nothing. The sent-only view (the variant's sent texts against the whole holdout) is reported
beside it. The primary outcome is a paid booking of any event; the invited event's booking is reported as well.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass

import pandas as pd

from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.statistics import (
    ALPHA,
    Lift,
    Rate,
    lift,
    members_needed,
    rate,
    smallest_detectable_difference,
)

PRIMARY = "booked_any_event"
QUARTER_DAYS = 91  # how far ahead a growth team plans: a sample beyond a quarter of campaigns is not a plan
OUTCOMES = ("booked_invited_event", "booked_any_event")
BREAKDOWNS = (None, "campaign", "user_segment")
LIFT_COLUMNS = (
    "view outcome by group arm members bookings rate holdout_members holdout_rate lift lift_low lift_high "
    "relative_lift p_value p_adjusted test"
).split()


def arm_rate(outcomes: pd.DataFrame, column: str) -> Rate:
    return rate(int(outcomes[column].sum()), len(outcomes))


def _variants(outcomes: pd.DataFrame) -> list[str]:
    return sorted(set(outcomes["arm"]) - {HOLDOUT})


def arm_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per arm: members, texts sent, each outcome's bookings and rate with its Wilson interval, opt-outs, cost."""
    rows = []
    for arm, members in outcomes.groupby("arm", sort=True):
        row = {"arm": arm, "members": len(members), "sent": int(members["sent"].sum())}
        for column in (*OUTCOMES, "opted_out"):
            found = arm_rate(members, column)
            row |= {column: found.bookings, f"{column}_rate": found.rate}
            row |= {f"{column}_low": found.low, f"{column}_high": found.high}
        rows.append(row | {"cost_usd": round(float(members["cost_usd"].sum()), 4)})
    return pd.DataFrame(rows)


def _lift_row(found: Lift, **labels: str) -> dict[str, object]:
    return {
        **labels,
        "members": found.treated.members,
        "bookings": found.treated.bookings,
        "rate": found.treated.rate,
        "holdout_members": found.holdout.members,
        "holdout_rate": found.holdout.rate,
        "lift": found.difference,
        "lift_low": found.low,
        "lift_high": found.high,
        "relative_lift": found.relative,
        "p_value": found.p_value,
        "test": found.test,
    }


def lift_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each variant against the holdout: by view (`assigned`, `sent`), outcome and breakdown (overall, campaign,
    user segment); a group with no holdout member or no variant member has no row."""
    rows = []
    for by in BREAKDOWNS:
        groups = [("all", outcomes)] if by is None else outcomes.groupby(by, sort=True)
        for group, members in groups:
            holdout = members[members["arm"] == HOLDOUT]
            for arm in _variants(members):
                treated = members[members["arm"] == arm]
                for view, chosen in (("assigned", treated), ("sent", treated[treated["sent"]])):
                    for column in OUTCOMES:
                        found = lift(arm_rate(chosen, column), arm_rate(holdout, column))
                        if found is not None:
                            labels = dict(view=view, outcome=column, by=by or "all", group=str(group), arm=arm)
                            rows.append(_lift_row(found, **labels))
    return _holm_adjusted(pd.DataFrame(rows, columns=LIFT_COLUMNS))


def holm(p_values) -> tuple:
    """Holm's correction (statsmodels): which p-values are rejected at `ALPHA`, and the adjusted p-values.

    statsmodels' Holm branch calls `gc.collect()`, which walks the whole heap: 0.4 to 1.5 s a call inside a run at
    100k members. Frozen objects are not walked (https://docs.python.org/3/library/gc.html#gc.freeze)."""
    from statsmodels.stats.multitest import multipletests  # imported where used: loading it takes ~0.5 s

    gc.freeze()
    try:
        rejected, adjusted, _, _ = multipletests(p_values, alpha=ALPHA, method="holm")
    finally:
        gc.unfreeze()
    return rejected, adjusted


def _holm_adjusted(lifts: pd.DataFrame) -> pd.DataFrame:
    """`p_adjusted`: each p-value Holm-adjusted among the comparisons of its family (one view, outcome and
    breakdown), so a segment that stands out among many is not read as a finding by chance."""
    if lifts.empty:
        return lifts

    def adjust(p_values: pd.Series) -> pd.Series:
        return pd.Series(holm(p_values.to_numpy())[1], index=p_values.index)

    return lifts.assign(p_adjusted=lifts.groupby(["view", "outcome", "by"], sort=False)["p_value"].transform(adjust))


@dataclass(frozen=True)
class Incremental:
    """Bookings the texts added (every variant against the holdout, by assignment), and what each one cost."""

    bookings: float
    low: float
    high: float
    cost_usd: float
    lift: Lift | None

    @property
    def cost_per_booking(self) -> float | None:
        return round(self.cost_usd / self.bookings, 2) if self.bookings > 0 else None

    @property
    def cost_per_booking_range(self) -> tuple[float | None, float | None]:
        """Cost per incremental booking at the interval's ends (None: no upper bound, the interval reaches 0)."""
        best = round(self.cost_usd / self.high, 2) if self.high > 0 else None
        worst = round(self.cost_usd / self.low, 2) if self.low > 0 else None
        return best, worst


def incremental(outcomes: pd.DataFrame, column: str = PRIMARY) -> Incremental:
    treated = outcomes[outcomes["arm"] != HOLDOUT]
    cost = round(float(outcomes["cost_usd"].sum()), 4)
    found = lift(arm_rate(treated, column), arm_rate(outcomes[outcomes["arm"] == HOLDOUT], column))
    if found is None:
        return Incremental(0.0, 0.0, 0.0, cost, None)
    bookings, low, high = found.incremental_bookings()
    return Incremental(round(bookings, 1), round(low, 1), round(high, 1), cost, found)


@dataclass(frozen=True)
class Comparison:
    """The leading variant against one rival (the holdout or another variant), its p-value raw and Holm-adjusted
    among the leader's comparisons."""

    leader: str
    rival: str
    lift: Lift
    p_adjusted: float


@dataclass(frozen=True)
class Verdict:
    """The winning variant, or `None` ("no winner yet"): with the members the observed difference still needs when a
    quarter of campaigns at this pace brings them, else the smallest lift a quarter could find."""

    winner: str | None
    leader: str | None
    p_value: float | None  # Holm-adjusted, the largest of the leader's comparisons
    members_needed: int | None = None
    members_still_needed: int | None = None  # only when a quarter of campaigns reaches them
    days_still_needed: int | None = None
    difference: float | None = None  # the leader's observed lift over its closest rival, in rate points
    quarter_detectable: float | None = None  # the smallest lift a quarter of campaigns would find, in rate points
    comparisons: tuple[Comparison, ...] = ()

    @property
    def text(self) -> str:
        if self.winner:
            return f"{self.winner} wins (adjusted p = {self.p_value:.3g})"
        if self.members_still_needed:
            return (
                f"no winner yet: about {self.members_still_needed:,} more members (about {self.days_still_needed} more "
                f"days of campaigns) to tell whether the observed {_points(self.difference)} is real"
            )
        if self.difference and self.quarter_detectable is not None:
            return (
                f"no winner yet, and not detectable at this size: the observed {_points(self.difference)} is too small "
                f"for {QUARTER_DAYS} days of campaigns, which would find {_points(self.quarter_detectable)} or more"
            )
        return "no winner yet: no difference observed to test"


def _points(difference: float) -> str:
    """A difference of booking rates in percentage points: `+1.8 points`."""
    return f"{difference * 100:+.1f} points"


def verdict(outcomes: pd.DataFrame, days: int, column: str = PRIMARY) -> Verdict:
    """The leading variant wins when its rate beats the holdout and every other variant, each significantly after
    Holm's correction for the comparisons made. Otherwise the sample that the leader's closest comparison needs (5%
    significance, 80% power) says how far there is to go, if a quarter of campaigns at this pace (`days` observed)
    reaches it; if not, the smallest lift a quarter would find says what is worth testing."""
    rates = {arm: arm_rate(outcomes[outcomes["arm"] == arm], column) for arm in sorted(set(outcomes["arm"]))}
    variants = [arm for arm in rates if arm != HOLDOUT]
    if not variants or HOLDOUT not in rates:
        return Verdict(None, None, None)
    leader = max(variants, key=lambda arm: (rates[arm].rate, arm))
    rivals = [arm for arm in rates if arm != leader]
    found = [lift(rates[leader], rates[rival]) for rival in rivals]
    if any(item is None for item in found):
        return Verdict(None, leader, None)
    rejected, adjusted = holm([item.p_value for item in found])
    compared = tuple(Comparison(leader, rival, item, float(p)) for rival, item, p in zip(rivals, found, adjusted))
    if all(rejected) and all(item.difference > 0 for item in found):
        return Verdict(leader, leader, float(max(adjusted)), comparisons=compared)
    closest = min(range(len(rivals)), key=lambda index: found[index].difference)
    leading, rival = rates[leader], rates[rivals[closest]]
    pair, share = leading.members + rival.members, rival.members / (leading.members + rival.members)
    needed = members_needed(leading, rival, share)
    per_day, quarter = pair / max(days, 1), pair * QUARTER_DAYS / max(days, 1)
    reached = needed is not None and needed <= quarter
    return Verdict(
        None,
        leader,
        float(max(adjusted)),
        members_needed=needed,
        members_still_needed=max(needed - pair, 0) if reached else None,
        days_still_needed=math.ceil(max(needed - pair, 0) / per_day) if reached else None,
        difference=found[closest].difference,
        quarter_detectable=None if reached else smallest_detectable_difference(rival, round(quarter), share),
        comparisons=compared,
    )


MIN_TEXTS_TO_JUDGE = 30  # fewer texts than this: the interval spans most of the range, nothing to rank
NOT_RECORDED = "(not recorded)"  # texts written before their reason and line were recorded, or by hand


def booking_rate_by(outcomes: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per value of `column` (`lead_reason` or `line`) among the texts sent (variants only): texts, bookings of the
    invited event, the rate per text with its Wilson interval, and whether there are enough texts to judge (at least
    `MIN_TEXTS_TO_JUDGE`); ranked by rate among those that can be judged, then the rest by texts."""
    sent = outcomes[outcomes["sent"] & (outcomes["arm"] != HOLDOUT)]
    values = sent[column].fillna("").replace("", NOT_RECORDED)
    rows = []
    for value, texts in sent.groupby(values, sort=True):
        found = rate(int(texts["booked_invited_event"].sum()), len(texts))
        rows.append([value, found.members, found.bookings, found.rate, found.low, found.high])
    table = pd.DataFrame(rows, columns=[column, "texts", "bookings", "rate", "low", "high"])
    table["enough"] = table["texts"] >= MIN_TEXTS_TO_JUDGE
    ranked = table.assign(order=table["rate"].where(table["enough"], -1.0))
    return (
        ranked.sort_values(["order", "texts"], ascending=False, kind="stable")
        .drop(columns="order")
        .reset_index(drop=True)
    )


def booking_rate_per_text(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per campaign: texts sent (variants only) and the share that booked the invited event, with its Wilson
    interval; `invites_per_seat` = 1 / rate is the `CUCU_INVITES_PER_SEAT` that fills a seat on average."""
    sent = outcomes[outcomes["sent"] & (outcomes["arm"] != HOLDOUT)]
    rows = []
    for campaign, texts in sent.groupby("campaign", sort=True):
        found = arm_rate(texts, "booked_invited_event")
        per_seat = round(1 / found.rate, 1) if found.rate else None
        counts = dict(campaign=campaign, texts=found.members, bookings=found.bookings)
        rows.append(counts | dict(rate=found.rate, low=found.low, high=found.high, invites_per_seat=per_seat))
    return pd.DataFrame(rows, columns=["campaign", "texts", "bookings", "rate", "low", "high", "invites_per_seat"])
