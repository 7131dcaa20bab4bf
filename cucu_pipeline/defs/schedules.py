"""The daily campaign: one job for the whole graph and a morning schedule for *today's* campaign date."""

import os

import dagster as dg

# The whole graph, partitioned by campaign date (inferred from the assets).
daily_campaign_job = dg.define_asset_job("daily_campaign", selection=dg.AssetSelection.all(), description=__doc__)


def build_daily_schedule(environ=os.environ) -> dg.ScheduleDefinition:
    """Every morning at `CUCU_SCHEDULE_HOUR` (9:00) Pacific, for that same day's partition (the partitions end a day
    ahead, so the latest one is today). Stopped by default: a fresh clone never queues texts on its own; turn it on in
    the UI, or set `CUCU_SCHEDULE_RUNNING=1` where it should run."""
    running = environ.get("CUCU_SCHEDULE_RUNNING", "").lower() in ("1", "true", "yes")
    return dg.build_schedule_from_partitioned_job(
        daily_campaign_job,
        name="daily_campaign_schedule",
        hour_of_day=int(environ.get("CUCU_SCHEDULE_HOUR", 9)),
        minute_of_hour=0,
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
    )
