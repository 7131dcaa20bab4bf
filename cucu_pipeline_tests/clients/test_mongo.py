"""The production MongoDB reader against a real wire-protocol server (nx-27017) on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import time

import dagster as dg
import pytest
from bson import ObjectId
from pymongo import MongoClient

from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline.clients.mongo import MongoSource
from cucu_pipeline.defs import sources
from cucu_pipeline.sources.documents import UserDocument
from cucu_pipeline.sources.tables import source_fields
from cucu_pipeline_tests.fakes.wire import trickling_proxy
from cucu_pipeline_tests.services import free_port, mongodb_uri_with_password, nx_mongodb

UTC = dt.UTC


@pytest.fixture(scope="module")
def mongo_uri(tmp_path_factory):
    with nx_mongodb(tmp_path_factory.mktemp("nx")) as uri:
        with MongoClient(uri) as client:
            database = client["cuculi"]
            database["users"].insert_many(
                [
                    {
                        "_id": ObjectId("65a60c12d289185d950ee881"),
                        "id": "u1",
                        "firstName": "Ana",
                        "email": "ANA@x.com ",
                        "phone": "(415) 555-0123",
                        "createdAt": dt.datetime(2023, 5, 1, 17, 0, tzinfo=UTC),
                        "interests": ["wine"],
                        "internalNotes": "not read",
                    },
                    {"_id": ObjectId("65a60c12d289185d950ee882"), "email": "no-id-field@x.com"},
                    {"_id": ObjectId("65a60c12d289185d950ee883"), "id": "u3", "email": "broken"},
                ]
            )
            database["events"].insert_one(
                {
                    "id": "e1",
                    "name": "Supper",
                    "startDate": dt.datetime(2024, 2, 15, 3, 0),
                    "participants": ["ANA@x.com"],
                    "maxParticipants": 8,
                    "type": "public",
                }
            )
            database["orders"].insert_one({"user_id": "u1", "event_id": "e1", "amount": 45, "status": "paid"})
        yield uri


def test_reads_a_collection_with_a_projection_and_bson_types(mongo_uri):
    read = MongoSource(uri=mongo_uri, database="cuculi").read("users", source_fields(UserDocument))
    first = next(doc for doc in read.documents if doc.get("id") == "u1")
    assert "internalNotes" not in first  # projected away on the server
    assert first["createdAt"] == dt.datetime(2023, 5, 1, 17, 0, tzinfo=UTC)  # tz-aware BSON date
    assert isinstance(first["_id"], ObjectId)


def test_raw_assets_from_mongodb(mongo_uri, tmp_path):
    result = dg.materialize(
        sources.mongo_assets({}),
        resources={
            "mongo": MongoSource(uri=mongo_uri, database="cuculi"),
            "airtable": LocalMessageStore(data_dir=str(tmp_path)),
        },
        partition_key="2024-02-10",
        instance=dg.DagsterInstance.ephemeral(),
    )
    users = result.output_for_node("raw_users").set_index("id")
    assert users.loc["u1", "email"] == "ana@x.com" and users.loc["u1", "phone_e164"] == "+14155550123"
    assert users.loc["65a60c12d289185d950ee882", "email"] == "no-id-field@x.com"  # `_id` stands in for `id`
    assert "u3" not in users.index  # invalid email: rejected and counted
    events = result.output_for_node("raw_events")
    assert events.loc[0, "participants"] == ["ana@x.com"]
    assert str(events.loc[0, "start_date"]) == "2024-02-15 03:00:00+00:00"
    assert len(result.output_for_node("raw_orders")) == 1


def test_an_unreachable_database_fails_fast_and_names_no_credentials():
    uri = mongodb_uri_with_password("reader", "s3cret", f"127.0.0.1:{free_port()}")
    source = MongoSource(uri=uri, database="cuculi", timeout_ms=300)
    started = time.monotonic()
    with pytest.raises(ConnectionError) as failure:
        source.read("users", ["id"])
    assert time.monotonic() - started < 5  # the 0.3 s server-selection timeout, not the 60 s deadline
    assert "cuculi.users" in str(failure.value) and "s3cret" not in str(failure.value)


def test_an_answer_that_trickles_in_fails_the_step_once_at_the_deadline_naming_mongodb(mongo_uri, tmp_path):
    with MongoClient(mongo_uri) as client:  # a reply of some 10 KB, one byte every 0.05 s: 8 minutes in all
        client["crowded"]["users"].insert_many(
            [{"id": f"u{n}", "email": f"u{n}@x.com", "bio": "x" * 200} for n in range(50)]
        )
    port = int(mongo_uri.rsplit(":", 1)[1])
    with trickling_proxy(port, byte_seconds=0.05) as uri:
        assert MongoSource(uri=uri, database="cuculi").read("users", ["id"]).documents  # small replies pass
        slow = MongoSource(uri=uri, database="crowded", deadline_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(dg.Failure, match=r"MongoDB sent no full answer reading crowded.users within 0.5 s"):
            slow.read("users", ["id", "bio"])
        assert time.monotonic() - started < 2  # at the deadline, not after pymongo's retry nor a socket timeout
        result = dg.materialize(
            sources.mongo_assets({"CUCU_SOURCE_RETRY_DELAY_SECONDS": "0"}),
            selection=["raw_users"],
            resources={"mongo": slow, "airtable": LocalMessageStore(data_dir=str(tmp_path))},
            partition_key="2024-02-10",
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    (failure,) = result.get_step_failure_events()
    assert "MongoDB sent no full answer reading crowded.users within 0.5 s" in failure.step_failure_data.error.message
    # Waiting again would take as long: the retry policy meant for an unreachable server does not apply.
    assert not [event for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
