"""Arms: parsed from the environment, assigned by hash, stable under re-runs, the configured share per campaign."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.experiments.arms import HOLDOUT, Experiment, assign_arms, parse_experiment, unit_hash

DAY = dt.date(2025, 6, 15)


def members(count: int, campaigns=("Fill the Table", "Seat The Newcomer", "Return to Table")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [f"user_{n:05d}" for n in range(count)],
            "campaign": [campaigns[n % len(campaigns)] for n in range(count)],
        }
    )


def test_the_default_is_a_ten_percent_holdout_and_two_variants():
    experiment = parse_experiment(None, 10)
    assert experiment == Experiment("copy_styles", (("holdout", 0.1), ("warm", 0.45), ("playful", 0.45)))
    assert experiment.variants == ("warm", "playful")


@pytest.mark.parametrize(
    ("spec", "holdout", "arms"),
    [
        ("spring:a=3, b=1", 20, (("holdout", 0.2), ("a", 0.6), ("b", 0.2))),
        ("solo:only=1", 0, (("holdout", 0.0), ("only", 1.0))),
        ("x.y-z:v1=0.5,v2=0.5,v3=1", 50, (("holdout", 0.5), ("v1", 0.125), ("v2", 0.125), ("v3", 0.25))),
    ],
)
def test_experiments_from_the_environment(spec, holdout, arms):
    experiment = parse_experiment(spec, holdout)
    assert [arm for arm, _ in experiment.arms] == [arm for arm, _ in arms]
    assert [share for _, share in experiment.arms] == pytest.approx([share for _, share in arms])


@pytest.mark.parametrize(
    ("spec", "holdout", "message"),
    [
        ("no arms", 10, "must look like"),
        ("x:a=1,a=2", 10, "twice"),
        ("x:holdout=1", 10, "twice or as a variant"),
        ("x:a=0", 10, "positive weight"),
        ("x:a=1", 100, "HOLDOUT_PERCENT"),
        ("x:a=1", -1, "HOLDOUT_PERCENT"),
    ],
)
def test_a_wrong_experiment_stops_at_start_up_saying_what_is_wrong(spec, holdout, message):
    with pytest.raises(ValueError, match=message):
        parse_experiment(spec, holdout)


def test_the_hash_depends_on_experiment_member_and_date_only():
    assert unit_hash("e", "user_1", DAY) == unit_hash("e", "user_1", DAY)
    others = {
        unit_hash("f", "user_1", DAY),
        unit_hash("e", "user_2", DAY),
        unit_hash("e", "user_1", DAY.replace(day=16)),
    }
    assert unit_hash("e", "user_1", DAY) not in others and len(others) == 3
    assert all(0 <= value < 1 for value in others)


def test_every_campaign_gets_the_configured_shares_to_within_one_member():
    group = members(3000)
    arms = assign_arms(group, parse_experiment(None, 10), DAY)
    counts = pd.crosstab(group["campaign"], arms)
    assert counts.sum(axis=1).tolist() == [1000, 1000, 1000]
    assert (counts[HOLDOUT] == 100).all() and (counts["warm"] == 450).all() and (counts["playful"] == 450).all()
    small = assign_arms(members(7, ("Fill the Table",)), parse_experiment(None, 10), DAY).value_counts()
    assert small.sum() == 7 and small.get(HOLDOUT, 0) in (0, 1) and set(small.drop(HOLDOUT, errors="ignore")) <= {3, 4}


def test_in_small_campaigns_each_member_still_has_the_configured_chance():
    """Rounding each small campaign's share the same way would starve the holdout (10% of 3 members rounds to 0)."""
    experiment = parse_experiment(None, 10)
    days = [DAY + dt.timedelta(days=offset) for offset in range(1500)]
    arms = pd.concat([assign_arms(members(3, ("Fill the Table",)), experiment, day) for day in days])
    assert arms.value_counts(normalize=True)[HOLDOUT] == pytest.approx(0.10, abs=0.012)


def test_a_rerun_or_another_order_assigns_the_same_arms():
    group = members(500)
    experiment = parse_experiment(None, 10)
    first = assign_arms(group, experiment, DAY)
    shuffled = group.sample(frac=1, random_state=3)
    assert assign_arms(shuffled, experiment, DAY).sort_index().equals(first)
    assert not assign_arms(group, experiment, DAY.replace(day=16)).equals(first)  # a new date, a new draw
