"""The split learns on the sample data (docs/experiments.md: "Allocation that learns"): six weekly dates with the
playful texts of Fill the Table planted to book at 25% and every other text at 10%. The better arm ends with most of
its campaign's texts, every variant keeps its floor and every holdout its share on every date (the two campaigns
planted equal chase noise no further than the floor), learning books more than the fixed split on the same members,
and a date re-run after the later dates reproduces its arms."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.definitions import build_assets
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.learning import CAMPAIGNS
from cucu_pipeline.sample_data.learning_run import EXPERIMENT, run_learning
from cucu_pipeline.sample_data.weeks import prepare_data_dir, saturdays
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # twelve campaign runs over six weeks

DATES = saturdays(dt.date(2026, 6, 6), 6)
PLANTED = {("Fill the Table", "playful"): 0.25, ("Fill the Table", "warm"): 0.10}
FLOOR, HOLDOUT_SHARE = 0.1, 0.1


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    found = {}
    for learning in (True, False):
        folder = tmp_path_factory.mktemp(f"learning_{learning}")
        prepare_data_dir(SAMPLE_RAW, folder, DATES[0], build_resources({})["campaign_rules"])
        found[learning] = (folder, run_learning(folder, DATES, PLANTED, base_rate=0.1, learning=learning))
    return found


def test_the_better_arm_gets_most_of_its_campaigns_texts_within_six_weeks(runs):
    shares = runs[True][1].variant_shares("Fill the Table")
    assert shares["playful"].iloc[-1] >= 0.7
    assert shares["playful"].iloc[0] == pytest.approx(0.5, abs=0.02)  # nothing known yet: an even split


def test_every_variant_keeps_its_floor_and_every_holdout_its_share(runs):
    run = runs[True][1]
    for day in map(str, DATES):
        allocation = run.allocations[day]
        variants = allocation[allocation["arm"] != HOLDOUT]
        assert (variants["share"] >= (1 - HOLDOUT_SHARE) * FLOOR - 1e-9).all()
        assigned = run.assigned[day].pivot(index="campaign", columns="arm", values="members").fillna(0)
        for _, members in assigned.iterrows():
            total, texted = members.sum(), members.drop(HOLDOUT).sum()
            assert abs(members[HOLDOUT] - HOLDOUT_SHARE * total) <= 1  # systematic sampling: within one member
            assert (members.drop(HOLDOUT) >= FLOOR * texted - 1).all()
    for campaign in CAMPAIGNS:
        held = sum(
            counts.loc[(counts["campaign"] == campaign) & (counts["arm"] == HOLDOUT), "members"].sum()
            for counts in run.assigned.values()
        )
        everyone = sum(counts.loc[counts["campaign"] == campaign, "members"].sum() for counts in run.assigned.values())
        assert held / everyone == pytest.approx(HOLDOUT_SHARE, abs=0.01)


def test_learning_books_more_than_the_fixed_split(runs):
    learned, fixed = runs[True][1], runs[False][1]
    assert learned.total_bookings() > fixed.total_bookings()
    fixed_shares = fixed.variant_shares("Fill the Table")
    assert (fixed_shares["playful"] - 0.5).abs().max() <= 0.02  # learning off: the configured split throughout
    assert not any(table["learning"].any() for table in fixed.allocations.values())


def test_a_date_rerun_after_the_later_dates_assigns_the_same_arms(runs):
    folder, run = runs[True]
    environ = {"CUCU_DATA_DIR": str(folder), "CUCU_EXPERIMENT": f"{EXPERIMENT}:warm=1,playful=1"}
    day = DATES[2].isoformat()  # the first date that learned: its allocation reads the first date's outcomes
    stored = pd.read_parquet(folder / "assets" / "matched_messages" / f"{day}.parquet")
    result = dg.materialize(
        build_assets(environ),
        selection=["arm_allocation", "matched_messages"],
        resources=build_resources(environ),
        partition_key=day,
    )
    assert result.success
    pd.testing.assert_frame_equal(result.output_for_node("arm_allocation"), run.allocations[day])
    again = result.output_for_node("matched_messages")
    assert again[["user_id", "arm"]].equals(stored[["user_id", "arm"]])
