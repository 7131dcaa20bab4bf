"""The experiment assets on the sample data: a date's outcomes reconcile with its Airtable records, re-running a
closed date gives the same numbers, an open window says it is provisional, and the weekly read pools 28 closed dates
with a chart."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import shutil

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.core.parquet import frame_to_table
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.defs.sources import read_orders, read_records, read_users
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.experiments.outcomes import campaign_outcomes as outcomes_of
from cucu_pipeline.experiments.performance import pooled_dates
from cucu_pipeline_tests.conftest import SAMPLE_RAW

pytestmark = pytest.mark.slow  # whole-graph runs over weeks of dates

CLOSED = "2026-10-01"
EXPERIMENT_ASSETS = ["campaign_outcomes", "campaign_performance"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("experiments")
    shutil.copytree(SAMPLE_RAW, path / "raw")
    return path


def materialize(data_dir, partition: str, selection=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ASSETS,
        selection=selection,
        resources=build_resources({"CUCU_DATA_DIR": str(data_dir)}),
        partition_key=partition,
        instance=dg.DagsterInstance.ephemeral(),
    )


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == asset]
    return {key: getattr(value, "value", value) for key, value in event.materialization.metadata.items()}


@pytest.fixture(scope="module")
def whole_graph(data_dir) -> dg.ExecuteInProcessResult:
    return materialize(data_dir, CLOSED)


def test_outcomes_reconcile_with_the_dates_airtable_records(whole_graph, data_dir):
    outcomes = whole_graph.output_for_node("campaign_outcomes")
    records = [r["fields"] for r in LocalMessageStore(data_dir=str(data_dir)).fetch_records()]
    assigned = {
        r["user_id"]: r["arm"]
        for r in records
        if r.get("campaign_date") == CLOSED and r.get("arm") and r.get("status") != "superseded"
    }
    published = whole_graph.output_for_node("published_messages")
    written = published[published["outcome"] != "skipped"]
    assert len(written) > 100 and set(written["user_id"]) <= set(assigned)  # the run's texts and holdouts are in
    assert dict(zip(outcomes["user_id"], outcomes["arm"])) == assigned
    assert not outcomes.loc[outcomes["arm"] == HOLDOUT, "sent"].any()
    values = metadata(whole_graph, "campaign_outcomes")
    assert values["provisional"] is False and values["window_closes"] == "2026-10-08T17:00:00Z"
    assert values["members"] == len(outcomes) == sum(v for k, v in values.items() if k.endswith("_members"))
    assert values["arms"].startswith("| arm | members |") and "| holdout |" in values["arms"]


def test_re_running_a_closed_date_gives_the_same_numbers(whole_graph, data_dir):
    again = materialize(data_dir, CLOSED, selection=["campaign_outcomes"])
    pd.testing.assert_frame_equal(
        again.output_for_node("campaign_outcomes"), whole_graph.output_for_node("campaign_outcomes")
    )
    first, second = metadata(whole_graph, "campaign_outcomes"), metadata(again, "campaign_outcomes")
    assert {k: v for k, v in first.items() if k != "path"} == {k: v for k, v in second.items() if k != "path"}


def test_an_open_window_is_provisional(data_dir):
    today = pd.Timestamp.now(tz="America/Los_Angeles").date().isoformat()
    values = metadata(materialize(data_dir, today, selection=["campaign_outcomes"]), "campaign_outcomes")
    assert values["provisional"] is True


def test_the_weekly_read_pools_the_last_28_closed_dates_with_a_chart(whole_graph):
    series = whole_graph.output_for_node("campaign_performance")
    values = metadata(whole_graph, "campaign_performance")
    assert (values["first_date"], values["last_date"]) == ("2026-08-27", "2026-09-23")  # closed before Oct 1
    assert len(series) == 28 and values["dates_with_members"] == 28 and series["texts_sent"].sum() > 250
    assert values["winner"] in ("no winner yet", "warm", "playful") and values["verdict"]
    assert values["incremental_bookings_low"] <= values["incremental_bookings"] <= values["incremental_bookings_high"]
    assert {f"invites_per_seat_{name}" for name in ("fill_the_table", "return_to_table", "seat_the_newcomer")} <= set(
        values
    )
    prefix = "![Texts, cost and lift by date](data:image/png;base64,"
    assert values["chart"].startswith(prefix)
    png = base64.b64decode(values["chart"][len(prefix) : -1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000


def test_the_weekly_read_leads_with_texts_against_the_holdout_then_names_each_comparison(whole_graph):
    values = metadata(whole_graph, "campaign_performance")
    page = values["read"].md_str if hasattr(values["read"], "md_str") else str(values["read"])
    first = page.split("\n")[0]
    assert first.startswith("Texts against the holdout: members in the texted arms booked an event at ")
    # The lift with its interval, in points, and the incremental bookings with theirs, as the sample gives them.
    assert re.search(r"the holdout at \d+\.\d%, [+-]\d+\.\d pts \[[+-]\d+\.\d, [+-]\d+\.\d\] \(95% CI", first)
    bookings = f"about {values['incremental_bookings']:,.0f} incremental bookings"
    assert bookings in first and "over 28 dates" in first
    comparisons = [line for line in page.split("\n") if line.startswith("- ")]
    assert comparisons
    assert all(" against " in line and "raw p " in line and "Holm-adjusted p " in line for line in comparisons)
    assert "Which copy: " in page and "dates" in page.split("Which copy: ")[1]
    # Which reasons and lines book: the sample's simulated campaigns predate the recording of both.
    for column in ("lead_reason", "line"):
        table = str(values[f"booking_rate_by_{column}"])
        assert table.splitlines()[0].endswith("| texts sent | booked | booking rate per text |  |")
        assert "(not recorded)" in table and values[f"{column}s_too_few_to_judge"] >= 0
    # What learning earned, under the lift over the holdout: the sample's texts per campaign and variant.
    learned = page.split("What learning earned: ")[1]
    assert page.index("Texts against the holdout") < page.index("What learning earned")
    assert "bookings of the invited event against the fixed split" in learned and "| P(best) |" in learned
    assert values["learning_bookings_gained_low"] <= values["learning_bookings_gained"]
    assert values["learning_bookings_gained"] <= values["learning_bookings_gained_high"]
    assert all(f"| {campaign} |" in learned for campaign in ("Fill the Table", "Return to Table", "Seat The Newcomer"))


def test_the_weekly_read_says_once_how_many_pooled_dates_it_counted_from_the_sources(data_dir):
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        ASSETS,
        selection=["campaign_performance"],
        resources=build_resources({"CUCU_DATA_DIR": str(data_dir)}),
        partition_key="2026-10-02",
        instance=instance,
    )
    logs = [entry for entry in instance.all_logs(result.run_id) if entry.user_message]
    assert not [entry for entry in logs if "Couldn't load partition" in entry.user_message]
    assert not [entry for entry in logs if entry.level >= logging.WARNING and entry.step_key]
    (said,) = [entry for entry in logs if "pooled dates" in entry.user_message]
    assert said.level == logging.INFO and "28 pooled dates" in said.user_message
    assert "counted from the sources" in said.user_message


def test_the_weekly_read_uses_the_stored_closed_dates_and_counts_only_the_others(whole_graph, data_dir):
    counted = whole_graph.output_for_node("campaign_performance")  # nothing stored: all 28 counted from the sources
    assert metadata(whole_graph, "campaign_performance")["dates_counted_from_sources"] == 28
    resources = build_resources({"CUCU_DATA_DIR": str(data_dir)})
    rules, mongo, airtable = resources["campaign_rules"], resources["mongo"], resources["airtable"]
    dates = pooled_dates(rules.last_closed_date(dt.date.fromisoformat(CLOSED)))
    storage = data_dir / "assets" / "campaign_outcomes"
    now = pd.Timestamp.now(tz="UTC")
    outcomes = outcomes_of(read_records(airtable), read_orders(mongo), read_users(mongo), dates, rules, now)
    for day in dates[1:]:  # what the schedule stored once each window closed; the first date stays open
        final = outcomes[outcomes["campaign_date"] == day]
        pq.write_table(frame_to_table(final.reset_index(drop=True)), storage / f"{day.isoformat()}.parquet")
    provisional = outcomes[outcomes["campaign_date"] == dates[0]].assign(window_closed=False, booked_any_event=False)
    pq.write_table(frame_to_table(provisional.reset_index(drop=True)), storage / f"{dates[0].isoformat()}.parquet")

    stored = materialize(data_dir, CLOSED, selection=["campaign_performance"])
    values = metadata(stored, "campaign_performance")
    assert (values["dates_stored"], values["dates_counted_from_sources"]) == (27, 1)  # the provisional one again
    pd.testing.assert_frame_equal(stored.output_for_node("campaign_performance"), counted)
