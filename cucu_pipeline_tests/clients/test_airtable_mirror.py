"""The Messages table mirrored in storage: the first read lists the table, every later read asks Airtable only for
what changed since, and what a read returns is always the whole table as a full listing would give it."""

from __future__ import annotations

import datetime as dt

import pytest
from upath import UPath

from cucu_pipeline.clients.airtable import AirtableMessageStore
from cucu_pipeline.clients.airtable_http import AirtableError
from cucu_pipeline.clients.airtable_mirror import OVERLAP, Mirror, changed_since, load, save, synced
from cucu_pipeline_tests.campaign.test_publishing import DAY, record
from cucu_pipeline_tests.fakes.airtable import FakeAirtable

NOW = dt.datetime(2026, 6, 1, 17, tzinfo=dt.UTC)


def _record(number: int, **fields) -> dict:
    return {"id": f"rec{number:08d}", "createdTime": "2026-05-01T00:00:00.000Z", "fields": {"n": number, **fields}}


def test_first_read_lists_the_table_then_only_what_changed_is_asked(tmp_path):
    path, asked = UPath(tmp_path) / "mirror" / "messages.parquet", []
    table = [_record(1), _record(2)]

    def list_records(formula):
        asked.append(formula)
        return [r for r in table if formula is None or r["fields"].get("changed")]

    mirror, how = synced(path, list_records, lambda: NOW)
    assert (mirror.records, how, asked) == (table, "first", [None])
    table[0] = _record(1, changed=True)  # modified in Airtable
    table.append(_record(3, changed=True))  # created in Airtable
    mirror, how = synced(path, list_records, lambda: NOW + dt.timedelta(days=1))
    assert how == "incremental" and asked[-1] == changed_since(NOW)
    assert mirror.records == table  # in place, new ones last: the order of a full listing
    assert load(path).read_at == NOW + dt.timedelta(days=1)
    assert "DATETIME_PARSE('2026-06-01T16:50:00.000Z')" in changed_since(NOW) and dt.timedelta(minutes=10) == OVERLAP


def test_a_mirror_that_cannot_be_read_is_rebuilt_and_a_full_sync_keeps_what_left_airtable(tmp_path):
    path = UPath(tmp_path) / "messages.parquet"
    save(path, Mirror([_record(1), _record(2)], NOW))
    path.write_bytes(path.read_bytes()[:40])  # truncated by a crash of the disk, not of the writer
    mirror, how = synced(path, lambda formula: [_record(2)], lambda: NOW)
    assert (mirror.records, how) == ([_record(2)], "rebuilt")
    save(path, Mirror([_record(1), _record(2)], NOW))
    mirror, how = synced(path, lambda formula: [_record(2, status="sent")], lambda: NOW, full_sync=True)
    assert (mirror.records, how) == ([_record(1), _record(2, status="sent")], "full")  # 1 left Airtable by retention


@pytest.mark.slow
def test_a_year_of_history_is_read_in_one_request_and_equals_a_full_listing(tmp_path):
    history = [_record(number, status="sent") for number in range(255_500)]
    fake = FakeAirtable(history)
    mirror = UPath(tmp_path) / "airtable_mirror"
    save(mirror / "messages.parquet", Mirror(history, dt.datetime.now(dt.UTC) - dt.timedelta(hours=20)))
    with fake.serve() as url:
        store = AirtableMessageStore(
            api_key="patTEST", base_id="appB", table_name="Messages", endpoint_url=url, requests_per_second=200,
            retry_backoff_seconds=0.01, mirror_url=str(mirror),
        )  # fmt: skip
        assert store.fetch_records() == fake.records and store.requests_made() == 1
        store.publish([record("u1"), record("u2")], DAY, 7)  # two records created, each read back by the next read
        written = store.requests_made()
        after = store.fetch_records()
        assert store.requests_made() - written == 1 and after == fake.records and len(after) == 255_502


def _store(url: str, mirror: UPath, **settings) -> AirtableMessageStore:
    return AirtableMessageStore(
        api_key="patTEST", base_id="appB", table_name="Messages", endpoint_url=url, requests_per_second=200,
        retry_backoff_seconds=0.01, mirror_url=str(mirror), **settings,
    )  # fmt: skip


def _aged(days_ago: int, number: int, **fields) -> dict:
    day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)).date().isoformat()
    fields = {"campaign_date": day, "status": "sent", "message": f"Hi https://cucu.li/{number}", **fields}
    return {"id": f"rec{number:08d}", "createdTime": f"{day}T17:00:00.000Z", "fields": fields}


@pytest.fixture
def aged_table():
    old = [_aged(400, n) for n in range(23)]
    kept = [
        _aged(400, 100, status="queued"),  # still pending: never removed
        _aged(400, 101, message="STOP", status=None),  # a consent event: the publisher reads it from Airtable
        _aged(400, 102, status="Opted Out"),
        _aged(10, 103),  # inside the retention
    ]
    return old, kept


def test_retention_removes_only_what_storage_holds_and_a_crash_at_any_point_loses_nothing(tmp_path, aged_table):
    old, kept = aged_table
    everything = {record["id"] for record in old + kept}
    fake, mirror = FakeAirtable(old + kept), UPath(tmp_path) / "airtable_mirror"
    with fake.serve() as url:
        store = _store(url, mirror, retention_days=365)
        assert store.apply_retention() == 0  # nothing in storage yet: nothing leaves Airtable
        assert {r["id"] for r in fake.records} == everything
        store.fetch_records()  # the mirror now holds every record
        fake.fail_writes_after = fake.writes + 1  # the run stops after one batch of deletes
        with pytest.raises(AirtableError):
            store.apply_retention()
        in_airtable = {r["id"] for r in fake.records}
        assert len(everything - in_airtable) == 10  # one batch left; the mirror has not noted it
        assert {r["id"] for r in store.fetch_records()} == everything  # read across the boundary: nothing lost
        fake.fail_writes_after = None
        assert store.apply_retention() == 23  # the next run finishes; the batch already gone is no error
        assert {r["id"] for r in fake.records} == {r["id"] for r in kept}
        assert store.apply_retention() == 0  # noted: not asked again
        records = store.fetch_records()
    assert {r["id"] for r in records} == everything and load(mirror / "messages.parquet").removed == {
        r["id"] for r in old
    }


def test_retention_stops_before_deleting_when_the_mirror_cannot_be_written(tmp_path, aged_table, monkeypatch):
    old, kept = aged_table
    fake, mirror = FakeAirtable(old + kept), UPath(tmp_path) / "airtable_mirror"
    with fake.serve() as url:
        store = _store(url, mirror, retention_days=365)
        monkeypatch.setattr("cucu_pipeline.clients.airtable_mirror.pq.write_table", _broken_disk)
        with pytest.raises(AirtableError, match="disk full"):
            store.fetch_records()
        assert store.apply_retention() == 0 and len(fake.records) == len(old + kept)


def _broken_disk(*args, **kwargs):
    raise OSError("disk full")
