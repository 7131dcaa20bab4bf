"""Holidays and occasions by date (`occasions.csv`: a fixed month and day, or the nth weekday of a month, -1 the
last)."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

from cucu_pipeline.campaign.reasons.tables import rows

_WEEKDAYS = tuple(calendar.day_name)


def _nth_weekday(year: int, month: int, weekday: int, week: int) -> dt.date:
    days = [day for day in calendar.Calendar().itermonthdates(year, month) if day.month == month]
    matching = [day for day in days if day.weekday() == weekday]
    return matching[week - 1] if week > 0 else matching[week]


@lru_cache(maxsize=64)
def occasions(year: int) -> dict[dt.date, str]:
    """Every occasion of `year` by its date."""
    found = {}
    for row in rows("occasions"):
        month = int(row["month"])
        if row["day"]:
            day = dt.date(year, month, int(row["day"]))
        else:
            day = _nth_weekday(year, month, _WEEKDAYS.index(row["weekday"]), int(row["week"]))
        found[day] = row["name"]
    return found


def occasion_on(day: dt.date) -> str | None:
    """The occasion that falls on `day`, or None."""
    return occasions(day.year).get(day)
