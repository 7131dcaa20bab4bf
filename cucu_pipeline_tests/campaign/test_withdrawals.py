"""The queue stays true: queued texts whose event is canceled, not public, full, started or moved are withdrawn on
every run, and a blocking check fails if one is left (docs/people.md: "The queue stays true")."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pandas as pd
import pytest

from cucu_pipeline.campaign.publishing.queue import withdrawals
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.sources.documents import EventDocument
from cucu_pipeline.sources.tables import normalize_documents
from cucu_pipeline_tests.conftest import SAMPLE_RAW, event, member
from cucu_pipeline_tests.defs.test_campaign_assets import DATE, check_outcomes, pipeline_records, run
from cucu_pipeline_tests.profiles.test_eligibility import reasons_for

REFERENCE = pd.Timestamp("2024-02-10T18:00:00Z")
START = "2024-02-15T03:00:00Z"


def _queued(event_id: str, status: str = "queued", event_date: str | None = START, record: str = "rec1") -> dict:
    fields = {"user_id": "u1", "event_id": event_id, "status": status, "created_date": "2024-02-09T18:00:00Z"}
    return {"id": record, "fields": {**fields, **({"event_date": event_date} if event_date else {})}}


def _events(**fields) -> pd.DataFrame:
    return normalize_documents([event("e1", "Supper", START, ["a@x.com"], **fields)], EventDocument).frame


@pytest.mark.parametrize(
    ("fields", "queued", "reason"),
    [
        ({}, {}, None),
        ({"eventStatus": "canceled"}, {}, "event_canceled"),
        ({"type": "private"}, {}, "event_not_public"),
        ({"maxParticipants": 1}, {}, "event_full"),
        ({"startDate": "2024-02-10T17:00:00Z"}, {"event_date": "2024-02-10T17:00:00Z"}, "event_started"),
        ({"startDate": "2024-02-16T03:00:00Z"}, {}, "event_moved"),
        ({}, {"event_id": "e404"}, "event_unknown"),
        ({}, {"event_date": None}, None),  # an old record that never said when: nothing to compare
        ({"eventStatus": "canceled"}, {"status": "sent"}, None),  # already sent: history, not the queue
        ({"eventStatus": "canceled"}, {"status": "holdout"}, None),  # a holdout was never a text
    ],
)
def test_which_queued_texts_are_withdrawn_and_why(fields, queued, reason):
    record = _queued(**{"event_id": "e1", **queued})
    patches = withdrawals([record], _events(**fields), REFERENCE)
    expected = [{"id": "rec1", "fields": {"status": "withdrawn", "withdrawn_reason": reason}}] if reason else []
    assert patches == expected


@pytest.fixture
def data_dir(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    return tmp_path


def _edit_events(data_dir, edits: dict[str, dict]) -> None:
    path = data_dir / "raw" / "events.json"
    events = json.loads(path.read_text())
    for document in events:
        if isinstance(document, dict) and document.get("id") in edits:
            document.update(edits[document["id"]])
    path.write_text(json.dumps(events))


@pytest.mark.slow
def test_canceling_and_filling_events_withdraws_their_queued_texts_on_the_rerun_and_the_next_date(data_dir):
    environ = {"CUCU_DATA_DIR": str(data_dir)}
    run(environ, DATE)
    queued = Counter(r["event_id"] for r in pipeline_records(data_dir) if r["status"] == "queued")
    (canceled, _), (filled, _) = queued.most_common(2)
    events = {e.get("id"): e for e in json.loads((data_dir / "raw" / "events.json").read_text()) if isinstance(e, dict)}
    seats = int(events[filled]["maxParticipants"])
    _edit_events(
        data_dir,
        {
            canceled: {"eventStatus": "canceled"},
            filled: {"participants": [f"guest{n}@example.com" for n in range(seats)]},
        },
    )
    for partition in (DATE, "2025-06-16"):
        result = run(environ, partition)
        assert check_outcomes(result)["queue_points_at_bookable_events"]
    records = pipeline_records(data_dir)
    left = [r for r in records if r["status"] == "queued" and r["event_id"] in (canceled, filled)]
    assert left == []
    withdrawn = Counter(r.get("withdrawn_reason") for r in records if r["status"] == "withdrawn")
    assert withdrawn == {"event_canceled": queued[canceled], "event_full": queued[filled]}
    first = run(environ, DATE).output_for_node("published_messages")  # nothing left to withdraw: a no-op re-run
    assert set(first["event_id"]) & {canceled, filled} == set()


@pytest.mark.slow
def test_the_blocking_check_fails_when_a_queued_text_still_points_at_a_canceled_event(data_dir, monkeypatch):
    environ = {"CUCU_DATA_DIR": str(data_dir)}
    run(environ, DATE)
    (canceled, _), *_ = Counter(
        r["event_id"] for r in pipeline_records(data_dir) if r["status"] == "queued"
    ).most_common(1)
    _edit_events(data_dir, {canceled: {"eventStatus": "canceled"}})
    monkeypatch.setattr(LocalMessageStore, "withdraw", lambda self, patches: 0)  # a store that ignores withdrawals
    result = run(environ, "2025-06-16", raise_on_error=False)
    assert check_outcomes(result)["queue_points_at_bookable_events"] is False


@pytest.mark.parametrize(("fields", "pending"), [({}, True), ({"eventStatus": "canceled"}, False),
                                                 ({"startDate": "2024-02-16T03:00:00Z"}, False)])  # fmt: skip
def test_a_queued_text_is_pending_only_while_its_event_can_be_booked_as_it_says(fields, pending):
    """A withdrawn text reads as it did before it was withdrawn: so re-running a date, or running an earlier date
    after a later one withdrew a text whose event has started since, changes nothing."""
    queued = {"id": "rec1", "fields": {**_queued("e1")["fields"], "campaign_date": "2024-02-09"}}
    withdrawn = {"id": "rec1", "fields": {**queued["fields"], "status": "withdrawn"}}
    dinner = event("e1", "Supper", START, ["a@x.com"], **fields)
    for record in (queued, withdrawn):
        reason = reasons_for([member("u1", "Ana", "Ruiz")], [record], events=[dinner]).iloc[0]
        assert reason == ("pending_queued_message" if pending else None)
