"""The allocation that learns: P(best) by quadrature agrees with Thompson draws, every variant keeps its floor, the
holdout its share, a clear winner gets most texts, equal evidence an even split, learning off the configured split;
and a date reads no outcome it could not have known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.experiments import readout
from cucu_pipeline.experiments.arms import HOLDOUT, assign_arms, parse_experiment
from cucu_pipeline.experiments.earned import what_learning_earned
from cucu_pipeline.experiments.learning import (
    CAMPAIGNS,
    allocation,
    allocation_as_of,
    campaign_shares,
    learned_shares,
    probability_best,
)
from cucu_pipeline_tests.conftest import member, tables
from cucu_pipeline_tests.experiments.test_outcomes import order, record

EXPERIMENT = parse_experiment(None, 10)  # warm and playful at 45% each, the holdout 10%


def outcomes(rates: dict[str, tuple[int, int]], campaign: str = "Fill the Table") -> pd.DataFrame:
    """Closed outcomes with these (texts, bookings) per variant, and a holdout that never counts."""
    closed = {"campaign": campaign, "experiment": "copy_styles", "window_closed": True}
    rows = [
        {**closed, "arm": arm, "sent": True, "booked_invited_event": n < booked}
        for arm, (texts, booked) in rates.items()
        for n in range(texts)
    ]
    rows.append({**closed, "arm": HOLDOUT, "sent": False, "booked_invited_event": True})
    # Another experiment's texts, booked or not, teach this one nothing.
    rows += [{**closed, "experiment": "subject_lines", "arm": "warm", "sent": True, "booked_invited_event": True}] * 50
    return pd.DataFrame(rows)


def test_probability_best_agrees_with_thompson_draws():
    bookings, texts = np.array([12, 20, 15]), np.array([100, 110, 90])
    exact = probability_best(bookings, texts)
    draws = np.random.default_rng(7).beta(1 + bookings, 1 + texts - bookings, size=(200_000, 3))
    drawn = np.bincount(draws.argmax(axis=1), minlength=3) / len(draws)
    assert exact.sum() == pytest.approx(1) and exact == pytest.approx(drawn, abs=0.005)
    assert probability_best(np.array([3, 3]), np.array([40, 40])).tolist() == [0.5, 0.5]
    assert probability_best(np.array([250, 100]), np.array([1000, 1000]))[0] > 0.9999  # narrow posteriors


def test_every_variant_keeps_its_floor():
    assert learned_shares(np.array([1.0, 0.0])).tolist() == pytest.approx([0.9, 0.1])
    assert learned_shares(np.array([1.0, 0.0, 0.0]), floor=0.2).tolist() == pytest.approx([0.6, 0.2, 0.2])
    assert learned_shares(np.array([0.5, 0.5]), floor=0.9).tolist() == [0.5, 0.5]  # a floor above 1/k is 1/k


def test_a_clear_winner_gets_most_texts_and_the_holdout_keeps_its_share():
    table = allocation(outcomes({"warm": (60, 6), "playful": (60, 15)}), EXPERIMENT).set_index(["campaign", "arm"])
    fill = table.loc["Fill the Table"]
    assert fill.loc[HOLDOUT, "share"] == pytest.approx(0.1)
    assert fill.loc["playful", "share"] / 0.9 >= 0.7 and fill.loc["warm", "share"] / 0.9 >= 0.1 - 1e-12
    assert fill.loc["playful", "p_best"] > 0.95 and (fill.loc["playful", "texts"], fill.loc["playful", "bookings"]) == (
        60,
        15,
    )
    assert fill.loc["warm", "posterior_low"] < fill.loc["warm", "posterior_mean"] < fill.loc["warm", "posterior_high"]
    for campaign in CAMPAIGNS:  # every campaign's shares sum to one; one with no outcome splits evenly
        assert table.loc[campaign, "share"].sum() == pytest.approx(1)
    assert table.loc["Seat The Newcomer", "share"].tolist() == pytest.approx([0.1, 0.45, 0.45])


def test_learning_off_keeps_the_configured_split_and_shows_the_posteriors():
    experiment = parse_experiment("copy_styles:warm=3,playful=1", 20)
    table = allocation(outcomes({"warm": (60, 6), "playful": (60, 15)}), experiment, learning=False)
    fill = table[table["campaign"] == "Fill the Table"].set_index("arm")
    assert fill["share"].tolist() == pytest.approx([0.2, 0.6, 0.2]) and not fill["learning"].any()
    assert fill.loc["playful", "p_best"] > 0.95


def test_equal_rates_keep_every_floor_whatever_the_noise():
    rng = np.random.default_rng(11)
    for _ in range(50):
        booked = rng.binomial(40, 0.12, size=2)
        table = allocation(outcomes({"warm": (40, booked[0]), "playful": (40, booked[1])}), EXPERIMENT)
        variants = table[(table["campaign"] == "Fill the Table") & (table["arm"] != HOLDOUT)]
        assert (variants["share"] >= 0.9 * 0.1 - 1e-12).all()


def test_assignment_follows_each_campaigns_shares():
    members = pd.DataFrame(
        {"user_id": [f"u{n}" for n in range(2000)], "campaign": ["Fill the Table", "Return to Table"] * 1000}
    )
    shares = {"Fill the Table": ((HOLDOUT, 0.1), ("warm", 0.09), ("playful", 0.81))}
    arms = assign_arms(members, EXPERIMENT, dt.date(2026, 6, 6), shares)
    fill = arms[members["campaign"] == "Fill the Table"].value_counts()
    assert (fill[HOLDOUT], fill["warm"], fill["playful"]) == (100, 90, 810)
    other = arms[members["campaign"] == "Return to Table"].value_counts()  # not in `shares`: the experiment's split
    assert (other[HOLDOUT], other["warm"], other["playful"]) == (100, 450, 450)
    table = allocation(outcomes({"warm": (60, 6), "playful": (60, 15)}), EXPERIMENT)
    assert [arm for arm, _ in campaign_shares(table, EXPERIMENT)["Fill the Table"]] == [HOLDOUT, "warm", "playful"]


TODAY = dt.date(2026, 11, 12)  # the last date whose window closed before it began is Nov 4; Nov 2 is pooled


def as_of(extra_orders: list[dict], day: dt.date = TODAY) -> pd.DataFrame:
    """The allocation of `day`: on Nov 2, four playful texts of which three booked the invited event and four warm
    texts of which none did; on Nov 10 (window still open on Nov 12) four warm texts that all booked."""
    records = [record(f"u{n}", "playful", "sent") for n in (1, 2, 3, 4)]
    records += [record(f"u{n}", "warm", "sent") for n in (5, 6, 7, 8)]
    late = dt.date(2026, 11, 10)
    records += [record(f"u{n}", "warm", "sent", day=late, created="2026-11-10T18:00:00.000Z") for n in (5, 6, 7, 8)]
    orders = [order(f"u{n}", "event_a", "2026-11-03T18:00:00Z") for n in (1, 2, 3)]
    orders += [order(f"u{n}", "event_a", "2026-11-11T18:00:00Z") for n in (5, 6, 7, 8)]
    users = [member(f"u{number}", "Ann", f"Lee{number}") for number in range(1, 9)]
    frames = tables({"users": users, "events": [], "orders": orders + extra_orders, "messages": records})
    return allocation_as_of(frames["messages"], frames["orders"], frames["users"], day, CampaignRules())


def test_a_date_reads_no_outcome_it_could_not_have_known():
    before = as_of([])
    fill = before[before["campaign"] == "Fill the Table"].set_index("arm")
    # Nov 10's window is open on Nov 12: its four warm bookings count for nothing yet.
    assert (fill.loc["playful", "texts"], fill.loc["playful", "bookings"]) == (4, 3)
    assert (fill.loc["warm", "texts"], fill.loc["warm", "bookings"]) == (4, 0)
    # Bookings made after Nov 12's reference instant change nothing Nov 12 decided: one inside Nov 10's window, one a
    # minute after the instant.
    after = as_of([order("u1", "event_b", "2026-11-15T18:00:00Z"), order("u4", "event_a", "2026-11-12T18:01:00Z")])
    pd.testing.assert_frame_equal(before, after)
    # The same booking inside Nov 2's window counts.
    inside = as_of([order("u6", "event_a", "2026-11-04T18:00:00Z")])
    assert inside.set_index(["campaign", "arm"]).loc[("Fill the Table", "warm"), "bookings"] == 1
    assert as_of([], day=TODAY).equals(before)  # a re-run: the same allocation


def test_what_learning_earned_counts_the_texts_moved_at_their_rates():
    rows = outcomes({"warm": (20, 2), "playful": (80, 20)})
    earned = what_learning_earned(rows, EXPERIMENT)
    fill = earned.table.set_index("arm")
    assert fill["text_share"].to_dict() == pytest.approx({"warm": 0.2, "playful": 0.8})
    assert fill["booking_share"].to_dict() == pytest.approx({"warm": 2 / 22, "playful": 20 / 22})
    # 30 texts moved from warm to playful (the fixed split is 50 each), at their posterior means 3/22 and 21/82.
    assert earned.gained == pytest.approx(30 * 21 / 82 - 30 * 3 / 22)
    assert earned.low < earned.gained < earned.high and fill.loc["playful", "p_best"] > 0.9
    even = what_learning_earned(outcomes({"warm": (50, 5), "playful": (50, 12)}), EXPERIMENT)
    assert (even.gained, even.low, even.high) == (0.0, 0.0, 0.0)  # the fixed split itself gains nothing


def learned_experiment(rng: np.random.Generator, dates: int = 4, members: int = 300) -> tuple[pd.DataFrame, float]:
    """One experiment of `dates` dates in one campaign whose split learns from the dates before (playful books at
    20%, warm at 12%, the holdout at 5%): its outcomes, and the true lift of the texted members over the holdout as
    their arms fell."""
    chance = {"warm": 0.12, "playful": 0.20, HOLDOUT: 0.05}
    found = []
    for date in range(dates):
        shares = campaign_shares(allocation(pd.concat(found), EXPERIMENT), EXPERIMENT) if found else None
        day = dt.date(2026, 6, 6) + dt.timedelta(weeks=date)
        frame = pd.DataFrame({"user_id": [f"m{date}:{n}" for n in range(members)], "campaign": "Fill the Table"})
        frame["arm"] = assign_arms(frame, EXPERIMENT, day, shares).to_numpy()
        booked = rng.random(members) < frame["arm"].map(chance).to_numpy()
        found.append(
            frame.assign(
                experiment="copy_styles",
                sent=frame["arm"] != HOLDOUT,
                window_closed=True,
                booked_invited_event=booked,
                booked_any_event=booked,
                cost_usd=0.0,
            )
        )
    outcomes = pd.concat(found, ignore_index=True)
    texted = outcomes[outcomes["arm"] != HOLDOUT]
    return outcomes, float(texted["arm"].map(chance).mean()) - chance[HOLDOUT]


@pytest.mark.slow  # 400 experiments of four learning dates
def test_the_lift_over_the_holdout_keeps_its_coverage_with_learning_on():
    rng = np.random.default_rng(3)
    covered, moved = [], []
    for _ in range(400):
        outcomes, true_lift = learned_experiment(rng)
        lift = readout.incremental(outcomes).lift
        covered.append(lift.low <= true_lift <= lift.high)
        moved.append((outcomes["arm"] == "playful").mean())
    assert 0.92 <= np.mean(covered) <= 0.98, np.mean(covered)
    assert np.mean(moved) > 0.5  # the split did learn: playful got most texts
