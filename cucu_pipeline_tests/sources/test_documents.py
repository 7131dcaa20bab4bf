"""Raw documents in: Extended JSON, JSON Lines, malformed records, and one counted reason per rejection."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from bson import json_util

from cucu_pipeline.sources.documents import EventDocument, MessageRecord, OrderDocument, UserDocument
from cucu_pipeline.sources.exports import parse_export
from cucu_pipeline.sources.tables import column_values, normalize_documents, normalize_users, source_fields

UTC = dt.UTC


def test_extended_json_array_decodes_object_ids_and_dates():
    read = parse_export(
        '[{"_id": {"$oid": "65a60c12d289185d950ee881"}, "createdAt": {"$date": "2024-01-02T03:04:05Z"},'
        ' "old": {"$date": {"$numberLong": "-315619200000"}}, "price": {"$numberDecimal": "1.10"}}]'
    )
    (document,) = read.documents
    assert document["createdAt"] == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert document["old"].year == 1960
    # Ids stay wrapped (cheaper than building ObjectIds) and the models read them.
    assert normalize_documents(read.documents, OrderDocument).frame["id"].tolist() == ["65a60c12d289185d950ee881"]


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.678Z",
        "2024-01-02T03:04:05.678+02:00",
        "2024-01-02T03:04:05-0800",
        "2024-01-02T03:04:05",
        "1969-12-31T23:59:59.999Z",
        "2024-01-02",
    ],
)
def test_dates_decode_as_bson_decodes_them(text):
    wrapper = {"$date": text}
    try:
        expected = json_util.object_hook(dict(wrapper), json_util.JSONOptions(tz_aware=True))
    except ValueError:  # what bson cannot read stays raw
        expected = wrapper
    assert parse_export(json.dumps([{"at": wrapper}])).documents[0]["at"] == expected


def test_json_lines_with_a_broken_line_keeps_the_rest_and_counts_it():
    read = parse_export('{"id": "a"}\n{not json\n\n{"id": "b", "date": {"$date": "garbage"}}\n')
    assert [d["id"] for d in read.documents] == ["a", "b"]
    assert read.malformed == 1
    # The broken wrapper stays raw and fails only its own document.
    table = normalize_documents(read.documents, OrderDocument, malformed=read.malformed)
    assert table.frame["id"].tolist() == ["a"]
    assert table.rejected == {"malformed_json": 1, "unparseable_date": 1}
    assert table.loaded == table.kept + sum(table.rejected.values()) == 3


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"email": "a@b.co"}, "missing_id"),
        ({"id": "", "email": "a@b.co"}, "missing_id"),
        ({"id": "u1", "email": "not-an-email"}, "invalid_email"),
        ({"id": "u1", "email": "sam@@example"}, "invalid_email"),
        ({"id": "u1", "createdAt": "last tuesday"}, "unparseable_date"),
        ({"id": "u1", "birthDay": "2024-13-45T00:00:00Z"}, "unparseable_date"),
        ({"id": "u1", "birthDay": {"$date": "someday"}}, "unparseable_date"),
        ({"id": "u1", "interests": 42}, "wrong_type"),
        ({"id": "u1", "firstName": {"nested": True}}, "wrong_type"),
        ({"id": ["u1"]}, "wrong_type"),
        ({"id": "u1", "smsOptOut": "maybe"}, "wrong_type"),
        (None, "not_a_document"),
        ("user", "not_a_document"),
    ],
)
def test_unusable_members_are_rejected_with_one_reason(document, reason):
    table = normalize_users([document])
    assert table.kept == 0 and table.rejected == {reason: 1}


def test_members_are_normalized():
    table = normalize_users(
        [
            {
                "_id": {"$oid": "65a60c12d289185d950ee881"},
                "email": "  Sarah.Chen@Email.COM ",
                "phone": "(415) 555-0123",
                "interests": ["hiking", " hiking ", "", "cooking"],
                "createdAt": "2024-01-25",
                "smsOptOut": "yes",
            },
            {"id": 7, "email": "", "phone": "555-0123", "interests": "wine"},
            {"id": "7", "email": "dup@x.com"},
        ]
    )
    first, second = table.frame.to_dict("records")
    assert first["id"] == "65a60c12d289185d950ee881"  # `_id` stands in when `id` is missing
    assert first["email"] == "sarah.chen@email.com"
    assert first["phone_e164"] == "+14155550123"
    assert first["interests"] == ["hiking", "cooking"]
    assert first["created_at"] == pd.Timestamp("2024-01-25T08:00:00Z")  # a bare date is Pacific midnight
    assert first["sms_opt_out"]
    assert second["id"] == "7" and pd.isna(second["email"]) and second["phone_e164"] is None
    assert second["interests"] == ["wine"]
    assert table.rejected == {"duplicate_id": 1}  # the first of a duplicated id is kept


def test_events_keep_clean_participant_lists_and_typed_columns():
    table = normalize_documents(
        [
            {
                "id": "e1",
                "startDate": "2024-02-06T03:00:00.000Z",
                "maxParticipants": "12",
                "participants": ["A@x.com", "a@x.com ", "not an email", None],
            }
        ],
        EventDocument,
    )
    row = table.frame.iloc[0]
    assert row["participants"] == ["a@x.com"]
    assert row["max_participants"] == 12
    assert str(table.frame["start_date"].dtype) == "datetime64[us, UTC]"
    assert str(table.frame["max_participants"].dtype) == "Float64"


@pytest.mark.parametrize(
    "values",
    [
        ["Ana", None, "Zoë", ""],
        [None, "Ana"],
        [None, None],
        ["Ana", 3],
        [["a"], None],
        [True, False],
        ["x", 1.5],
        ["x", float("nan")],
        [b"x"],
        ["x", b"y"],
    ],  # fmt: skip
)
def test_columns_are_typed_as_pandas_infers_them(values):
    """Text columns are built through Arrow (pandas' own inference is seven times slower): each column has the
    dtype and the values pandas would give it, a column with no text or with other values included."""
    built, inferred = pd.DataFrame({"column": column_values(values)}), pd.DataFrame({"column": values})
    assert built["column"].dtype == inferred["column"].dtype
    pd.testing.assert_frame_equal(built, inferred)


def test_an_empty_source_still_has_every_column_typed():
    table = normalize_documents([], EventDocument)
    assert list(table.frame.columns) == list(EventDocument.model_fields)
    assert str(table.frame["start_date"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"id": "rec1", "fields": {"status": "sent", "created_date": "2024-01-01"}}, "missing_user"),
        ({"id": "rec1", "fields": {"user_id": "u1", "status": "sent"}}, "missing_date"),
        ({"id": "rec1", "fields": {"user_id": "u1", "sent_date": "soon"}}, "unparseable_date"),
        ({"id": "rec1", "fields": {"user_id": "u1", "campaign_date": "2024-02-31"}}, "unparseable_date"),
        ({"fields": {"user_id": "u1", "created_date": "2024-01-01"}}, "missing_id"),
        ({"id": "rec1"}, "not_a_document"),
    ],
)
def test_unusable_messages_are_rejected_with_one_reason(record, reason):
    assert normalize_documents([record], MessageRecord).rejected == {reason: 1}


def test_airtable_records_take_created_time_when_fields_have_no_dates():
    table = normalize_documents(
        [{"id": "rec1", "createdTime": "2024-01-01T20:00:00.000Z", "fields": {"user_email": "A@B.com"}}], MessageRecord
    )
    row = table.frame.iloc[0]
    assert row["record_created_at"] == pd.Timestamp("2024-01-01T20:00:00Z") and row["user_email"] == "a@b.com"


def test_projection_lists_source_field_names():
    assert {"_id", "id", "firstName", "birthDay", "smsOptOut"} <= set(source_fields(UserDocument))
    assert "startDate" in source_fields(EventDocument) and "start_date" not in source_fields(EventDocument)


def _record(record_id: str, **fields) -> dict:
    return {"id": record_id, "createdTime": "2025-06-01T16:00:00.000Z", "fields": {"user_id": "u1", **fields}}


def test_records_read_again_reuse_only_the_outcomes_of_records_that_did_not_change():
    remembered: dict = {}
    first = [_record("rec1", status="Sent"), _record("rec2", status="Queued"), _record("rec3", user_id=None)]
    normalize_documents(first, MessageRecord, remembered=remembered)
    second = [
        _record("rec1", status="Sent"),  # the same record, as a new read returns it
        _record("rec2", status="Withdrawn"),  # changed since: validated again
        _record("rec3", user_id="u3"),  # mended since: now kept
        {"id": "rec4", "fields": {}},  # new, and rejected
    ]
    again = normalize_documents(second, MessageRecord, remembered=remembered)
    fresh = normalize_documents(second, MessageRecord)
    pd.testing.assert_frame_equal(again.frame, fresh.frame)
    assert (again.loaded, again.rejected) == (fresh.loaded, fresh.rejected) == (4, {"missing_user": 1})
    assert again.frame["status"].tolist()[:2] == ["Sent", "Withdrawn"]
    # A record changed in place after it was read is not the record that was validated.
    second[0]["fields"]["user_id"] = None
    assert normalize_documents(second, MessageRecord, remembered=remembered).rejected == {"missing_user": 2}
