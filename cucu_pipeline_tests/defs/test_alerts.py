"""Alerts reach the team's Slack channel (a fake Slack Web API on 127.0.0.1) when a campaign does not go out: a failed
run, a blocking check that stopped publishing, the 10:00 deadline missed. Nothing is posted for a clean run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import dagster as dg
import pytest

from cucu_pipeline.campaign.matching import matches as matching
from cucu_pipeline.clients.claude import TemplateWriter
from cucu_pipeline.clients.slack import LoggedAlerts, SlackAlerts
from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs import alerts
from cucu_pipeline.defs.resources import MissingConfiguration, build_resources
from cucu_pipeline_tests.fakes.slack import TOKEN, fake_slack

pytestmark = pytest.mark.slow  # whole-graph runs with the alert sensors

DATE = "2026-02-10"
UNMASKED_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}|\+1\d{10}|\(\d{3}\) \d{3}-\d{4}")


@pytest.fixture
def slack():
    with fake_slack() as (url, posts):
        yield SlackAlerts(token=TOKEN, channel="#campaigns", api_url=url), posts


def materialize(data_dir, instance: dg.DagsterInstance, selection=ASSETS) -> dg.DagsterRun:
    result = dg.materialize(
        selection,
        resources=build_resources({"CUCU_DATA_DIR": str(data_dir)}),
        partition_key=DATE,
        instance=instance,
        raise_on_error=False,
    )
    return instance.get_run_by_id(result.run_id)


def evaluate(sensor, instance: dg.DagsterInstance, run: dg.DagsterRun, channel) -> object:
    """The sensor as the daemon runs it once the run has ended."""
    event_type = dg.DagsterEventType.RUN_FAILURE if run.is_failure else dg.DagsterEventType.RUN_SUCCESS
    (record,) = instance.get_records_for_run(run.run_id, of_type=event_type).records
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=record.event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alerts": channel},
    )
    return sensor(context.for_run_failure() if run.is_failure else context)


def the_alert_for(run: dg.DagsterRun, instance, channel):
    sensor = alerts.campaign_run_failed if run.is_failure else alerts.campaign_checks_failed
    return evaluate(sensor, instance, run, channel)


def test_a_failed_run_posts_the_date_the_failed_step_and_what_was_not_published(sample_data_dir, slack):
    channel, posts = slack
    (sample_data_dir / "raw" / "events.json").unlink()
    instance = dg.DagsterInstance.ephemeral()
    run = materialize(sample_data_dir, instance)
    assert run.is_failure
    the_alert_for(run, instance, channel)
    (post,) = posts
    assert post["channel"] == "#campaigns"
    text = post["text"]
    assert f"Cuculi campaign {DATE}: run {run.run_id[:8]} failed." in text
    assert "step `raw_events` failed: Failure: No export at" in text
    assert "`published_messages`" in text.split("not materialized:")[1].splitlines()[0]


def test_a_blocking_check_that_stops_publishing_posts_the_check_and_the_failing_members(
    sample_data_dir, slack, monkeypatch
):
    channel, posts = slack
    # Every member given their top candidate, caps ignored: the capacity check blocks publishing.
    monkeypatch.setattr(
        matching, "allocate_seats", lambda candidates, scores, room: candidates.map(lambda c: 0 if c else -1)
    )
    instance = dg.DagsterInstance.ephemeral()
    run = materialize(sample_data_dir, instance)
    evaluations = [
        record.event_log_entry.dagster_event.event_specific_data
        for record in instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
    ]
    (capacity,) = [e for e in evaluations if e.check_name == "event_capacity"]
    failing = int(capacity.metadata["failing_messages"].value)
    assert not capacity.passed and failing > 0
    the_alert_for(run, instance, channel)
    (post,) = posts
    text = post["text"]
    assert DATE in text and "`published_messages`" in text
    assert f"check `event_capacity` on `matched_messages` failed for {failing} members" in text
    assert not UNMASKED_CONTACT.search(text)


def test_a_judge_outage_posts_the_check_that_names_it(sample_data_dir, slack, monkeypatch):
    """Claude's judge answering 529 to every call: the local judge scores every text, the run finishes and the
    alert says so."""
    channel, posts = slack
    local = TemplateWriter.judge

    def overloaded(self, reviews, ledger=None):
        return [dataclasses.replace(judged, error="APIStatusError: 529 overloaded") for judged in local(self, reviews)]

    monkeypatch.setattr(TemplateWriter, "judge", overloaded)
    instance = dg.DagsterInstance.ephemeral()
    run = materialize(sample_data_dir, instance)
    assert run.is_success
    the_alert_for(run, instance, channel)
    (post,) = posts
    assert re.search(r"check `judge_available` on `matched_messages` failed for \d{3} members", post["text"])
    assert "writer_available" not in post["text"] and DATE in post["text"]


@pytest.mark.parametrize("on_its_day", [True, False])
def test_the_weekly_read_goes_to_the_channel_from_the_live_run_of_its_day(sample_data_dir, slack, on_its_day):
    channel, posts = slack
    today = dt.datetime.now(PACIFIC).date()
    weekday = today if on_its_day else today + dt.timedelta(days=1)
    environ = {"CUCU_DATA_DIR": str(sample_data_dir), "CUCU_WEEKLY_READ_DAY": f"{weekday:%A}"}
    result = dg.materialize(
        ASSETS,
        selection=["campaign_performance"],
        resources={**build_resources(environ), "alerts": channel},
        partition_key=today.isoformat(),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    if not on_its_day:
        assert posts == []
        return
    (post,) = posts
    lines = post["text"].split("\n")
    assert lines[0] == f"Cuculi weekly read as of {today}"
    assert lines[2].startswith("Texts against the holdout: ") and "pts [" in lines[2]
    assert not UNMASKED_CONTACT.search(post["text"])


def test_a_clean_run_posts_nothing(sample_data_dir, slack):
    channel, posts = slack
    instance = dg.DagsterInstance.ephemeral()
    run = materialize(sample_data_dir, instance)
    assert run.is_success
    assert isinstance(the_alert_for(run, instance, channel), dg.SkipReason)
    assert posts == []


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, 10, hour, minute, tzinfo=PACIFIC)


@pytest.mark.parametrize("now, due", [(at(9, 59), False), (at(10, 1), True)])
def test_the_deadline_sensor_runs_the_check_once_a_day_from_ten(now, due, monkeypatch):
    monkeypatch.setattr(alerts, "pacific_now", lambda: now)
    sensor = alerts.deadline_sensor({})
    answer = sensor(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral()))
    if due:
        assert answer.run_key == f"deadline:{DATE}"
    else:
        assert isinstance(answer, dg.SkipReason) and "10:00" in answer.skip_message
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED  # on only with the daily schedule
    assert alerts.deadline_sensor({"CUCU_SCHEDULE_RUNNING": "1"}).default_status == dg.DefaultSensorStatus.RUNNING


def run_deadline_check(instance: dg.DagsterInstance, data_dir) -> dg.DagsterRun:
    """The check alone, as the deadline sensor's run executes it."""
    job = dg.define_asset_job("deadline", selection=dg.AssetSelection.checks(alerts.published_by_deadline))
    defs = dg.Definitions(
        assets=ASSETS,
        asset_checks=[alerts.published_by_deadline],
        jobs=[job],
        resources=build_resources({"CUCU_DATA_DIR": str(data_dir)}),
    )
    result = defs.resolve_job_def("deadline").execute_in_process(instance=instance)
    return instance.get_run_by_id(result.run_id)


