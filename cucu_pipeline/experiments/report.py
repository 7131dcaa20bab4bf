"""The readout as a growth team reads it: numbers as plain metadata values (one per arm, variant and outcome) and
markdown tables with rates, intervals and p-values."""

from __future__ import annotations

import pandas as pd

from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.earned import Earned
from cucu_pipeline.experiments.readout import OUTCOMES, PRIMARY, QUARTER_DAYS, Incremental, Verdict

SHORT = {"booked_invited_event": "invited_event", "booked_any_event": "any_event"}


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _interval(estimate: float, low: float, high: float, points: bool = False) -> str:
    if points:
        return f"{estimate * 100:+.1f} pts [{low * 100:+.1f}, {high * 100:+.1f}]"
    return f"{_percent(estimate)} [{_percent(low)}, {_percent(high)}]"


def _table(header: str, alignment: str, rows: list[list[object]]) -> str:
    """A markdown table: the header's cells, their alignment (`l` or `r` each), one line per row of cells."""
    rule = "|".join("---:" if side == "r" else "---" for side in alignment)
    return "\n".join([f"| {header} |", f"|{rule}|", *(f"| {' | '.join(map(str, cells))} |" for cells in rows)])


def arms_markdown(arms: pd.DataFrame) -> str:
    """One row per arm: members, texts sent, each outcome's rate with its Wilson interval, opt-outs and cost."""
    if arms.empty:
        return "No members assigned."
    rows = [
        [row["arm"], row["members"], row["sent"]]
        + [
            f"{row[column]} · {_interval(row[f'{column}_rate'], row[f'{column}_low'], row[f'{column}_high'])}"
            for column in (*OUTCOMES, "opted_out")
        ]
        + [f"{row['cost_usd']:.2f}"]
        for row in arms.to_dict("records")
    ]
    header = "arm | members | sent | booked invited event | booked any event | opted out | cost (USD)"
    return _table(header, "lrrlllr", rows)


def allocation_markdown(table: pd.DataFrame) -> str:
    """One row per campaign and arm: texts and bookings counted, the posterior booking rate with its 95% interval,
    the probability the variant is best, and the share of the date's members it gets."""
    rows = [
        [row["campaign"], row["arm"]]
        + (
            ["", "", "", ""]
            if row["arm"] == HOLDOUT
            else [
                int(row["texts"]),
                int(row["bookings"]),
                _interval(row["posterior_mean"], row["posterior_low"], row["posterior_high"]),
                _percent(row["p_best"]),
            ]
        )
        + [_percent(row["share"])]
        for row in table.to_dict("records")
    ]
    header = "campaign | arm | texts | bookings | posterior booking rate | P(best) | share of the date"
    return _table(header, "llrrlrr", rows)


def earned_markdown(earned: Earned) -> str:
    """What learning earned, as the weekly read shows it under the lift over the holdout."""
    if earned.table.empty:
        return "What learning earned: no text of this experiment in these dates yet."
    rows = [
        [row["campaign"], row["arm"], row["texts"], _percent(row["text_share"]), row["bookings"]]
        + [_percent(row["booking_share"])]
        + [_interval(row["posterior_mean"], row["posterior_low"], row["posterior_high"]), _percent(row["p_best"])]
        for row in earned.table.to_dict("records")
    ]
    header = "campaign | arm | texts | share of texts | bookings | share of bookings | booking rate | P(best)"
    gained = (
        f"What learning earned: about {round(earned.gained):+,} bookings of the invited event against the fixed split "
        f"of the same texts [{round(earned.low):+,}, {round(earned.high):+,}] (an estimate from these rates, not an "
        "experiment; the lift over the holdout above is the measure)."
    )
    return "\n".join([gained, "", _table(header, "llrrrrlr", rows)])


EXPLORATORY = (
    "raw p: the comparison alone; Holm-adjusted p: within each breakdown. Rows by campaign or segment are exploratory:"
    " many comparisons at once, leads to test in their own experiment, not findings."
)


