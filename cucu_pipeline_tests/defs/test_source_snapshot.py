"""One snapshot of each MongoDB collection per run: the raw assets, the outcomes and the weekly read of a run read and
validate a collection once, and the next run reads it again. The Messages table likewise, until the run writes to it."""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.campaign.publishing.records import message_key
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.clients.mongo import JsonExportSource
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.defs.sources import read_records, read_users
from cucu_pipeline.sources.documents import Document
from cucu_pipeline.sources.tables import Normalized
from cucu_pipeline_tests.campaign.test_publishing import airtable
from cucu_pipeline_tests.fakes.airtable import FakeAirtable

READS: Counter = Counter()


class CountingExports(JsonExportSource):
    def validated(self, collection: str, model: type[Document]) -> Normalized:
        READS[collection] += 1
        return super().validated(collection, model)


class CountingStore(LocalMessageStore):
    def fetch_records(self) -> list[dict]:
        READS["messages"] += 1
        return super().fetch_records()


def _run(data_dir, selection=("raw_users", "raw_orders", "campaign_outcomes", "campaign_performance")):
    resources = {
        **build_resources({"CUCU_DATA_DIR": str(data_dir)}),
        "mongo": CountingExports(data_dir=str(data_dir)),
        "airtable": CountingStore(data_dir=str(data_dir)),
    }
    return dg.materialize(
        ASSETS,
        selection=list(selection),
        resources=resources,
        partition_key="2026-10-01",
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_a_run_reads_each_collection_once_and_the_next_run_reads_it_again(sample_data_dir):
    READS.clear()
    first = _run(sample_data_dir)
    assert first.success
    assert READS == {"users": 1, "orders": 1, "messages": 1}  # four steps read them "as they stand now"
    # The weekly read counted dates from the same snapshot the raw assets stored.
    assert len(first.output_for_node("raw_users")) > 500
    (sample_data_dir / "raw" / "users.json").write_text("[]")
    second = _run(sample_data_dir)  # a new run sees the emptied export: nothing was kept from the first
    assert not second.success and READS["users"] == 2 and READS["orders"] == 2


def test_each_reader_gets_its_own_copy_and_outside_a_run_every_read_is_new(sample_data_dir):
    READS.clear()
    source = CountingExports(data_dir=str(sample_data_dir))
    with dg.build_resources({"mongo": source}) as resources:
        users = read_users(resources.mongo)
        users["first_name"] = "changed by one step"
        again = read_users(resources.mongo)
        assert READS["users"] == 1 and not again["first_name"].eq("changed by one step").any()
    read_users(source), read_users(source)
    assert READS["users"] == 3
    pd.testing.assert_frame_equal(read_users(source), again)


def test_a_run_reads_the_messages_table_once_until_it_writes_to_it(sample_data_dir):
    READS.clear()
    assert _run(sample_data_dir, ["raw_messages", "campaign_outcomes", "campaign_performance"]).success
    assert READS["messages"] == 1  # three steps read the table "as it stands now"
    READS.clear()
    store = CountingStore(data_dir=str(sample_data_dir))
    text = {"message_key": message_key(dt.date(2026, 10, 1), "u-new"), "user_id": "u-new", "status": "queued"}
    with dg.build_resources({"airtable": store}) as resources:
        first = read_records(resources.airtable)
        first["status"] = "changed by one step"
        again = read_records(resources.airtable)
        assert READS["messages"] == 1 and not again["status"].eq("changed by one step").any()
        resources.airtable.publish([{**text, "campaign_date": "2026-10-01"}], dt.date(2026, 10, 1), 7)
        after = read_records(resources.airtable)  # the run wrote: the table is read again and holds the new text
        assert READS["messages"] == 2 and len(after) == len(again) + 1
    read_records(store), read_records(store)
    assert READS["messages"] == 4  # outside a run every read is new


@pytest.mark.parametrize("production", [False, True])
def test_every_write_of_either_store_makes_the_next_read_ask_again(tmp_path, production):
    """Publishing and withdrawing, in Airtable as in the local store: a run never reads its own writes stale."""
    day = dt.date(2026, 10, 1)
    text = {"message_key": message_key(day, "u1"), "campaign_date": day.isoformat(), "user_id": "u1"}
    fake = FakeAirtable()
    with fake.serve() as url:
        store = airtable(url) if production else LocalMessageStore(data_dir=str(tmp_path))
        with dg.build_resources({"airtable": store}) as resources:
            assert read_records(resources.airtable).empty
            resources.airtable.publish([{**text, "status": "queued"}], day, 7)
            (record_id,) = read_records(resources.airtable)["record_id"]
            withdrawn = {"status": "withdrawn", "withdrawn_reason": "event_canceled"}
            assert resources.airtable.withdraw([{"id": record_id, "fields": withdrawn}]) == 1
            assert read_records(resources.airtable)["status"].tolist() == ["withdrawn"]


def _live_lists() -> int:
    gc.collect()
    return sum(1 for item in gc.get_objects() if type(item) is list)


def test_the_snapshot_keeps_no_document_objects_once_a_step_lets_its_frame_go(sample_data_dir):
    """The run keeps each collection as an Arrow table: the members' list fields (three Python lists a member) must
    not stay on Python's heap for the rest of the run (a view of the validated frame would keep every row)."""
    with dg.build_resources({"mongo": JsonExportSource(data_dir=str(sample_data_dir))}) as resources:
        before = _live_lists()
        users = read_users(resources.mongo)
        members = len(users)
        del users
        assert members > 500 and _live_lists() - before < members // 10
