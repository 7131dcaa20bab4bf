"""The weekly read: the last 28 closed campaign dates pooled, day by day and drawn as one chart
(docs/experiments.md)."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pandas as pd

from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.readout import PRIMARY, arm_rate
from cucu_pipeline.experiments.statistics import lift

POOLED_DATES = 28
SERIES_COLUMNS = ["campaign_date", "members", "texts_sent", "cost_usd", "lift_to_date", "lift_to_date_low"] + [
    "lift_to_date_high"
]


def pooled_dates(last_closed: dt.date) -> list[dt.date]:
    """The `POOLED_DATES` campaign dates ending at the last closed one, oldest first."""
    return [last_closed - dt.timedelta(days=back) for back in reversed(range(POOLED_DATES))]


def final_stored(stored: dict[str, pd.DataFrame | None], dates: list[dt.date]) -> tuple[list[pd.DataFrame], list]:
    """Of the pooled dates, the stored `campaign_outcomes` (by partition key) counted after their window closed, and
    the dates still to count from the sources: not stored, or stored while their window was open (provisional). A
    stored date with no member is final: members are assigned when the texts are published."""
    final, missing = [], []
    for day in dates:
        outcomes = stored.get(day.isoformat())
        if outcomes is not None and bool(outcomes["window_closed"].all()):
            final.append(outcomes)
        else:
            missing.append(day)
    return final, missing


def daily_series(outcomes: pd.DataFrame, dates: list[dt.date]) -> pd.DataFrame:
    """Per date: members assigned, texts sent, what they cost, and the variants' lift over the holdout in bookings of
    any event pooled over the dates so far, with its interval (empty until both have members): one day's holdout is
    a handful of members, so the running estimate is the one worth watching."""
    rows = []
    for day in dates:
        members, so_far = outcomes[outcomes["campaign_date"] == day], outcomes[outcomes["campaign_date"] <= day]
        found = lift(
            arm_rate(so_far[so_far["arm"] != HOLDOUT], PRIMARY), arm_rate(so_far[so_far["arm"] == HOLDOUT], PRIMARY)
        )
        estimate = (found.difference, found.low, found.high) if found else (None, None, None)
        counts = (day, len(members), int(members["sent"].sum()), round(float(members["cost_usd"].sum()), 4))
        rows.append(dict(zip(SERIES_COLUMNS, (*counts, *estimate))))
    return pd.DataFrame(rows, columns=SERIES_COLUMNS).astype({column: float for column in SERIES_COLUMNS[3:]})


def chart(series: pd.DataFrame) -> bytes:
    """A PNG of three panels sharing the dates: texts sent, their cost, and the lift to date with its 95% interval
    (its last point is the pooled lift of all the dates)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported where used: only the weekly chart draws
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 7), dpi=90, layout="constrained")
    texts, cost, lifts = figure.subplots(3, 1, sharex=True)
    days = pd.to_datetime(series["campaign_date"])
    texts.bar(days, series["texts_sent"], color="#4C72B0")
    texts.set_ylabel("texts sent")
    cost.plot(days, series["cost_usd"], marker="o", color="#DD8452")
    cost.set_ylabel("cost (USD)")
    cost.set_ylim(bottom=0)
    measured = series.dropna(subset=["lift_to_date"])
    points = pd.to_datetime(measured["campaign_date"])
    lifts.fill_between(
        points, measured["lift_to_date_low"] * 100, measured["lift_to_date_high"] * 100, color="#55A868", alpha=0.2
    )
    lifts.plot(points, measured["lift_to_date"] * 100, marker="o", color="#55A868", label="lift to date, 95% interval")
    lifts.axhline(0, color="grey", linewidth=0.8)
    lifts.legend(loc="upper left")
    lifts.set_ylabel("booking lift (points)")
    figure.suptitle(f"Last {len(series)} closed campaign dates: texts, cost and booking lift over the holdout")
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def markdown_image(png: bytes, title: str) -> str:
    """The PNG inline in markdown metadata, as a data URI the asset page renders."""
    return f"![{title}](data:image/png;base64,{base64.b64encode(png).decode()})"
