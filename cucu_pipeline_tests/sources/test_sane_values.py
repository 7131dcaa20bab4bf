"""Values with sane bounds at the boundary: capacities are finite whole numbers of seats, ages 13 to 110 or unknown,
text and emails no longer than anyone writes; anything else is rejected with a counted reason and never reaches a
text."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from cucu_pipeline.core.dates import age_on
from cucu_pipeline.sources.documents import EventDocument
from cucu_pipeline.sources.exports import parse_export
from cucu_pipeline.sources.tables import normalize_documents, normalize_users
from cucu_pipeline_tests.conftest import event, member


@pytest.mark.parametrize(
    "capacity, kept",
    [
        (12, True),
        ({"$numberInt": "12"}, True),
        (0, True),
        ({"$numberDouble": "Infinity"}, False),
        ({"$numberDouble": "NaN"}, False),
        (9223372036854775807, False),
        (5000, False),
        (-3, False),
        (12.5, False),
    ],
)
def test_a_capacity_is_a_whole_number_of_seats(capacity, kept):
    document = event("e1", "Pasta Night", "2025-07-01T02:00:00Z", [], maxParticipants=capacity)
    table = normalize_documents(parse_export(json.dumps([document])).documents, EventDocument)
    assert (table.kept == 1) is kept
    assert dict(table.rejected) == ({} if kept else {"implausible_value": 1})


def test_a_ten_megabyte_email_or_text_is_rejected_with_its_reason():
    users = [
        member("u1", "Sarah", "Chen"),
        member("u2", "Mateo", "Ruiz", email="m" * 10_000_000 + "@email.com"),
        member("u3", "Priya", "Shah", occupation="x" * 10_000),
    ]
    table = normalize_users(users)
    assert list(table.frame["id"]) == ["u1"]
    assert dict(table.rejected) == {"invalid_email": 1, "too_long": 1}


@pytest.mark.parametrize(
    "birthday, age",
    [("1990-06-15", 35), ("9999-12-31", None), ("1900-01-01", None), ("2020-01-01", None), ("2012-06-15", 13)],
)
def test_an_age_outside_13_to_110_is_unknown(birthday, age):
    ages = age_on(pd.Series(pd.to_datetime([birthday], utc=True)), dt.date(2025, 6, 15))
    assert (None if pd.isna(ages.iloc[0]) else int(ages.iloc[0])) == age
