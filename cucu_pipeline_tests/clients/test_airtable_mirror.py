"""The Messages table mirrored in storage: the first read lists the table, every later read asks Airtable only for
what changed since, and what a read returns is always the whole table as a full listing would give it."""

from __future__ import annotations

import datetime as dt

from upath import UPath

from cucu_pipeline.clients.airtable import AirtableMessageStore
from cucu_pipeline.clients.airtable_mirror import OVERLAP, changed_since, load, save, synced
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

    records, how = synced(path, list_records, lambda: NOW)
    assert (records, how, asked) == (table, "first", [None])
    table[0] = _record(1, changed=True)  # modified in Airtable
    table.append(_record(3, changed=True))  # created in Airtable
    records, how = synced(path, list_records, lambda: NOW + dt.timedelta(days=1))
    assert how == "incremental" and asked[-1] == changed_since(NOW)
    assert records == table  # in place, new ones last: the order of a full listing
    assert load(path)[1] == NOW + dt.timedelta(days=1)
    assert "DATETIME_PARSE('2026-06-01T16:50:00.000Z')" in changed_since(NOW) and dt.timedelta(minutes=10) == OVERLAP


def test_a_mirror_that_cannot_be_read_is_rebuilt_and_a_full_sync_keeps_what_left_airtable(tmp_path):
    path = UPath(tmp_path) / "messages.parquet"
    save(path, [_record(1), _record(2)], NOW)
    path.write_bytes(path.read_bytes()[:40])  # truncated by a crash of the disk, not of the writer
    records, how = synced(path, lambda formula: [_record(2)], lambda: NOW)
    assert (records, how) == ([_record(2)], "rebuilt")
    save(path, [_record(1), _record(2)], NOW)
    records, how = synced(path, lambda formula: [_record(2, status="sent")], lambda: NOW, full_sync=True)
    assert (records, how) == ([_record(1), _record(2, status="sent")], "full")  # record 1 was removed by retention


def test_a_year_of_history_is_read_in_one_request_and_equals_a_full_listing(tmp_path):
    history = [_record(number, status="sent") for number in range(255_500)]
    fake = FakeAirtable(history)
    mirror = UPath(tmp_path) / "airtable_mirror"
    save(mirror / "messages.parquet", history, dt.datetime.now(dt.UTC) - dt.timedelta(hours=20))  # yesterday's run
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
