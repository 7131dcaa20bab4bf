"""Drift figures from asset metadata, and what counts as drift against the median of the previous dates."""

from __future__ import annotations

import pytest

from cucu_pipeline.monitoring.drift import drift_figures, find_drift

WEEK = [
    {"qualified_members": members, "excluded_share_missing_occupation": 0.02, "excluded_share_cooldown": cooldown}
    for members, cooldown in [(800, 0.10), (812, 0.11), (790, 0.09), (805, 0.10), (820, 0.12), (798, 0.10), (810, 0.1)]
]


def test_an_ordinary_day_is_not_drift():
    today = {"qualified_members": 780, "excluded_share_missing_occupation": 0.03, "excluded_share_cooldown": 0.1}
    assert find_drift(today, WEEK) == []


def test_a_source_that_loses_a_field_is_flagged_by_its_reason_and_the_members_it_cost():
    today = {"qualified_members": 12, "excluded_share_missing_occupation": 0.97, "excluded_share_cooldown": 0.01}
    drifted = {found.figure: found for found in find_drift(today, WEEK)}
    assert set(drifted) == {"qualified_members", "excluded_share_missing_occupation"}
    assert drifted["qualified_members"].median == 805
    assert (
        drifted["excluded_share_missing_occupation"].describe()
    ) == "excluded_share_missing_occupation 0.97 against a median of 0.02"


@pytest.mark.parametrize(
    "today, drifts",
    [
        ({"fallback_share": 0.04}, False),  # under the 5-point floor
        ({"fallback_share": 0.30}, True),  # Claude falling back on a third of the texts
        ({"cost_per_text_usd": 0.0095}, False),
        ({"cost_per_text_usd": 0.0166}, True),  # every text two segments
        ({"matched_share": 0.55}, False),
        ({"matched_share": 0.20}, True),
        ({"rejected_share_invalid_email": 0.4}, True),  # a reason that never occurred, suddenly 40%
    ],
)
def test_each_figure_has_its_own_tolerance(today, drifts):
    history = [{"fallback_share": 0.01, "cost_per_text_usd": 0.0083, "matched_share": 0.6}] * 7
    assert bool(find_drift(today | {k: v for k, v in history[0].items() if k not in today}, history)) is drifts


def test_figures_come_from_the_metadata_every_asset_records():
    assert drift_figures("raw_users", {"loaded": 200, "rejected": 10, "rejected_invalid_email": 10}) == {
        "rejected_share_invalid_email": 0.05
    }
    qualified = drift_figures("qualified_users", {"dagster/row_count": 80, "loaded": 100, "excluded_cooldown": 20})
    assert qualified == {"qualified_members": 80, "excluded_share_cooldown": 0.2}
    assert drift_figures("event_matches", {"dagster/row_count": 80, "matched": 60}) == {"matched_share": 0.75}
    texts = {"status_ready": 90, "status_fallback": 10, "cost_per_1000_texts_usd": 8.3}
    assert drift_figures("matched_messages", texts) == {"fallback_share": 0.1, "cost_per_text_usd": 0.0083}
    assert drift_figures("raw_users", {"loaded": 0}) == {}
