"""The readout from outcomes: rates per arm, lifts by view and breakdown, incremental bookings and their cost, the
verdict, the booking rate per text; and, over many simulated experiments, intervals that cover the truth about 95%
of the time."""

from __future__ import annotations

import gc
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from cucu_pipeline.experiments import readout, report
from cucu_pipeline.experiments.arms import HOLDOUT


def outcomes(counts: dict[str, tuple[int, int]], sent_share: float = 1.0, campaign: str = "Fill the Table"):
    """Members per arm with `booked` of them booking (any event, and the invited one); the first members are sent."""
    rows = []
    for arm, (members, booked) in counts.items():
        sent = round(members * sent_share) if arm != HOLDOUT else 0
        for number in range(members):
            rows.append(
                {"arm": arm, "campaign": campaign, "user_segment": "first_timer" if number % 2 else "dormant"}
                | {"sent": number < sent, "booked_invited_event": number < booked, "booked_any_event": number < booked}
                | {"opted_out": False, "cost_usd": 0.01 if number < sent else 0.0}
            )
    return pd.DataFrame(rows)


def test_arm_table_counts_and_intervals():
    arms = readout.arm_table(outcomes({HOLDOUT: (100, 5), "warm": (900, 90)}, sent_share=0.9)).set_index("arm")
    assert arms.loc["warm", ["members", "sent", "booked_any_event"]].tolist() == [900, 810, 90]
    assert arms.loc["warm", "booked_any_event_rate"] == 0.1
    assert arms.loc["warm", "booked_any_event_low"] < 0.1 < arms.loc["warm", "booked_any_event_high"]
    assert arms.loc["warm", "cost_usd"] == pytest.approx(8.1) and arms.loc[HOLDOUT, "cost_usd"] == 0
    markdown = report.arms_markdown(arms.reset_index())
    assert "| warm | 900 | 810 | 90 · 10.0% [" in markdown and markdown.count("\n") == 3


def test_lifts_by_assignment_and_sent_only_overall_and_by_group():
    frame = outcomes({HOLDOUT: (100, 5), "warm": (1000, 90)}, sent_share=0.5)
    lifts = readout.lift_table(frame)
    assigned = lifts.query("view == 'assigned' and by == 'all' and outcome == 'booked_any_event'").iloc[0]
    sent = lifts.query("view == 'sent' and by == 'all' and outcome == 'booked_any_event'").iloc[0]
    assert (assigned["members"], assigned["lift"]) == (1000, pytest.approx(0.04))
    assert (sent["members"], sent["lift"]) == (500, pytest.approx(0.13))  # the sent half holds every booking
    assert set(lifts["by"]) == {"all", "campaign", "user_segment"}
    assert set(lifts.query("by == 'user_segment'")["group"]) == {"first_timer", "dormant"}
    values = report.lift_metadata(lifts)
    assert values["lift_warm_any_event"] == 0.04 and values["sent_lift_warm_any_event"] == 0.13
    assert values["lift_warm_any_event_low"] < 0.04 < values["lift_warm_any_event_high"]
    assert "p_value_warm_invited_event" in values
    assert readout.lift_table(outcomes({"warm": (10, 1)})).empty  # no holdout, no lift


def test_incremental_bookings_and_their_cost():
    found = readout.incremental(outcomes({HOLDOUT: (1000, 50), "warm": (9000, 900)}))
    assert found.bookings == pytest.approx(450) and found.low < 450 < found.high
    assert found.cost_usd == pytest.approx(90) and found.cost_per_booking == pytest.approx(0.2)
    best, worst = found.cost_per_booking_range
    assert best < 0.2 < worst
    unclear = readout.incremental(outcomes({HOLDOUT: (20, 1), "warm": (180, 12)}))
    assert unclear.low < 0 and unclear.cost_per_booking_range[1] is None
    assert (
        "unbounded"
        in report.incremental_metadata(unclear, readout.verdict(outcomes({HOLDOUT: (5, 0)}), days=1))[
            "cost_per_incremental_booking"
        ]
    )
    assert readout.incremental(outcomes({HOLDOUT: (10, 0), "warm": (90, 0)})).cost_per_booking is None


