"""Campaign dates, reference instants and Pacific calendar-day arithmetic.

Everything in the pipeline is computed *as of* a campaign date D: the reference instant is D at the send hour in
Pacific time. Day counts are whole calendar days between Pacific dates, so an event on the evening of Feb 5 is
5 days before Feb 10 even though it is Feb 6 in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

PACIFIC_TZ_NAME = "America/Los_Angeles"
PACIFIC = ZoneInfo(PACIFIC_TZ_NAME)


def utc_iso(instant: dt.datetime, timespec: str = "auto") -> str:
    """An instant as ISO 8601 text in UTC with a `Z`, as Airtable and MongoDB exports write it (a naive instant is
    taken to be UTC already)."""
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.UTC)
    return instant.isoformat(timespec=timespec).replace("+00:00", "Z")


def parse_campaign_date(partition_key: str) -> dt.date:
    return dt.date.fromisoformat(partition_key)


def reference_instant(campaign_date: dt.date, send_hour: int) -> pd.Timestamp:
    """The instant that separates history from the future for a campaign date, in UTC."""
    local = dt.datetime.combine(campaign_date, dt.time(hour=send_hour), tzinfo=PACIFIC)
    return pd.Timestamp(local).tz_convert("UTC")


def pacific_dates(instants: pd.Series) -> pd.Series:
    """UTC instants as naive midnights of their Pacific calendar day (NaT stays NaT)."""
    return instants.dt.tz_convert(PACIFIC).dt.tz_localize(None).dt.normalize()


def days_before(campaign_date: dt.date, instants: pd.Series) -> pd.Series:
    """Whole Pacific calendar days from each instant to the campaign date, as nullable integers."""
    delta = pd.Timestamp(campaign_date) - pacific_dates(instants)
    return delta.dt.days.astype("Int64")


def iso_day(instants: pd.Series) -> pd.Series:
    """Pacific calendar day as `YYYY-MM-DD` text (None where unknown)."""
    days = pacific_dates(instants).dt.strftime("%Y-%m-%d")
    return days.astype(object).where(instants.notna(), None)


MIN_AGE, MAX_AGE = 13, 110


def age_on(birth_days: pd.Series, campaign_date: dt.date) -> pd.Series:
    """Completed years of age on the campaign date.

    Birthdays are calendar dates stored at midnight UTC, so their UTC date is the birthday (converting them to
    Pacific would move every birthday to the day before).
    """
    born = birth_days.dt.tz_convert("UTC").dt.tz_localize(None)
    had_birthday = (born.dt.month < campaign_date.month) | (
        (born.dt.month == campaign_date.month) & (born.dt.day <= campaign_date.day)
    )
    years = campaign_date.year - born.dt.year - (~had_birthday).astype(int)
    # A birthday that makes a member younger than 13 or older than 110 is a typo (9999-12-31, 1900-01-01): unknown.
    return years.astype("Int64").where(born.notna() & years.between(MIN_AGE, MAX_AGE), pd.NA)
