"""When an event is, in words no one can misread on the day the text arrives (docs/writing.md: "Writing and checking").

Code, never a writer, computes the phrase from the campaign date and the event's Pacific start: "tonight at 7pm" or
"today at 11am" on the day, "tomorrow at 7pm", the weekday for 2 to 6 days ahead ("Friday at 7:30pm"), and the
weekday with month and day from a week ahead ("Sat Jun 21 at 11am"), when a bare weekday would name the wrong week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cucu_pipeline.core.dates import PACIFIC

EVENING_FROM = 17  # a same-day start from 5pm is "tonight"
DATED_FROM_DAYS = 7  # from a week ahead a weekday alone names the wrong week
BEFORE_START = dt.timedelta(hours=1)  # a same-day invitation must land at least this long before the event


def clock_time(start: dt.datetime) -> str:
    """`7pm` on the hour, `7:30pm` otherwise."""
    hour = start.hour % 12 or 12
    minutes = f":{start.minute:02d}" if start.minute else ""
    return f"{hour}{minutes}{'am' if start.hour < 12 else 'pm'}"


@dataclass(frozen=True)
class EventTime:
    """An event's start as the text states it, seen from a campaign date."""

    campaign_date: dt.date
    start: dt.datetime  # Pacific wall-clock time

    @property
    def days_ahead(self) -> int:
        return (self.start.date() - self.campaign_date).days

    @property
    def day(self) -> str:
        """`tonight`, `today`, `tomorrow`, `Friday` or `Sat Jun 21`."""
        days = self.days_ahead
        if days == 0:
            return "tonight" if self.start.hour >= EVENING_FROM else "today"
        if days == 1:
            return "tomorrow"
        if days < DATED_FROM_DAYS:
            return f"{self.start:%A}"
        return f"{self.start:%a %b} {self.start.day}"

    @property
    def phrase(self) -> str:
        """The day and the clock time: `tomorrow at 7pm`, `Sat Jun 21 at 11am`."""
        return f"{self.day} at {clock_time(self.start)}"


def event_time(campaign_date: dt.date, start: pd.Timestamp) -> EventTime:
    """`start` is a UTC instant; the text speaks Pacific wall-clock time."""
    return EventTime(campaign_date, start.tz_convert(PACIFIC).tz_localize(None).to_pydatetime())
