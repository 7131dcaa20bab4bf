"""Reference instants and Pacific calendar-day arithmetic."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.core.dates import age_on, days_before, iso_day, reference_instant


def test_reference_instant_is_the_send_hour_in_pacific_time_across_daylight_saving():
    assert reference_instant(dt.date(2024, 2, 10), 10) == pd.Timestamp("2024-02-10T18:00:00Z")  # PST
    assert reference_instant(dt.date(2024, 7, 4), 10) == pd.Timestamp("2024-07-04T17:00:00Z")  # PDT


@pytest.mark.parametrize(
    ("instant", "days"),
    [
        ("2024-02-06T03:00:00Z", 5),  # Feb 5, 7 pm Pacific
        ("2024-02-06T07:59:59Z", 5),  # still Feb 5 in Pacific
        ("2024-02-06T08:00:00Z", 4),  # Feb 6 Pacific midnight
        ("2024-02-10T17:00:00Z", 0),
        ("2024-02-11T03:00:00Z", 0),  # later the same Pacific day
        ("2024-02-12T03:00:00Z", -1),
    ],
)
def test_days_are_whole_pacific_calendar_days(instant, days):
    assert days_before(dt.date(2024, 2, 10), pd.Series(pd.to_datetime([instant], utc=True)))[0] == days


def test_unknown_instants_stay_unknown():
    series = pd.Series(pd.to_datetime(["2024-02-06T03:00:00Z", None], utc=True))
    assert days_before(dt.date(2024, 2, 10), series).isna().tolist() == [False, True]
    assert iso_day(series).tolist() == ["2024-02-05", None]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("1991-06-15T00:00:00Z", "2024-02-10", 32),
        ("1991-02-10T00:00:00Z", "2024-02-10", 33),  # birthday today (the UTC date is the birthday)
        ("1991-02-11T00:00:00Z", "2024-02-10", 32),
        ("2000-02-29T00:00:00Z", "2023-02-28", 22),
    ],
)
def test_age_on_the_campaign_date(born, on, age):
    assert age_on(pd.Series(pd.to_datetime([born], utc=True)), dt.date.fromisoformat(on))[0] == age