def lifts_markdown(lifts: pd.DataFrame) -> str:
    """Each variant against the holdout, one row per view, outcome and group; rows of a breakdown say exploratory."""
    if lifts.empty:
        return "No lift to show: an arm has no members."
    rows = [
        [row["by"] if row["by"] == "all" else f"{row['by']} (exploratory)", row["group"], row["view"]]
        + [SHORT[row["outcome"]], row["arm"], row["members"], _percent(row["rate"]), _percent(row["holdout_rate"])]
        + [_interval(row["lift"], row["lift_low"], row["lift_high"], points=True)]
        + ["n/a" if pd.isna(row["relative_lift"]) else f"{row['relative_lift']:+.0%}"]
        + [f"{row['p_value']:.3g}", f"{row['p_adjusted']:.3g} ({row['test']})"]
        for row in lifts.to_dict("records")
    ]
    header = (
        "by | group | view | outcome | arm | members | rate | holdout rate | lift [95% CI] | relative | raw p | "
        "Holm-adjusted p (test)"
    )
    return _table(header, "lllllrrrlrrl", rows) + "\n\n" + EXPLORATORY


def per_text_markdown(per_text: pd.DataFrame) -> str:
    """Per campaign: texts sent, invited-event bookings, the rate per text and the invites per seat it implies."""
    if per_text.empty:
        return "No texts sent in these dates."
    rows = [
        [row["campaign"], row["texts"], row["bookings"], _interval(row["rate"], row["low"], row["high"])]
        + [row["invites_per_seat"] or "n/a"]
        for row in per_text.to_dict("records")
    ]
    return _table("campaign | texts sent | booked | booking rate per text | invites per seat (1 / rate)", "lrrlr", rows)


def rate_by_markdown(table: pd.DataFrame, column: str, label: str) -> str:
    """Which reasons (or lines) book: texts sent, invited-event bookings and the rate per text with its interval,
    best first among those with enough texts; the others say so."""
    if table.empty:
        return "No texts sent in these dates."
    rows = [
        [row[column], row["texts"], row["bookings"], _interval(row["rate"], row["low"], row["high"])]
        + ["" if row["enough"] else "too few texts to judge"]
        for row in table.to_dict("records")
    ]
    return _table(f"{label} | texts sent | booked | booking rate per text | ", "lrrll", rows)


def lift_metadata(lifts: pd.DataFrame) -> dict[str, float]:
    """The overall lifts by assignment and sent-only, e.g. `lift_warm_any_event`, `lift_warm_any_event_low`,
    `p_value_warm_any_event` (raw) and `p_adjusted_warm_any_event` (Holm-adjusted within its family),
    `sent_lift_warm_any_event`."""
    overall = lifts[lifts["by"] == "all"]
    values: dict[str, float] = {}
    for row in overall.to_dict("records"):
        prefix = "" if row["view"] == "assigned" else "sent_"
        name = f"{row['arm']}_{SHORT[row['outcome']]}"
        values |= {f"{prefix}lift_{name}": round(row["lift"], 4), f"{prefix}p_value_{name}": round(row["p_value"], 4)}
        values |= {f"{prefix}p_adjusted_{name}": round(row["p_adjusted"], 4)}
        values |= {f"{prefix}lift_{name}_low": round(row["lift_low"], 4)}
        values |= {f"{prefix}lift_{name}_high": round(row["lift_high"], 4)}
    return values


def arm_metadata(arms: pd.DataFrame) -> dict[str, float | int]:
    """Per arm: members, texts sent, and each outcome's rate, e.g. `arm_holdout_any_event_rate`."""
    values: dict[str, float | int] = {}
    for row in arms.to_dict("records"):
        values |= {f"arm_{row['arm']}_members": int(row["members"]), f"arm_{row['arm']}_sent": int(row["sent"])}
        values |= {
            f"arm_{row['arm']}_{SHORT.get(column, column)}_rate": round(float(row[f"{column}_rate"]), 4)
            for column in (*OUTCOMES, "opted_out")
        }
    return values


