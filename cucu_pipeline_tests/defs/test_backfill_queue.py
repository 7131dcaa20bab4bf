"""A backfill cannot text: with the production clock, a run of a past date computes its texts but queues none, and
leaves the live queue (today's and later dates') exactly as it was (docs/operations.md: "Backfills")."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from cucu_pipeline.campaign.publishing.published import BACKFILL, SEND_WINDOW_CLOSED, past_windows
from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline_tests.conftest import SAMPLE_RAW
from cucu_pipeline_tests.defs.test_campaign_assets import pipeline_records, run

PAST = "2025-06-15"


def _table(data_dir) -> dict[str, tuple[str, str]]:
    return {record["message_key"]: (record["status"], record.get("message")) for record in pipeline_records(data_dir)}


@pytest.mark.slow
def test_a_past_date_run_after_a_live_one_queues_nothing_and_leaves_the_queue_as_it_was(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    environ = {"CUCU_DATA_DIR": str(tmp_path), "CUCU_SEND_CLOCK": "now"}
    # Today's run as the schedule makes it, on the morning (at any hour the test runs, today's windows may be closed).
    today = dt.datetime.now(PACIFIC).date().isoformat()
    run({**environ, "CUCU_SEND_CLOCK": "campaign_date"}, today)
    queue = _table(tmp_path)
    assert sum(status == "queued" for status, _ in queue.values()) > 50

    backfill = run(environ, PAST)
    after = _table(tmp_path)
    assert after == queue  # no record of the past date, and the live queue as it was
    texts = backfill.output_for_node("matched_messages")
    assert (texts["status"] == "ready").sum() > 100  # the texts were written and checked all the same
    published = backfill.output_for_node("published_messages")
    assert len(published) > 100 and set(published["outcome"]) == {BACKFILL}
    assert set(published["skip_reason"]) == {SEND_WINDOW_CLOSED}
    (event,) = backfill.asset_materializations_for_node("published_messages")
    assert event.metadata["backfill_not_queued"].value == len(published)
    assert event.metadata["live_queue_reviewed"].value is False


def _record(key: str, send_before: str | None) -> dict:
    return {"message_key": key, "send_before": send_before}


def test_a_text_is_queued_only_while_its_send_window_is_open():
    """Today after the window closes counts like a past date; a future date, or today before the window closes,
    queues as always. Windows close at 20:00 in the member's own zone."""
    records = [
        _record("open", "2026-12-07T20:00:00-08:00"),
        _record("closed_east", "2026-12-07T20:00:00-05:00"),
        _record("past", "2025-06-15T20:00:00-07:00"),
        _record("no_window", None),
    ]
    at = pd.Timestamp("2026-12-07T18:30:00-08:00")
    sendable, late = past_windows(records, at)
    assert [record["message_key"] for record in sendable] == ["open"]
    assert [(o.message_key, o.outcome, o.skip_reason) for o in late] == [
        ("closed_east", BACKFILL, SEND_WINDOW_CLOSED),
        ("past", BACKFILL, SEND_WINDOW_CLOSED),
        ("no_window", BACKFILL, SEND_WINDOW_CLOSED),
    ]
    assert past_windows(records, pd.Timestamp("2026-12-07T21:00:00-08:00"))[0] == []
    assert past_windows([], at) == ([], [])