def test_a_variant_wins_only_when_it_beats_the_holdout_and_every_other_variant():
    clear = readout.verdict(outcomes({HOLDOUT: (2000, 100), "warm": (9000, 900), "playful": (9000, 1350)}), days=28)
    assert clear.winner == "playful" and clear.p_value < 0.05 and "playful wins" in clear.text
    # 20,000 members in one day: a quarter at this pace reaches the sample the observed difference needs.
    close = readout.verdict(outcomes({HOLDOUT: (2000, 100), "warm": (9000, 900), "playful": (9000, 930)}), days=1)
    assert close.winner is None and close.leader == "playful"
    assert close.members_needed > 18000 and close.members_still_needed == close.members_needed - 18000
    assert close.days_still_needed == -(-close.members_still_needed // 18000)
    assert f"about {close.members_still_needed:,} more members (about {close.days_still_needed} more days" in close.text
    only = readout.verdict(outcomes({HOLDOUT: (50, 2), "warm": (450, 30)}), days=1)
    assert only.winner is None and only.members_still_needed > 0  # one variant: judged against the holdout alone
    assert readout.verdict(outcomes({"warm": (10, 1)}), days=1).winner is None
    same = readout.verdict(outcomes({HOLDOUT: (100, 0), "warm": (900, 0)}), days=1)
    assert same.text == "no winner yet: no difference observed to test"


def test_a_sample_no_quarter_reaches_is_called_not_detectable_with_the_smallest_lift_a_quarter_finds():
    """The same 20,000 members over 28 days: the difference needs far more members than 91 days bring."""
    close = readout.verdict(outcomes({HOLDOUT: (2000, 100), "warm": (9000, 900), "playful": (9000, 930)}), days=28)
    assert close.winner is None and close.members_still_needed is None and close.days_still_needed is None
    assert close.members_needed > 18000 * 91 / 28
    assert "not detectable at this size" in close.text and "more members" not in close.text
    assert close.difference == pytest.approx(0.0033, abs=1e-4) and close.difference < close.quarter_detectable < 0.05
    found = f"+{close.quarter_detectable * 100:.1f} points or more"
    assert f"the observed +0.3 points is too small for 91 days of campaigns, which would find {found}" in close.text
    values = report.incremental_metadata(readout.incremental(outcomes({HOLDOUT: (20, 1)})), close)
    assert "members_still_needed" not in values and values["smallest_lift_a_quarter_finds"] > 0


@pytest.mark.parametrize("baseline, members, share", [(0.05, 20000, 0.1), (0.1, 65000, 0.5), (0.01, 5000, 0.1)])
def test_the_smallest_detectable_lift_is_the_one_whose_sample_is_the_members_given(baseline, members, share):
    from cucu_pipeline.experiments.statistics import members_needed, rate, smallest_detectable_difference

    held = rate(round(baseline * 100000), 100000)
    difference = smallest_detectable_difference(held, members, share)
    treated = rate(round((baseline + difference) * 100000), 100000)
    assert members_needed(treated, held, share) == pytest.approx(members, rel=0.01)


def test_no_best_cost_beside_an_undefined_cost_per_incremental_booking():
    none_added = readout.incremental(outcomes({HOLDOUT: (100, 10), "warm": (900, 85)}))  # fewer bookings than held
    assert none_added.cost_per_booking is None and none_added.cost_per_booking_range[0] is not None
    values = report.incremental_metadata(none_added, readout.verdict(outcomes({HOLDOUT: (5, 0)}), days=1))
    assert values["cost_per_incremental_booking"].startswith("n/a")
    assert not {key for key in values if key.startswith("cost_per_incremental_booking_usd")}


def test_comparisons_by_segment_are_holm_adjusted_within_their_breakdown_and_labelled_exploratory():
    frame = pd.concat(
        [outcomes({HOLDOUT: (200, 10), "warm": (1800, 90 + 30 * n)}, campaign=f"Campaign {n}") for n in range(6)]
    )
    lifts = readout.lift_table(frame)
    by_campaign = lifts.query("by == 'campaign' and view == 'assigned' and outcome == 'booked_any_event'")
    from statsmodels.stats.multitest import multipletests

    assert by_campaign["p_adjusted"].tolist() == pytest.approx(multipletests(by_campaign["p_value"], method="holm")[1])
    assert (by_campaign["p_adjusted"] >= by_campaign["p_value"]).all()
    assert (by_campaign["p_adjusted"] > by_campaign["p_value"]).any()
    overall = lifts.query("by == 'all'")  # one variant: a family of one comparison is not adjusted
    assert overall["p_adjusted"].tolist() == pytest.approx(overall["p_value"].tolist())
    markdown = report.lifts_markdown(by_campaign)
    assert markdown.count("| campaign (exploratory) |") == 6 and markdown.endswith(report.EXPLORATORY)
    # Each comparison's p-value twice, each labelled: the comparison alone, and Holm-adjusted in its family.
    assert "| raw p | Holm-adjusted p (test) |" in markdown.splitlines()[0]
    first = by_campaign.iloc[0]
    assert f"| {first['p_value']:.3g} | {first['p_adjusted']:.3g} (" in markdown


def test_the_holm_adjustment_leaves_the_collector_as_it_found_it():
    # statsmodels collects the whole heap in its Holm branch; the readout freezes the heap around it, and must thaw
    # it again even when the adjustment fails, or every later collection in the run would skip those objects.
    frame = pd.concat([outcomes({HOLDOUT: (200, 10), "warm": (1800, 90)}, campaign=f"Campaign {n}") for n in range(3)])
    assert gc.get_freeze_count() == 0
    readout.lift_table(frame)
    assert gc.get_freeze_count() == 0
    broken = mock.patch("statsmodels.stats.multitest.multipletests", side_effect=RuntimeError("broken"))
    with broken, pytest.raises(RuntimeError):
        readout.lift_table(frame)
    assert gc.get_freeze_count() == 0


def test_every_holm_adjustment_runs_with_the_heap_frozen():
    """The verdict's correction too: an unfrozen one cost 1.5 s of a 100k-member run, collecting the whole heap."""
    from statsmodels.stats import multitest

    frozen, real = [], multitest.multipletests

    def watched(*args, **kwargs):
        frozen.append(gc.get_freeze_count() > 0)
        return real(*args, **kwargs)

    frame = pd.concat([outcomes({HOLDOUT: (200, 10), "warm": (1800, 90), "cool": (1800, 60)}, campaign="Campaign")])
    with mock.patch("statsmodels.stats.multitest.multipletests", watched):
        readout.lift_table(frame)
        readout.verdict(frame, days=28)
    assert len(frozen) >= 2 and all(frozen) and gc.get_freeze_count() == 0


def test_booking_rate_per_text_gives_the_invites_per_seat():
    frame = pd.concat(
        [
            outcomes({HOLDOUT: (10, 1), "warm": (100, 20)}, campaign="Fill the Table"),
            outcomes({"warm": (100, 10)}, sent_share=0.5, campaign="Return to Table"),
        ]
    )
    per_text = readout.booking_rate_per_text(frame).set_index("campaign")
    assert per_text.loc["Fill the Table", ["texts", "bookings", "invites_per_seat"]].tolist() == [100, 20, 5.0]
    assert per_text.loc["Return to Table", ["texts", "bookings", "invites_per_seat"]].tolist() == [50, 10, 5.0]
    assert "| Fill the Table | 100 | 20 | 20.0% [" in report.per_text_markdown(per_text.reset_index())


def simulated_lifts(true_treated: float, true_holdout: float, seeds: int):
    """Whole experiments (900 treated, 100 held out) through the readout's headline lift, one per seed."""
    rng = np.random.default_rng(7)
    frame = outcomes({HOLDOUT: (100, 0), "warm": (900, 0)})
    chance = np.where(frame["arm"] != HOLDOUT, true_treated, true_holdout)
    return [
        readout.incremental(frame.assign(booked_any_event=rng.random(len(frame)) < chance)).lift for _ in range(seeds)
    ]


def test_the_readout_covers_the_true_lift_about_95_percent_of_the_time():
    coverage = np.mean([found.low <= 0.10 <= found.high for found in simulated_lifts(0.15, 0.05, seeds=1000)])
    assert 0.93 <= coverage <= 0.97, coverage


def test_with_no_effect_the_readout_names_a_false_winner_about_5_percent_of_the_time():
    p_values = np.array([found.p_value for found in simulated_lifts(0.1, 0.1, seeds=1000)])
    assert 0.02 <= np.mean(p_values < 0.05) <= 0.07


def _texts(reason: str, line: str, texts: int, booked: int, arm: str = "warm", sent: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arm": arm,
            "sent": sent,
            "lead_reason": reason,
            "line": line,
            "booked_invited_event": [index < booked for index in range(texts)],
        }
    )


