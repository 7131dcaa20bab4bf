"""The Messages table set up by a command, against the fake Airtable's metadata API: `setup` creates the table or
adds the fields it lacks with their types, `check` reports what is missing and changes nothing, and a run that meets
a missing field names it and the command (docs/airtable.md: "Setting up the table")."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.airtable.__main__ import main
from cucu_pipeline.campaign.publishing.records import airtable_records
from cucu_pipeline.clients.airtable_http import refusal
from cucu_pipeline.clients.airtable_schema import MESSAGES_FIELDS, SETUP_COMMAND, field_model
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.conftest import production_environment
from cucu_pipeline_tests.fakes.airtable import FakeAirtable


def test_setup_creates_the_table_then_check_finds_nothing_missing(monkeypatch, tmp_path, capsys):
    fake = FakeAirtable()
    with fake.serve() as url:
        environ = production_environment(monkeypatch, tmp_path, "http://127.0.0.1:9", url)
        assert main(["check"], environ) == 1 and "no such table" in capsys.readouterr().out
        assert fake.tables == {}  # check changes nothing
        assert main(["setup"], environ) == 0
        assert main(["check"], environ) == 0
    out = capsys.readouterr().out
    assert "every field the pipeline writes and reads is there" in out
    fields = fake.tables["Messages"]["fields"]
    assert [field["name"] for field in fields] == list(MESSAGES_FIELDS)  # message_key first: the primary field
    assert {field["name"]: field["type"] for field in fields}["needs_review"] == "checkbox"


def test_setup_adds_only_the_fields_a_table_lacks_and_reports_a_field_of_another_type(monkeypatch, tmp_path, capsys):
    fake = FakeAirtable()
    kept = [field_model(name) for name in MESSAGES_FIELDS if name not in ("withdrawn_reason", "quality_score")]
    fake.tables["Messages"] = {"id": "tblMessages0000001", "fields": []}
    for field in kept:
        fake._add_field("Messages", {**field, "type": "singleLineText"} if field["name"] == "send_after" else field)
    with fake.serve() as url:
        environ = production_environment(monkeypatch, tmp_path, "http://127.0.0.1:9", url)
        assert main(["check"], environ) == 1
        checked = capsys.readouterr().out
        assert "missing quality_score, withdrawn_reason" in checked and SETUP_COMMAND in checked
        assert main(["setup"], environ) == 0
    out = capsys.readouterr().out
    assert "created quality_score, withdrawn_reason" in out
    assert "send_after is singleLineText, the pipeline writes dateTime" in out  # reported, never changed
    names = [field["name"] for field in fake.tables["Messages"]["fields"]]
    assert sorted(names) == sorted(MESSAGES_FIELDS) and len(names) == len(set(names))


@pytest.mark.slow  # the graph up to the texts, on the sample data
def test_every_field_a_run_writes_is_one_setup_creates(sample_data_dir):
    day = dt.date(2025, 6, 15)
    result = dg.materialize(
        ASSETS,
        selection="*matched_messages",
        resources=build_resources({"CUCU_DATA_DIR": str(sample_data_dir)}),
        partition_key=day.isoformat(),
    )
    messages = result.output_for_node("matched_messages")
    users, events = result.output_for_node("enriched_users"), result.output_for_node("enriched_events")
    records = airtable_records(messages, users, events, day, pd.Timestamp("2025-06-15T17:00Z"), "copy_styles")
    written = {name for record in records for name in record}
    assert len(records) > 100 and written <= set(MESSAGES_FIELDS), written - set(MESSAGES_FIELDS)
    assert {"withdrawn_reason", "sent_date"} <= set(MESSAGES_FIELDS)  # what the withdrawals and the team write


class _Answer:
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


def test_a_run_that_meets_a_missing_field_names_it_and_the_command():
    error = type("HTTPError", (), {})()
    message = 'Unknown field name: "withdrawn_reason"'
    error.response = _Answer({"error": {"type": "UNKNOWN_FIELD_NAME", "message": message}})
    said = refusal(error)
    assert said.startswith('UNKNOWN_FIELD_NAME on "withdrawn_reason"') and SETUP_COMMAND in said