def publish_today(data_dir, instance: dg.DagsterInstance) -> dt.datetime:
    """Today's date materialized now, on the real clock (the instance stamps events with it); when the instance says
    `published_messages` was materialized (a run may cross a minute)."""
    today = dt.datetime.now(PACIFIC).date().isoformat()
    resources = build_resources({"CUCU_DATA_DIR": str(data_dir)})
    assert dg.materialize(ASSETS, resources=resources, partition_key=today, instance=instance).success
    (event,) = instance.fetch_materializations(dg.AssetKey("published_messages"), limit=1).records
    return dt.datetime.fromtimestamp(event.timestamp, PACIFIC)


@pytest.mark.parametrize("published", [True, False])
def test_texts_not_published_by_ten_alert_like_a_failure(published, sample_data_dir, slack, monkeypatch):
    channel, posts = slack
    instance, now = dg.DagsterInstance.ephemeral(), dt.datetime.now(PACIFIC)
    if published:
        now = publish_today(sample_data_dir, instance)
    # Today's deadline, as the check sees it: a minute after the publication, and passed five minutes later.
    monkeypatch.setattr(alerts, "deadline_of", lambda day: now + dt.timedelta(minutes=1))
    monkeypatch.setattr(alerts, "pacific_now", lambda: now + dt.timedelta(minutes=5))
    run = run_deadline_check(instance, sample_data_dir)
    the_alert_for(run, instance, channel)
    if published:
        assert posts == []
    else:
        (post,) = posts
        today = now.date().isoformat()
        assert post["text"].startswith(f"Cuculi campaign {today}: run {run.run_id[:8]}")
        assert (
            f"check `published_by_deadline` on `published_messages` failed: published_messages for {today}"
            in (post["text"])
        )