def incremental_metadata(found: Incremental, verdict: Verdict) -> dict[str, object]:
    """Incremental bookings of any event with their interval, their cost, and the verdict."""
    best, worst = found.cost_per_booking_range
    return {
        "incremental_bookings": found.bookings,
        "incremental_bookings_low": found.low,
        "incremental_bookings_high": found.high,
        "cost_usd": found.cost_usd,
        # Dagster metadata floats must be numbers: an unbounded or undefined cost is left out, and the text says so.
        **({"cost_per_incremental_booking_usd": found.cost_per_booking} if found.cost_per_booking else {}),
        # Its interval's ends only beside a cost: never a "best" cost next to "n/a".
        **({"cost_per_incremental_booking_usd_best": best} if found.cost_per_booking and best else {}),
        **({"cost_per_incremental_booking_usd_worst": worst} if found.cost_per_booking and worst else {}),
        "cost_per_incremental_booking": _cost_text(found),
        "winner": verdict.winner or "no winner yet",
        "verdict": verdict.text,
        **({"members_still_needed": verdict.members_still_needed} if verdict.members_still_needed is not None else {}),
        **({"days_still_needed": verdict.days_still_needed} if verdict.days_still_needed is not None else {}),
        **(
            {"smallest_lift_a_quarter_finds": round(verdict.quarter_detectable, 4)}
            if verdict.quarter_detectable
            else {}
        ),
        "primary_outcome": PRIMARY,
    }


def _cost_text(found: Incremental) -> str:
    best, worst = found.cost_per_booking_range
    if found.cost_per_booking is None:
        return "n/a: no incremental bookings measured"
    return f"${found.cost_per_booking:,.2f} (95% CI ${best:,.2f} to {f'${worst:,.2f}' if worst else 'unbounded'})"


def _p(value: float) -> str:
    return f"{value:.2g}" if value >= 0.001 else "< 0.001"


def holdout_sentence(found: Incremental, dates: int) -> str:
    """The read's first sentence: members sent texts against the holdout, the lift with its interval, the bookings
    it adds and what each costs."""
    lift = found.lift
    if lift is None:
        return "Texts against the holdout: not measurable yet, an arm has no members."
    cost = f"at {_cost_text(found)} each" if found.cost_per_booking else "no cost per booking yet (none measured)"
    return (
        f"Texts against the holdout: members in the texted arms booked an event at {_percent(lift.treated.rate)}, "
        f"the holdout at {_percent(lift.holdout.rate)}, "
        f"{_interval(lift.difference, lift.low, lift.high, points=True)} (95% CI, raw p {_p(lift.p_value)}): about "
        f"{found.bookings:,.0f} incremental bookings [{found.low:,.0f}, {found.high:,.0f}] over {dates} dates, "
        f"{cost}."
    )


def weekly_read(found: Incremental, verdict: Verdict, dates: int) -> str:
    """The weekly read as one page (docs/experiments.md: "The weekly read"): texts against the holdout first, then
    the leading variant against each rival by name with its p-value raw and Holm-adjusted, then what more dates would
    detect."""
    lines = [holdout_sentence(found, dates), ""]
    for compared in verdict.comparisons:
        lift = compared.lift
        lines.append(
            f"- {compared.leader} against {compared.rival}: {_percent(lift.treated.rate)} against "
            f"{_percent(lift.holdout.rate)}, {_interval(lift.difference, lift.low, lift.high, points=True)} (raw p "
            f"{_p(lift.p_value)}, Holm-adjusted p {_p(compared.p_adjusted)} over {len(verdict.comparisons)} "
            "comparisons)"
        )
    lines += ["", f"Which copy: {_detectable(verdict, dates)}"]
    return "\n".join(lines)


def _detectable(verdict: Verdict, dates: int) -> str:
    """The variants' verdict in the words a growth lead plans with: how many more dates would tell."""
    if verdict.winner:
        return f"{verdict.winner} books more than every other arm (Holm-adjusted p {_p(verdict.p_value)})."
    if verdict.days_still_needed is not None and verdict.difference is not None:
        return (
            f"no winner yet. About {verdict.days_still_needed} more dates of campaigns at this pace would detect the "
            f"{verdict.difference * 100:+.1f} points {verdict.leader} leads by, if it is real."
        )
    if verdict.quarter_detectable is not None and verdict.difference is not None:
        return (
            f"no winner yet. {verdict.leader} leads by {verdict.difference * 100:+.1f} points, too little to tell: "
            f"a quarter of campaigns ({QUARTER_DAYS} dates) would detect {verdict.quarter_detectable * 100:.1f} points "
            f"or more; {dates} dates so far."
        )
    return "no winner yet: no difference between the variants to test."
