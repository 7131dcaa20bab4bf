"""The weekly read's dates, its running lift, and its chart: a PNG that draws with data and without."""

from __future__ import annotations

import base64
import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.performance import chart, daily_series, markdown_image, pooled_dates
from cucu_pipeline_tests.experiments.test_readout import outcomes

DAY = dt.date(2026, 11, 13)


def test_the_28_dates_end_at_the_last_closed_one():
    assert CampaignRules().last_closed_date(dt.date(2026, 11, 21)) == DAY  # its window closed Nov 20 at 10:00
    assert CampaignRules(attribution_days=3).last_closed_date(dt.date(2026, 11, 21)) == dt.date(2026, 11, 17)
    dates = pooled_dates(DAY)
    assert (len(dates), dates[0], dates[-1]) == (28, dt.date(2026, 10, 17), DAY)


def test_the_series_counts_each_date_and_pools_the_lift_so_far():
    first = outcomes({HOLDOUT: (10, 0), "warm": (90, 9)}).assign(campaign_date=DAY - dt.timedelta(days=1))
    second = outcomes({HOLDOUT: (10, 1), "warm": (90, 27)}).assign(campaign_date=DAY)
    series = daily_series(pd.concat([first, second]), [DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1), DAY])
    assert series["members"].tolist() == [0, 100, 100] and series["texts_sent"].tolist() == [0, 90, 90]
    assert series["cost_usd"].tolist() == pytest.approx([0, 0.9, 0.9])
    assert pd.isna(series.loc[0, "lift_to_date"])  # nobody assigned yet
    assert series["lift_to_date"].tolist()[1:] == pytest.approx([0.1, 0.2 - 0.05])  # day 2 pools both days
    assert (series["lift_to_date_low"][1:] < series["lift_to_date"][1:]).all()


@pytest.mark.parametrize("with_members", [True, False])
def test_the_chart_is_a_png_inline_in_markdown(with_members):
    frame = outcomes({HOLDOUT: (10, 1), "warm": (90, 20)}).assign(campaign_date=DAY)
    png = chart(daily_series(frame if with_members else frame.iloc[0:0], pooled_dates(DAY)))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    image = markdown_image(png, "Texts")
    assert image.startswith("![Texts](data:image/png;base64,") and base64.b64decode(image[31:-1]) == png
