"""Publishing: upserts on message_key, the cooldown re-check in both directions, Airtable faults and crashes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from cucu_pipeline.campaign.publishing.records import CooldownReview, cooldown_review, message_key
from cucu_pipeline.clients.airtable import AirtableMessageStore, RateLimiter
from cucu_pipeline.clients.airtable_http import AirtableError
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.faults import FaultPlan

DAY = dt.date(2024, 2, 10)


def record(user_id: str, day: dt.date = DAY, **fields) -> dict:
    return {
        "message_key": message_key(day, user_id),
        "campaign_date": day.isoformat(),
        "user_id": user_id,
        "message": f"Cuculi: Hi {user_id}",
        "status": "queued",
        "created_date": f"{day}T18:00:00Z",
        **fields,
    }


def stored(user_id: str, day: str, status: str = "sent", **fields) -> dict:
    return {
        "id": f"rec{user_id}{day}",
        "createdTime": f"{day}T18:00:00.000Z",
        "fields": {"user_id": user_id, "status": status, "campaign_date": day, **fields},
    }


@pytest.mark.parametrize(
    ("existing", "reason"),
    [
        (stored("u1", "2024-02-04"), "cooldown_conflict"),  # six days before
        (stored("u1", "2024-02-16"), "later_text"),  # six days after, already sent: partitions in any order
        (stored("u1", "2024-02-16", status="queued"), "later_text"),  # queued by hand, not the pipeline's
        (stored("u1", "2024-02-07", status="queued", message_key="2024-02-07:u1"), "cooldown_conflict"),  # earlier
        (stored("u1", "2024-02-03"), None),  # seven days before
        (stored("u1", "2024-02-17", status="queued"), None),
        (stored("u1", "2024-02-09", status="failed"), None),  # a failed text never reached the member
        # A holdout is under the cooldown like a text, so the next days leave the control alone.
        (stored("u1", "2024-02-07", status="holdout", message_key="2024-02-07:u1"), "cooldown_conflict"),
        (stored("u1", "2024-02-03", status="holdout", message_key="2024-02-03:u1"), None),
        (stored("u2", "2024-02-09"), None),
        (stored("u1", "2022-01-01", status="opted_out"), "opted_out"),
        (
            {"id": "recX", "createdTime": "2024-02-08T18:00:00.000Z", "fields": {"user_id": "u1", "status": "sent"}},
            "cooldown_conflict",
        ),  # a legacy text without campaign date counts by its creation
    ],
)
def test_cooldown_conflicts(existing, reason):
    review = cooldown_review([existing], [record("u1")], DAY, cooldown_days=7)
    assert review.conflicts.get(message_key(DAY, "u1")) == reason and review.superseded == []


def test_a_text_dated_earlier_outweighs_one_dated_later_in_the_reason_given():
    texts = [stored("u1", "2024-02-16"), stored("u1", "2024-02-05")]
    review = cooldown_review(texts, [record("u1")], DAY, cooldown_days=7)
    assert review.conflicts == {message_key(DAY, "u1"): "cooldown_conflict"}


def test_an_earlier_date_supersedes_a_later_queued_text_unless_it_is_held_back():
    later = stored("u1", "2024-02-16", status="queued", message_key="2024-02-16:u1")
    review = cooldown_review([later], [record("u1")], DAY, cooldown_days=7)
    assert review.conflicts == {} and review.superseded == ["2024-02-16:u1"]
    sent_before = stored("u1", "2024-02-05")
    review = cooldown_review([later, sent_before], [record("u1")], DAY, cooldown_days=7)
    assert review.conflicts == {message_key(DAY, "u1"): "cooldown_conflict"} and review.superseded == []


def test_the_partitions_own_record_is_not_a_conflict():
    own = stored("u1", "2024-02-10", status="queued", message_key=message_key(DAY, "u1"))
    assert cooldown_review([own], [record("u1")], DAY, cooldown_days=7).conflicts == {}


def test_a_rerun_never_rewrites_a_text_the_team_has_sent():
    own = stored("u1", "2024-02-10", status="Sent", message_key=message_key(DAY, "u1"))
    review = cooldown_review([own], [record("u1"), record("u2")], DAY, cooldown_days=7)
    assert review.conflicts == {message_key(DAY, "u1"): "already_sent"}


def test_local_store_creates_then_updates_and_never_duplicates(tmp_path):
    store = LocalMessageStore(data_dir=str(tmp_path))
    first = store.publish([record("u1"), record("u2")], DAY, 7)
    assert [o.outcome for o in first] == ["created", "created"]
    again = store.publish([record("u1", message="Cuculi: changed"), record("u2")], DAY, 7)
    assert [o.outcome for o in again] == ["updated", "updated"]
    assert [o.airtable_record_id for o in again] == [o.airtable_record_id for o in first]
    rows = store.fetch_records()
    assert len(rows) == 2 and rows[0]["fields"]["message"] == "Cuculi: changed"


def test_local_store_queues_the_earlier_date_whichever_is_published_first(tmp_path):
    later = dt.date(2024, 2, 13)
    for order in ([DAY, later], [later, DAY]):
        store = LocalMessageStore(data_dir=str(tmp_path / str(order[0])))
        first = store.publish([record("u1", order[0])], order[0], 7)
        second = store.publish([record("u1", order[1])], order[1], 7)
        assert first[0].outcome == "created"
        if order[0] == DAY:
            assert (second[0].outcome, second[0].skip_reason) == ("skipped", "cooldown_conflict")
        else:
            assert [o.outcome for o in second] == ["created", "superseded"]
        statuses = {r["fields"]["campaign_date"]: r["fields"]["status"] for r in store.fetch_records()}
        assert statuses == {
            DAY.isoformat(): "queued",
            **({later.isoformat(): "superseded"} if order[0] == later else {}),
        }


def airtable(url: str) -> AirtableMessageStore:
    return AirtableMessageStore(
        api_key="patTEST",
        base_id="appB",
        table_name="Messages",
        endpoint_url=url,
        retry_backoff_seconds=0.01,
        requests_per_second=200,
    )


def test_airtable_upserts_in_batches_of_ten_and_updates_on_rerun():
    fake = FakeAirtable()
    records = [record(f"u{n:02d}") for n in range(25)]
    with fake.serve() as url:
        first = airtable(url).publish(records, DAY, 7)
        second = airtable(url).publish(records, DAY, 7)
    assert [o.outcome for o in first] == ["created"] * 25 and [o.outcome for o in second] == ["updated"] * 25
    assert len(fake.records) == 25
    assert [method for method, _ in fake.requests].count("PATCH") == 6  # 3 batches per run


def test_airtable_rate_limits_are_outlasted():
    fake = FakeAirtable(faults=FaultPlan(script=["429"] * 4))
    with fake.serve() as url:
        outcomes = airtable(url).publish([record("u1"), record("u2")], DAY, 7)
    assert [o.outcome for o in outcomes] == ["created", "created"] and len(fake.records) == 2


def test_a_crash_halfway_then_a_rerun_leaves_no_duplicate_and_nothing_missing():
    fake = FakeAirtable()
    records = [record(f"u{n:02d}") for n in range(25)]
    fake.fail_writes_after = 2  # the third batch never lands
    with fake.serve() as url:
        with pytest.raises(AirtableError, match="RetryError"):
            airtable(url).publish(records, DAY, 7)
        assert len(fake.records) == 20
        fake.fail_writes_after = None
        outcomes = airtable(url).publish(records, DAY, 7)
    assert sorted(r["fields"]["message_key"] for r in fake.records) == sorted(r["message_key"] for r in records)
    assert [o.outcome for o in outcomes].count("created") == 5


def test_airtable_skips_members_texted_by_another_partition_and_supersedes_later_queued_texts():
    fake = FakeAirtable(
        [
            stored("u1", "2024-02-12", message_key="2024-02-12:u1"),
            stored("u2", "2024-02-12", status="queued", message_key="2024-02-12:u2"),
        ]
    )
    with fake.serve() as url:
        outcomes = {o.message_key: o for o in airtable(url).publish([record("u1"), record("u2")], DAY, 7)}
    assert outcomes[message_key(DAY, "u1")].skip_reason == "later_text"  # sent for a later date
    assert outcomes[message_key(DAY, "u2")].outcome == "created" and outcomes["2024-02-12:u2"].outcome == "superseded"
    statuses = {r["fields"]["message_key"]: r["fields"]["status"] for r in fake.records}
    assert statuses == {"2024-02-12:u1": "sent", "2024-02-12:u2": "superseded", message_key(DAY, "u2"): "queued"}


def test_rate_limiter_spaces_requests():
    import time

    limiter = RateLimiter(per_second=50)
    start = time.monotonic()
    for _ in range(11):
        limiter.wait()
    assert time.monotonic() - start >= 0.2 - 0.01


def test_an_earlier_date_supersedes_a_later_holdout_as_it_would_a_later_queued_text():
    later = stored("u1", "2024-02-12", status="holdout", message_key="2024-02-12:u1")
    review = cooldown_review([later], [record("u1")], DAY, 7)
    assert review.conflicts == {} and review.superseded == ["2024-02-12:u1"]
    own = stored("u1", DAY.isoformat(), status="holdout", message_key=message_key(DAY, "u1"))
    assert cooldown_review([own], [record("u1", status="holdout")], DAY, 7) == CooldownReview({}, [])  # a re-run


def test_a_row_copied_by_hand_never_blocks_the_date():
    # The team copied u1's record of this date: two rows hold its message_key, and an upsert holding it fails (422).
    copies = [
        {**stored("u1", DAY.isoformat(), "queued", message_key=message_key(DAY, "u1")), "id": row, "createdTime": at}
        for row, at in (("recB", "2024-02-10T19:30:00.000Z"), ("recA", "2024-02-10T18:00:00.000Z"))
    ]
    fake = FakeAirtable(copies)
    records = [record(f"u{n}") for n in range(1, 13)]
    with fake.serve() as url:
        outcomes = airtable(url).publish(records, DAY, 7)
        rerun = airtable(url).publish(records, DAY, 7)
    rows = {row["id"]: row["fields"] for row in fake.records}
    assert rows["recA"]["message"] == "Cuculi: Hi u1"  # the text went to the oldest row, though listed second
    assert rows["recB"]["status"] == "duplicate"
    assert rows["recB"]["message_key"] == f"{message_key(DAY, 'u1')}#duplicate:recB"
    queued = [fields for fields in rows.values() if fields["status"] == "queued"]
    assert sorted(fields["message_key"] for fields in queued) == sorted(r["message_key"] for r in records)
    assert [o.outcome for o in outcomes].count("duplicate") == 1
    assert {o.outcome for o in rerun} == {"updated"} and len(fake.records) == 13  # the next run finds one row


def test_two_runs_sharing_no_instance_leave_one_text_per_member():
    # Two dates published at once by runs that share no Dagster instance (two machines, two DAGSTER_HOMEs): both list
    # the table before either writes, so each review alone lets every member through.
    fake = FakeAirtable()
    fake.write_delay = 0.3
    later = DAY + dt.timedelta(days=2)
    members = [f"u{n:02d}" for n in range(15)]
    with fake.serve() as url, ThreadPoolExecutor(2) as pool:
        runs = [
            pool.submit(airtable(url).publish, [record(member, day) for member in members], day, 7)
            for day in (later, DAY)
        ]
        outcomes = [run.result() for run in runs]
    live = Counter(row["fields"]["user_id"] for row in fake.records if row["fields"]["status"] == "queued")
    assert live == Counter({member: 1 for member in members})  # one text each, whichever run wrote first
    assert {row["fields"]["campaign_date"] for row in fake.records if row["fields"]["status"] == "queued"} == {
        DAY.isoformat()  # the earlier date wins, as when the dates run in order
    }
    assert sum(len(found) for found in outcomes) >= 2 * len(members)


def test_texts_dated_later_are_explained_where_their_counts_are_read():
    import pandas as pd

    from cucu_pipeline.campaign.publishing.records import Outcome
    from cucu_pipeline.defs.metadata import published_metadata

    published = pd.DataFrame(
        {
            "message_key": ["d:u1", "d:u2", "d:u3"],
            "event_id": ["e1"] * 3,
            "outcome": ["skipped", "skipped", "created"],
            "skip_reason": ["later_text", "cooldown_conflict", None],
            "message": [None, None, "Cuculi: Hi"],
        }
    )
    outcomes = [Outcome("d:u3", "rec3", "created"), Outcome("later:u4", "rec4", "superseded")]
    values = published_metadata(published, outcomes)
    assert values["skipped_later_text"] == 1 and values["superseded_later_texts"] == 1
    assert "1 member skipped for one within the cooldown" in values["later_texts"]
    assert "1 queued later text of this pipeline replaced" in values["later_texts"]
    quiet = published_metadata(published.assign(skip_reason=["cooldown_conflict"] * 2 + [None]), outcomes[:1])
    assert "later_texts" not in quiet