def test_before_ten_nothing_is_due(sample_data_dir, slack, monkeypatch):
    channel, posts = slack
    monkeypatch.setattr(alerts, "pacific_now", lambda: at(9, 30))
    instance = dg.DagsterInstance.ephemeral()
    run = run_deadline_check(instance, sample_data_dir)
    assert isinstance(the_alert_for(run, instance, channel), dg.SkipReason) and posts == []


def test_slack_is_used_when_its_token_and_channel_are_set(monkeypatch):
    assert isinstance(build_resources({})["alerts"], LoggedAlerts)
    environ = {"SLACK_BOT_TOKEN": TOKEN, "CUCU_ALERT_CHANNEL": "#campaigns", "SLACK_API_URL": "http://127.0.0.1:1/api/"}
    configured = build_resources(environ)["alerts"]
    assert isinstance(configured, SlackAlerts) and configured.channel == "#campaigns"
    assert TOKEN not in repr(configured)  # the token is an environment reference, never a value
    with pytest.raises(MissingConfiguration, match="CUCU_ALERT_CHANNEL"):
        build_resources({"SLACK_BOT_TOKEN": TOKEN})


def test_without_slack_the_alert_is_logged(sample_data_dir, caplog):
    (sample_data_dir / "raw" / "events.json").unlink()
    instance = dg.DagsterInstance.ephemeral()
    run = materialize(sample_data_dir, instance, [a for a in ASSETS if "raw_events" in str(a.keys)])
    the_alert_for(run, instance, LoggedAlerts())
    assert f"Cuculi campaign {DATE}: run {run.run_id[:8]} failed." in caplog.text


@pytest.mark.parametrize(
    "published, now, missed",
    [
        (None, at(9, 59), None),  # nothing is due before ten
        (None, at(10, 0), "was not materialized by 10:00"),
        (at(10, 0), at(10, 5), None),  # on the minute is on time
        (at(9, 12), at(16, 30), None),
        (at(10, 1), at(10, 5), "first materialized at 10:01 Pacific, after 10:00"),
        (at(16, 21), at(16, 30), "first materialized at 16:21 Pacific, after 10:00"),
    ],
)
def test_the_deadline_is_the_first_publication_by_ten(published, now, missed):
    found = alerts.on_time(published, now, alerts.deadline_of(now.date()))
    assert (found is None) if missed is None else (missed in found)


def test_a_date_first_published_after_ten_fails_the_check(sample_data_dir, monkeypatch):
    instance = dg.DagsterInstance.ephemeral()
    now = publish_today(sample_data_dir, instance)
    # Had today's deadline been an hour ago, this first publication came after it: the check fails, naming the time.
    monkeypatch.setattr(alerts, "pacific_now", lambda: now + dt.timedelta(minutes=5))
    monkeypatch.setattr(alerts, "deadline_of", lambda day: now - dt.timedelta(hours=1))
    run = run_deadline_check(instance, sample_data_dir)
    (evaluation,) = [
        record.event_log_entry.dagster_event.event_specific_data
        for record in instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
    ]
    assert not evaluation.passed and f"first materialized at {now:%H:%M} Pacific, after 10:00" in evaluation.description
