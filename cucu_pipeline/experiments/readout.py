"""The experiment's readout from campaign outcomes: rates per arm, each variant's lift over the holdout, incremental
bookings and what they cost, and whether a variant wins (README: "Experiments").

The primary analysis is by assignment: every member of a variant against the holdout, sent or not, so texts the team
skipped in review bias nothing. The sent-only view (the variant's sent texts against the whole holdout) is reported
beside it. The primary outcome is a paid booking of any event; the invited event's booking is reported as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.statistics import ALPHA, Lift, Rate, lift, members_needed, rate

PRIMARY = "booked_any_event"
OUTCOMES = ("booked_invited_event", "booked_any_event")
BREAKDOWNS = (None, "campaign", "user_segment")
LIFT_COLUMNS = (
    "view outcome by group arm members bookings rate holdout_members holdout_rate lift lift_low lift_high "
    "relative_lift p_value test"
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
    return pd.DataFrame(rows, columns=LIFT_COLUMNS)


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
class Verdict:
    """The winning variant, or `None` ("no winner yet") with the members the observed difference still needs."""

    winner: str | None
    leader: str | None
    p_value: float | None  # Holm-adjusted, the largest of the leader's comparisons
    members_needed: int | None
    members_still_needed: int | None

    @property
    def text(self) -> str:
        if self.winner:
            return f"{self.winner} wins (adjusted p = {self.p_value:.3g})"
        if self.members_still_needed:
            return f"no winner yet: about {self.members_still_needed:,} more members for the observed difference"
        return "no winner yet: no difference observed to test"


def verdict(outcomes: pd.DataFrame, column: str = PRIMARY) -> Verdict:
    """The leading variant wins when its rate beats the holdout and every other variant, each significantly after
    Holm's correction for the comparisons made. Otherwise the sample size that the leader's closest comparison needs
    (5% significance, 80% power) says how far there is to go."""
    rates = {arm: arm_rate(outcomes[outcomes["arm"] == arm], column) for arm in sorted(set(outcomes["arm"]))}
    variants = [arm for arm in rates if arm != HOLDOUT]
    if not variants or HOLDOUT not in rates:
        return Verdict(None, None, None, None, None)
    leader = max(variants, key=lambda arm: (rates[arm].rate, arm))
    rivals = [arm for arm in rates if arm != leader]
    found = [lift(rates[leader], rates[rival]) for rival in rivals]
    if any(item is None for item in found):
        return Verdict(None, leader, None, None, None)
    from statsmodels.stats.multitest import multipletests  # imported where used: loading it takes ~0.5 s

    rejected, adjusted, _, _ = multipletests([item.p_value for item in found], alpha=ALPHA, method="holm")
    if all(rejected) and all(item.difference > 0 for item in found):
        return Verdict(leader, leader, float(max(adjusted)), None, None)
    closest = rivals[min(range(len(rivals)), key=lambda index: found[index].difference)]
    pair = rates[leader].members + rates[closest].members
    needed = members_needed(rates[leader], rates[closest], rates[closest].members / pair)
    still = None if needed is None else max(needed - pair, 0)
    return Verdict(None, leader, float(max(adjusted)), needed, still)


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
