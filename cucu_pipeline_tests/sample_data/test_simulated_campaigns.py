"""The sample data's past campaigns answer: read back through the outcomes and the readout, the estimated lifts
cover the generator's true lift about 95% of the time, and the whole simulated period finds the better variant."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.clients.mongo import JsonExportSource
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.defs.sources import read_orders, read_records, read_users
from cucu_pipeline.experiments import readout
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.outcomes import campaign_outcomes
from cucu_pipeline.experiments.performance import POOLED_DATES, pooled_dates
from cucu_pipeline.sample_data.campaigns import MEMBERS_PER_DAY, SIMULATED_FROM, SIMULATED_UNTIL, UPLIFT, true_lift
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # two years of simulated campaigns

AFTER_EVERYTHING = pd.Timestamp("2030-01-01", tz="UTC")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> pd.DataFrame:
    """The outcomes of every simulated date, from the bundled exports."""
    data_dir = tmp_path_factory.mktemp("sample")
    (data_dir / "raw").symlink_to(SAMPLE_RAW)
    mongo = JsonExportSource(data_dir=str(data_dir))
    records = read_records(LocalMessageStore(data_dir=str(data_dir)))
    days = [SIMULATED_FROM + dt.timedelta(days=n) for n in range((SIMULATED_UNTIL - SIMULATED_FROM).days + 1)]
    return campaign_outcomes(records, read_orders(mongo), read_users(mongo), days, CampaignRules(), AFTER_EVERYTHING)


def invited_lifts(outcomes: pd.DataFrame) -> pd.DataFrame:
    lifts = readout.lift_table(outcomes)
    return lifts.query("view == 'assigned' and by == 'all' and outcome == 'booked_invited_event'").set_index("arm")


def test_every_simulated_date_assigns_its_members_in_the_configured_shares(simulated):
    per_day = simulated.groupby("campaign_date").size()
    print(per_day.value_counts())
    assert per_day.min() >= MEMBERS_PER_DAY - 1 and per_day.max() == MEMBERS_PER_DAY
    shares = simulated["arm"].value_counts(normalize=True)
    assert shares[HOLDOUT] == pytest.approx(0.10, abs=0.01)
    assert shares["warm"] == pytest.approx(0.45, abs=0.02) and shares["playful"] == pytest.approx(0.45, abs=0.02)
    assert not simulated.loc[simulated["arm"] == HOLDOUT, "sent"].any()
    assert simulated.loc[simulated["arm"] != HOLDOUT, "sent"].mean() == pytest.approx(0.92, abs=0.01)


def test_28_day_reads_cover_the_true_lift_about_95_percent_of_the_time(simulated):
    covered = []
    for last in pd.date_range(SIMULATED_FROM + dt.timedelta(days=POOLED_DATES - 1), SIMULATED_UNTIL, freq="28D"):
        window = simulated[simulated["campaign_date"].isin(pooled_dates(last.date()))]
        for arm, row in invited_lifts(window).iterrows():
            covered.append(row["lift_low"] <= true_lift(window, arm) <= row["lift_high"])
    assert len(covered) >= 50
    assert 0.9 <= sum(covered) / len(covered) <= 1.0, sum(covered) / len(covered)


def test_the_whole_period_measures_each_variant_and_finds_the_better_one(simulated):
    lifts = invited_lifts(simulated)
    for arm in ("warm", "playful"):
        assert lifts.loc[arm, "lift_low"] <= true_lift(simulated, arm) <= lifts.loc[arm, "lift_high"]
        assert lifts.loc[arm, "lift_low"] > 0 and lifts.loc[arm, "p_value"] < 0.001
    assert all(UPLIFT[campaign]["playful"] > UPLIFT[campaign]["warm"] for campaign in UPLIFT)
    assert readout.verdict(simulated, simulated["campaign_date"].nunique(), "booked_invited_event").winner == "playful"
