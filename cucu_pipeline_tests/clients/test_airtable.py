"""The Messages table: pyairtable against a fake Airtable server, and the local SQLite stand-in."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import dagster as dg
import pytest

from cucu_pipeline.clients.airtable import MESSAGE_FIELDS, AirtableMessageStore
from cucu_pipeline.clients.airtable_http import AirtableError
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.defs import sources
from cucu_pipeline_tests.campaign.test_publishing import DAY, record
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.faults import BODY_FAULTS, FAULT_KINDS, FaultPlan

RECORDS = [
    {
        "id": f"rec{n:03d}",
        "createdTime": "2024-01-01T20:00:00.000Z",
        "fields": {"user_id": f"u{n}", "status": "sent", "sent_date": "2024-01-02", "user_phone": "+14155550123"},
    }
    for n in range(250)
]


def store(url: str) -> AirtableMessageStore:
    return AirtableMessageStore(
        api_key="patTEST.notasecret",
        base_id="appBASE",
        table_name="Messages",
        endpoint_url=url,
        retry_backoff_seconds=0.01,
    )


def test_pages_through_every_record_with_the_key_as_bearer_token():
    fake = FakeAirtable(RECORDS)
    with fake.serve() as url:
        records = store(url).fetch_records()
    assert [r["id"] for r in records] == [r["id"] for r in RECORDS]
    assert len(fake.requests) == 3 and all(path.startswith("/v0/appBASE/Messages") for _, path in fake.requests)
    assert fake.auth_headers == {"Bearer patTEST.notasecret"}


def test_rate_limited_requests_are_retried():
    fake = FakeAirtable(RECORDS[:5], faults=FaultPlan(script=["429"] * 3))
    with fake.serve() as url:
        assert len(store(url).fetch_records()) == 5
    assert len(fake.requests) == 4


def test_raw_messages_from_airtable():
    keyed = [{**r, "fields": {**r["fields"], "message_key": "2024-01-02:u0"}} for r in RECORDS[:2]]  # a hand copy
    fake = FakeAirtable(
        keyed + RECORDS[2:3] + [{"id": "recBAD", "createdTime": "2024-01-01T20:00:00.000Z", "fields": {}}]
    )
    with fake.serve() as url:
        result = dg.materialize(
            [sources.raw_messages],
            resources={"airtable": store(url)},
            partition_key="2024-02-10",
            instance=dg.DagsterInstance.ephemeral(),
        )
    messages = result.output_for_node("raw_messages")
    assert messages["record_id"].tolist() == ["rec000", "rec001", "rec002"]
    # An inbound reply names its sender by phone alone (docs/people.md: "Consent"): kept, never previewed unmasked.
    assert messages["user_phone"].tolist() == ["+14155550123"] * 3
    (materialization,) = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["rejected_missing_user"].value == 1
    assert materialization.materialization.metadata["duplicate_message_keys"].value == 1  # reported


def seed(tmp_path, messages) -> LocalMessageStore:
    (tmp_path / "raw").mkdir(exist_ok=True)
    (tmp_path / "raw" / "messages.json").write_text(json.dumps(messages))
    return LocalMessageStore(data_dir=str(tmp_path))


def test_local_store_is_created_and_seeded_once_in_airtable_shape(tmp_path):
    local = seed(
        tmp_path,
        [
            {"user_id": "u1", "status": "sent", "created_date": "2024-01-02", "checks": {"ok": True}},
            {"airtable_id": "recKEEP", "user_id": "u2", "status": "queued"},
            "not a record",
        ],
    )
    first = local.fetch_records()
    assert len(first) == 2 and first[1]["id"] == "recKEEP"
    assert first[0]["id"].startswith("rec") and first[0]["createdTime"] == "2024-01-02"
    assert first[0]["fields"]["checks"] == '{"ok": true}'
    assert local.fetch_records() == first  # opened again: not seeded twice, same deterministic ids
    columns = [row[1] for row in sqlite3.connect(local.path).execute("PRAGMA table_info(messages)")]
    assert set(MESSAGE_FIELDS) <= set(columns)


def test_parallel_first_opens_seed_exactly_once(tmp_path):
    local = seed(tmp_path, [{"user_id": f"u{n}", "status": "sent", "created_date": "2024-01-02"} for n in range(50)])
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda _: len(local.fetch_records()), range(8)))
    assert counts == [50] * 8


def test_a_missing_seed_gives_an_empty_store(tmp_path):
    assert LocalMessageStore(data_dir=str(tmp_path)).fetch_records() == []


class EchoingAirtable(FakeAirtable):
    """Refuses every write with an error that repeats the first record it was sent, as Airtable's validation errors
    do (`Invalid value for field user_phone: "+14155550123"`)."""

    def upsert(self, body: dict) -> tuple[int, dict]:
        fields = body["records"][0]["fields"]
        echoed = f'Invalid value "{fields["user_phone"]}" near "{fields["user_email"]}"'
        return 422, {"error": {"type": "INVALID_VALUE_FOR_COLUMN", "message": echoed}}


def test_an_error_that_echoes_a_member_reaches_nobody_unmasked(caplog):
    written = record("u1", user_phone="+14155550199", user_email="sarah.chen@email.com")
    with EchoingAirtable().serve() as url, pytest.raises(AirtableError) as raised:
        store(url).publish([written], DAY, cooldown_days=7)
    shown = "\n".join([str(raised.value), repr(raised.value.__cause__), repr(raised.value.__context__), caplog.text])
    assert (
        "INVALID_VALUE_FOR_COLUMN" in shown and "•••••••199" in shown and "s•••@e•••.com" in shown
    )  # says what failed
    assert "4155550199" not in shown and "sarah.chen@email.com" not in shown


@pytest.mark.parametrize("kind", ["garbled", "empty", "truncated", "null", "503"])
def test_a_failed_page_is_asked_again_from_its_own_offset(kind):
    # The third page fails twice: the listing goes on from that page, not from the first.
    fake = FakeAirtable(RECORDS, faults=FaultPlan(script=[None, None, kind, kind]))
    with fake.serve() as url:
        records = store(url).fetch_records()
    assert [r["id"] for r in records] == [r["id"] for r in RECORDS]
    offsets = [parse_qs(urlparse(path).query).get("offset", ["0"])[0] for _, path in fake.requests]
    assert offsets == ["0", "100", "200", "200", "200"]


def test_a_page_that_keeps_failing_fails_the_listing_naming_the_page():
    fake = FakeAirtable(RECORDS, faults=FaultPlan(script=[None] + ["empty"] * 6))
    with fake.serve() as url, pytest.raises(AirtableError, match="page 2 of the Messages table kept failing"):
        store(url).fetch_records()
    assert len(fake.requests) == 7  # one good page, then six tries of the second


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_a_full_listing_survives_faults_of_every_kind(rate):
    kinds = (*FAULT_KINDS, *BODY_FAULTS)
    for seed in range(5):
        fake = FakeAirtable(RECORDS, faults=FaultPlan(rate=rate, kinds=kinds, seed=seed, stall_seconds=0.3))
        with fake.serve() as url:
            listed = AirtableMessageStore(**{**store(url).model_dump(), "read_timeout_seconds": 0.2}).fetch_records()
        assert [r["id"] for r in listed] == [r["id"] for r in RECORDS]


def test_an_answer_that_trickles_in_fails_within_the_deadline_naming_airtable():
    # One byte every 0.1 s: each arrives well inside the 2 s read timeout, the page never does.
    fake = FakeAirtable(RECORDS[:5], faults=FaultPlan(rate=1.0, kinds=("trickle",), stall_seconds=0.1))
    slow = AirtableMessageStore(**{**store("").model_dump(), "read_timeout_seconds": 2.0, "deadline_seconds": 0.5})
    with fake.serve() as url:
        started = time.monotonic()
        with pytest.raises(AirtableError, match=r"page 1 .* Airtable sent no full answer within 0.5 s"):
            AirtableMessageStore(**{**slow.model_dump(), "endpoint_url": url}).fetch_records()
        waited = time.monotonic() - started
    assert waited < 2  # at the deadline, not when the server stops (22 s), and not asked again


def test_retry_after_is_obeyed_only_up_to_its_cap():
    fake = FakeAirtable(RECORDS[:5], faults=FaultPlan(script=["429"], retry_after="120"))
    with fake.serve() as url:
        started = time.monotonic()
        capped = AirtableMessageStore(**{**store(url).model_dump(), "retry_after_cap_seconds": 0.2})
        assert len(capped.fetch_records()) == 5
    assert 0.2 <= time.monotonic() - started < 5  # waited the cap, not two minutes


def test_a_record_airtable_refuses_is_named_and_the_rest_of_its_batch_is_written_once():
    """Airtable refuses a whole request for one record's value (422 INVALID_VALUE_FOR_COLUMN): the others of that
    batch are still written, the step fails naming the record and the field, and a re-run writes nothing twice."""
    fake = FakeAirtable()
    fake.refuses["send_after"] = lambda value: value == "not a time"
    records = [record(f"u{n}", send_after="not a time" if n == 7 else "2024-02-10T10:00:00-08:00") for n in range(12)]
    with fake.serve() as url:
        for _ in range(2):  # the run, then its re-run
            with pytest.raises(AirtableError) as failure:
                store(url).publish(records, DAY, cooldown_days=7)
            assert 'Airtable refused 1 of 12 records (2024-02-10:u7: INVALID_VALUE_FOR_COLUMN on "send_after")' in str(
                failure.value
            )
            keys = [r["fields"]["message_key"] for r in fake.records]
            assert sorted(keys) == sorted(r["message_key"] for r in records if r["user_id"] != "u7")
        fake.refuses.clear()  # the team mends the field's options
        outcomes = store(url).publish(records, DAY, cooldown_days=7)
    assert len(fake.records) == 12 and [o.outcome for o in outcomes].count("created") == 1
