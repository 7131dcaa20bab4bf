"""The daily campaign: one job for the whole graph, and a morning schedule for *today's* campaign date and for the
outcomes of the date whose attribution window has just closed."""

import os

import dagster as dg

from cucu_pipeline.core.dates import PACIFIC, PACIFIC_TZ_NAME
from cucu_pipeline.defs.resources import campaign_rules

# The whole graph, partitioned by campaign date (inferred from the assets).
daily_campaign_job = dg.define_asset_job("daily_campaign", selection=dg.AssetSelection.all(), description=__doc__)


def schedule_running(environ=os.environ) -> bool:
    """`CUCU_SCHEDULE_RUNNING=1` turns the daily schedule (and the 10:00 deadline that follows it) on by default."""
    return environ.get("CUCU_SCHEDULE_RUNNING", "").lower() in ("1", "true", "yes")


def build_daily_schedule(environ=os.environ) -> dg.ScheduleDefinition:
    """Every morning at `CUCU_SCHEDULE_HOUR` (9:00) Pacific: the whole graph for that same day's partition (the
    partitions end a day ahead, so the latest one is today), and `campaign_outcomes` for the latest date whose
    attribution window closed before the day began (`CUCU_ATTRIBUTION_DAYS` + 1 days back). Each run has a run key,
    so a tick evaluated twice launches nothing new. Stopped by default: a fresh clone never queues texts on its own;
    turn it on in the UI, or set `CUCU_SCHEDULE_RUNNING=1` where it should run."""
    running = schedule_running(environ)
    rules = campaign_rules(environ)

    @dg.schedule(
        name="daily_campaign_schedule",
        job=daily_campaign_job,
        cron_schedule=f"0 {int(environ.get('CUCU_SCHEDULE_HOUR', 9))} * * *",
        execution_timezone=PACIFIC_TZ_NAME,
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
    )
    def daily_campaign_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.astimezone(PACIFIC).date()
        closed = rules.last_closed_date(today)
        return [
            dg.RunRequest(run_key=f"campaign:{today.isoformat()}", partition_key=today.isoformat()),
            dg.RunRequest(
                run_key=f"outcomes:{closed.isoformat()}",
                partition_key=closed.isoformat(),
                asset_selection=[dg.AssetKey("campaign_outcomes")],
            ),
        ]

    return daily_campaign_schedule
