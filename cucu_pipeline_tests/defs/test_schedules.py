"""The daily schedule requests *today's* campaign date, in Pacific time, and is stopped unless asked to run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from cucu_pipeline.definitions import build_defs

PACIFIC = ZoneInfo("America/Los_Angeles")


def requested_runs(environ: dict, tick: dt.datetime) -> list[tuple[str, list[str] | None]]:
    defs = build_defs(environ)
    schedule = defs.get_schedule_def("daily_campaign_schedule")
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def()) as context:
        return [
            (request.partition_key, request.asset_selection and [key.path[-1] for key in request.asset_selection])
            for request in schedule.evaluate_tick(context).run_requests
        ]


@pytest.mark.parametrize(
    "tick",
    [
        dt.datetime(2026, 11, 21, 9, 0, tzinfo=PACIFIC),
        dt.datetime(2026, 3, 8, 9, 0, tzinfo=PACIFIC),  # the morning clocks spring forward
        dt.datetime(2026, 11, 1, 9, 0, tzinfo=PACIFIC),  # and fall back
        dt.datetime(2027, 1, 1, 9, 0, tzinfo=PACIFIC),
    ],
)
def test_the_morning_tick_requests_that_same_day_and_the_outcomes_whose_window_just_closed(tick):
    closed = tick.date() - dt.timedelta(days=8)  # the 7-day window of that date closed yesterday at 10:00
    assert requested_runs({}, tick) == [(tick.date().isoformat(), None), (closed.isoformat(), ["campaign_outcomes"])]
    longer = requested_runs({"CUCU_ATTRIBUTION_DAYS": "14"}, tick)
    assert longer[1] == ((tick.date() - dt.timedelta(days=15)).isoformat(), ["campaign_outcomes"])


def test_a_tick_evaluated_twice_launches_each_run_once():
    defs = build_defs({})
    schedule = defs.get_schedule_def("daily_campaign_schedule")
    tick = dt.datetime(2026, 11, 21, 9, 0, tzinfo=PACIFIC)
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def()) as context:
        keys = [request.run_key for request in schedule.evaluate_tick(context).run_requests]
    assert keys == ["campaign:2026-11-21", "outcomes:2026-11-13"]


def test_hour_and_status_come_from_the_environment():
    schedule = build_defs({}).get_schedule_def("daily_campaign_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 9 * * *", "America/Los_Angeles")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    custom = build_defs({"CUCU_SCHEDULE_HOUR": "7", "CUCU_SCHEDULE_RUNNING": "1"}).get_schedule_def(
        "daily_campaign_schedule"
    )
    assert custom.cron_schedule == "0 7 * * *" and custom.default_status == dg.DefaultScheduleStatus.RUNNING


def test_the_job_covers_the_whole_graph():
    defs = build_defs({})
    job = defs.get_job_def("daily_campaign")
    assert {key.path[-1] for key in job.asset_layer.executable_asset_keys} >= {"raw_users", "published_messages"}
