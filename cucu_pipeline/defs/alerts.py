"""Alerts when a campaign does not go out: a failed run, a run whose blocking checks stopped publishing, and
today's texts not published by 10:00 Pacific (docs/production.md: "Alerts")."""

import datetime as dt
import os

import dagster as dg

from cucu_pipeline.clients.slack import AlertChannel
from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.defs.checks import OUTAGE_CHECKS
from cucu_pipeline.defs.schedules import schedule_running
from cucu_pipeline.monitoring.alerts import FailedCheck, RunFacts, alert_text

PUBLISHED = "published_messages"
DEADLINE = dt.time(10)  # Pacific: an hour after the schedule starts the day's run


def deadline_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DEADLINE, PACIFIC)


def pacific_now() -> dt.datetime:
    return dt.datetime.now(PACIFIC)


def on_time(first_published: dt.datetime | None, now: dt.datetime, deadline: dt.datetime) -> str | None:
    """Why the day's texts missed the deadline, or None: nothing is due before it; after it, the first
    publication must have come by it (a late one does not make the morning's run on time)."""
    if now < deadline:
        return None
    if first_published is None:
        return f"{PUBLISHED} for {deadline.date()} was not materialized by 10:00 Pacific"
    if first_published > deadline:
        return (
            f"{PUBLISHED} for {deadline.date()} was first materialized at {first_published:%H:%M} Pacific, after 10:00"
        )
    return None


@dg.asset_check(asset=PUBLISHED, name="published_by_deadline", blocking=False)
def published_by_deadline(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    """Today's texts are in Airtable by 10:00 Pacific: after 10:00, today's `published_messages` partition must have
    been materialized first at or before 10:00 (before 10:00 nothing is due yet)."""
    now = pacific_now()
    today = now.date().isoformat()
    first = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(PUBLISHED), asset_partitions=[today]), limit=1, ascending=True
    ).records
    published = dt.datetime.fromtimestamp(first[0].timestamp, PACIFIC) if first else None
    missed = on_time(published, now, deadline_of(now.date()))
    return dg.AssetCheckResult(
        passed=missed is None,
        severity=dg.AssetCheckSeverity.ERROR,
        description=missed,
        metadata={
            "campaign_date": today,
            "deadline": deadline_of(now.date()).isoformat(),
            "published": bool(first),
            "first_published": published.isoformat() if published else "",
        },
    )


ALERT_EVENTS = {
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}


def _events_by_type(instance: dg.DagsterInstance, run_id: str) -> dict[dg.DagsterEventType, list[dg.DagsterEvent]]:
    """The run's events an alert reads, from one read of its event log."""
    events: dict[dg.DagsterEventType, list[dg.DagsterEvent]] = {event_type: [] for event_type in ALERT_EVENTS}
    for record in instance.get_records_for_run(run_id, of_type=ALERT_EVENTS).records:
        event = record.event_log_entry.dagster_event
        events[event.event_type].append(event)
    return events


def _error_text(error) -> str:
    """The user's exception (not Dagster's wrapper around it) as `Class: message`."""
    root = error.cause or error
    return f"{root.cls_name}: {root.message.strip().split(': ', 1)[-1]}"


def _failed_check(evaluation) -> FailedCheck:
    # A hard rule's check counts the failing texts; an outage's, the texts something stood in for.
    counted = next(
        (
            evaluation.metadata[key]
            for key in ("failing_messages", *OUTAGE_CHECKS.values())
            if key in evaluation.metadata
        ),
        None,
    )
    return FailedCheck(
        asset=evaluation.asset_key.to_user_string(),
        check=evaluation.check_name,
        failing_members=None if counted is None else int(counted.value),
        description=evaluation.description or "",
    )


def run_facts(instance: dg.DagsterInstance, run: dg.DagsterRun) -> RunFacts:
    """What a finished run did, from its event log: steps that failed, assets planned but not materialized, ERROR
    checks that failed and the WARN checks that say Claude could not be reached (other WARN checks, such as drift,
    are for the UI only)."""
    events = _events_by_type(instance, run.run_id)
    failures = events[dg.DagsterEventType.STEP_FAILURE]
    planned = events[dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED]
    materialized = {e.asset_key for e in events[dg.DagsterEventType.ASSET_MATERIALIZATION]}
    evaluations = [
        event.event_specific_data
        for event in events[dg.DagsterEventType.ASSET_CHECK_EVALUATION]
        if not event.event_specific_data.passed
        and (
            event.event_specific_data.severity == dg.AssetCheckSeverity.ERROR
            or event.event_specific_data.check_name in OUTAGE_CHECKS
        )
    ]
    dates = [
        evaluation.metadata["campaign_date"].value
        for evaluation in evaluations
        if "campaign_date" in evaluation.metadata
    ]
    return RunFacts(
        run_id=run.run_id,
        campaign_date=run.tags.get("dagster/partition") or next(filter(None, dates), None),
        failed=run.status == dg.DagsterRunStatus.FAILURE,
        failed_steps={event.step_key: _error_text(event.step_failure_data.error) for event in failures},
        not_materialized=sorted({e.asset_key.to_user_string() for e in planned if e.asset_key not in materialized}),
        failed_checks=[_failed_check(evaluation) for evaluation in evaluations],
    )


@dg.run_failure_sensor(name="campaign_run_failed", default_status=dg.DefaultSensorStatus.RUNNING)
def campaign_run_failed(context: dg.RunFailureSensorContext, alerts: AlertChannel) -> None:
    """Every failed run of this code location: the date, the failed steps, what was not materialized."""
    alerts.post(alert_text(run_facts(context.instance, context.dagster_run)))


@dg.run_status_sensor(
    name="campaign_checks_failed", run_status=dg.DagsterRunStatus.SUCCESS, default_status=dg.DefaultSensorStatus.RUNNING
)
def campaign_checks_failed(context: dg.RunStatusSensorContext, alerts: AlertChannel) -> dg.SkipReason | None:
    """A run that finished while an ERROR check failed (a blocking check that stopped publishing, or the 10:00
    deadline missed) or Claude's writer or judge could not be reached."""
    facts = run_facts(context.instance, context.dagster_run)
    if not facts.failed_checks:
        return dg.SkipReason("no ERROR check failed")
    alerts.post(alert_text(facts))
    return None


def deadline_sensor(environ=os.environ) -> dg.SensorDefinition:
    """From 10:00 Pacific, once a day (run key `deadline:<date>`), runs `published_by_deadline`; a failure alerts
    through `campaign_checks_failed`. On with the daily schedule (`CUCU_SCHEDULE_RUNNING`): without the schedule
    nothing is expected by 10:00."""

    @dg.sensor(
        name="publishing_deadline_sensor",
        target=dg.AssetSelection.checks(published_by_deadline),
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.RUNNING if schedule_running(environ) else dg.DefaultSensorStatus.STOPPED,
    )
    def publishing_deadline_sensor(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        now = pacific_now()
        if now < deadline_of(now.date()):
            return dg.SkipReason(f"today's deadline is {deadline_of(now.date()).isoformat()}")
        return dg.RunRequest(run_key=f"deadline:{now.date().isoformat()}")

    return publishing_deadline_sensor
