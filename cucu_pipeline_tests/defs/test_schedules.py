"""The daily schedule requests *today's* campaign date, in Pacific time, and is stopped unless asked to run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from cucu_pipeline.definitions import build_defs

PACIFIC = ZoneInfo("America/Los_Angeles")


def requested_partitions(environ: dict, tick: dt.datetime) -> list[str]:
    schedule = build_defs(environ).get_schedule_def("daily_campaign_schedule")
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        return [request.partition_key for request in schedule.evaluate_tick(context).run_requests]


@pytest.mark.parametrize(
    "tick",
    [
        dt.datetime(2026, 11, 21, 9, 0, tzinfo=PACIFIC),
        dt.datetime(2026, 3, 8, 9, 0, tzinfo=PACIFIC),  # the morning clocks spring forward
        dt.datetime(2026, 11, 1, 9, 0, tzinfo=PACIFIC),  # and fall back
        dt.datetime(2027, 1, 1, 9, 0, tzinfo=PACIFIC),
    ],
)
def test_the_morning_tick_requests_that_same_day(tick):
    assert requested_partitions({}, tick) == [tick.date().isoformat()]


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