def test_reasons_and_lines_are_ranked_by_booking_rate_per_text_and_too_few_texts_are_said():
    pooled = pd.concat(
        [
            _texts("neighborhood", "fill-near-1", 40, 4),
            _texts("last_seats", "fill-seats-2", 40, 12, arm="playful"),
            _texts("holiday", "fill-holiday-1", 5, 4),  # the best rate, on five texts: not ranked above the others
            _texts("", "claude", 35, 7),  # a text written before reasons were recorded
            _texts("neighborhood", "fill-near-1", 100, 90, arm=HOLDOUT, sent=False),  # never sent: not counted
            _texts("last_seats", "fill-seats-2", 60, 60, sent=False),  # written, not sent by the team
        ],
        ignore_index=True,
    )
    table = readout.booking_rate_by(pooled, "lead_reason")
    assert table["lead_reason"].tolist() == ["last_seats", readout.NOT_RECORDED, "neighborhood", "holiday"]
    assert table["texts"].tolist() == [40, 35, 40, 5] and table["bookings"].tolist() == [12, 7, 4, 4]
    assert table["enough"].tolist() == [True, True, True, False]
    seats = table.iloc[0]
    assert seats["rate"] == pytest.approx(0.3) and seats["low"] < 0.3 < seats["high"]
    markdown = report.rate_by_markdown(table, "lead_reason", "reason led with")
    assert markdown.count("too few texts to judge") == 1 and "| holiday | 5 | 4 |" in markdown
    assert readout.booking_rate_by(pooled, "line")["line"].tolist()[0] == "fill-seats-2"
