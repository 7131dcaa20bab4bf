"""Reads that do not grow with the table's history: the queue and the publisher's review ask Airtable only for the
records that can matter (`filterByFormula`, evaluated by the fake as Airtable does), and decide exactly what a read
of the whole table would have decided."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.airtable_reads import requests_per_run
from cucu_pipeline.campaign.publishing.records import REVIEW_FIELDS, cooldown_review
from cucu_pipeline.clients.airtable import QUEUED_FORMULA, review_formula
from cucu_pipeline.clients.airtable_local import LocalMessageStore
from cucu_pipeline_tests.campaign.test_publishing import DAY, record
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.formula import FormulaError, Record, compile_formula

LINK = "Cuculi: Hi! Dumpling Workshop has a seat. https://cucu.li/e/1"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _day(offset: int | None) -> str | None:
    return None if offset is None else (DAY + dt.timedelta(days=offset)).isoformat()


def _instant(offset: int | None) -> str | None:
    return None if offset is None else f"{_day(offset)}T18:00:00.000Z"


stored_records = st.lists(
    st.fixed_dictionaries(
        {
            "user_id": st.sampled_from(["u1", "u2", "u3", None]),
            "user_phone": st.sampled_from(["+14155550101", "(415) 555 0102", None]),
            "status": st.sampled_from(["sent", "queued", "Opted Out", "holdout", "superseded", "STOP", "failed", None]),
            "message": st.sampled_from([LINK, "stop please", "Yes", "", "What time?", None]),
            "campaign_offset": st.one_of(st.none(), st.integers(-400, 20)),
            "sent_offset": st.one_of(st.none(), st.integers(-400, 20)),
            "created_offset": st.integers(-400, 20),
        }
    ),
    max_size=25,
)


def _as_airtable(drawn: list[dict]) -> list[dict]:
    """Records in Airtable's shape; a message key held twice keeps only its first row (the local store's index)."""
    records, keys = [], set()
    for number, item in enumerate(drawn):
        key = None if item["campaign_offset"] is None else f"{_day(item['campaign_offset'])}:{item['user_id']}"
        fields = {
            "user_id": item["user_id"],
            "user_phone": item["user_phone"],
            "status": item["status"],
            "message": item["message"],
            "campaign_date": _day(item["campaign_offset"]),
            "message_key": None if key in keys else key,
            "sent_date": _instant(item["sent_offset"]),
            "created_date": _instant(item["created_offset"]),
        }
        fields = {name: value for name, value in fields.items() if value is not None}
        keys.add(key)
        records.append({"id": f"rec{number:05d}", "createdTime": _instant(item["created_offset"]), "fields": fields})
    return records


def _decisions(review) -> tuple[dict, list]:
    return review.conflicts, sorted(review.superseded)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored_records)
def test_the_review_decides_from_the_window_what_it_decides_from_the_whole_table(drawn):
    stored = _as_airtable(drawn)
    writes = [record(user) for user in ("u1", "u2", "u3")] + [record("u4", user_phone="+14155550101")]
    whole = cooldown_review(stored, writes, DAY, 7)
    # As Airtable filters it:
    window = FakeAirtable(stored).listing(review_formula(DAY, 7), list(REVIEW_FIELDS))
    assert _decisions(cooldown_review(window, writes, DAY, 7)) == _decisions(whole)
    # As the local store selects it in SQLite, inside its publishing transaction:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "raw").mkdir()
        flat = [{"airtable_id": item["id"], **item["fields"]} for item in stored]
        (Path(folder) / "raw" / "messages.json").write_text(json.dumps(flat))
        outcomes = LocalMessageStore(data_dir=folder).publish(writes, DAY, 7)
    skipped = {outcome.message_key: outcome.skip_reason for outcome in outcomes if outcome.outcome == "skipped"}
    superseded = sorted(outcome.message_key for outcome in outcomes if outcome.outcome == "superseded")
    assert (skipped, superseded) == _decisions(whole)


@pytest.mark.slow
def test_a_year_of_history_costs_a_run_no_more_requests_than_a_week():
    """The benchmark's measure (`bench/airtable_reads.py`): a run's reads, the queue and publishing 30 texts with a
    week, then a year (255,500 records), of history behind them and yesterday's mirror in storage."""
    week, week_outcomes = requests_per_run(7, 700, 30)
    year, year_outcomes = requests_per_run(365, 700, 30)
    assert year_outcomes == week_outcomes and year <= 3 * week and year < 200  # 2,555 pages for the whole table


def test_the_fake_reads_formulas_as_airtable_does():
    stored = {
        "id": "rec1",
        "createdTime": "2024-02-01T00:00:00.000Z",
        "fields": {"status": " Queued ", "campaign_date": "2024-02-05", "message": "STOP"},
    }
    modified = dt.datetime(2024, 2, 9, tzinfo=dt.UTC)

    def holds(formula: str) -> bool:
        return compile_formula(formula)(Record(stored, modified))

    assert holds(QUEUED_FORMULA) and holds(review_formula(DAY, 7))
    assert holds("IS_AFTER(LAST_MODIFIED_TIME(), '2024-02-08T23:59:59.000Z')")
    assert not holds("IS_AFTER(LAST_MODIFIED_TIME(), DATETIME_PARSE('2024-02-09T00:00:00.000Z'))")
    assert not holds("IS_AFTER({sent_date}, '2020-01-01')")  # a blank field is never after a date
    assert holds("{sent_date}=''") and holds("LEN({message})=4") and holds("FIND('TO', {message})=2")
    assert holds("AND({message}='STOP', NOT({status}='queued'))")  # no trimming unless asked
    with pytest.raises(FormulaError):
        compile_formula("IS_AFTER({status}")
    with pytest.raises(FormulaError):
        compile_formula("NO_SUCH_FUNCTION(1)")
