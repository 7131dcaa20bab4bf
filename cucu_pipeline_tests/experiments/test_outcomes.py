"""Outcomes per assigned member: bookings and STOPs counted only inside the attribution window, whoever's id the
order carries; holdouts never sent; superseded and duplicate records out; what has not happened by now not counted."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.experiments.outcomes import OUTCOME_COLUMNS, campaign_outcomes
from cucu_pipeline_tests.conftest import member, tables

DAY = dt.date(2026, 11, 2)
OPENS = pd.Timestamp("2026-11-02T18:00:00Z")  # 10:00 Pacific, the reference instant
LATER = pd.Timestamp("2027-01-01T00:00:00Z")


def record(user_id: str, arm: str, status: str, day: dt.date = DAY, **fields) -> dict:
    created = fields.pop("created", "2026-11-02T18:00:00.000Z")
    return {
        "id": f"rec{user_id}{day:%m%d}{fields.pop('copy', '')}",
        "createdTime": created,
        "fields": {
            "message_key": f"{day.isoformat()}:{user_id}",
            "campaign_date": day.isoformat(),
            "user_id": user_id,
            "event_id": "event_a",
            "campaign": "Fill the Table",
            "experiment": "copy_styles",
            "arm": arm,
            "user_segment": "active_regular",
            "status": status,
            "segments": 1,
            "writing_cost_usd": 0.004,
            "created_date": created,
            **fields,
        },
    }


def order(user_id: str, event_id: str, placed: str, status: str = "paid") -> dict:
    identity = {"_id": f"order_{user_id}_{event_id}_{placed}", "user_id": user_id, "event_id": event_id}
    return identity | {"date": placed, "status": status, "amount": 45}


def outcomes_of(records: list[dict], orders: list[dict], now: pd.Timestamp = LATER, **rules) -> pd.DataFrame:
    users = [member(f"u{number}", "Ann", f"Lee{number}") for number in range(1, 9)]
    frames = tables({"users": users, "events": [], "orders": orders, "messages": records})
    found = campaign_outcomes(frames["messages"], frames["orders"], frames["users"], [DAY], CampaignRules(**rules), now)
    return found.set_index("user_id")


def test_bookings_count_inside_the_window_only():
    found = outcomes_of(
        [record("u1", "warm", "sent"), record("u2", "warm", "sent"), record("u3", "holdout", "holdout")]
        + [record("u4", "playful", "queued"), record("u5", "playful", "sent")],
        [
            order("u1", "event_a", "2026-11-03T18:00:00Z"),  # the invited event, a day later
            order("u2", "event_b", "2026-11-09T17:59:00Z"),  # another event, a minute before the window closes
            order("u3", "event_a", "2026-11-02T17:00:00Z"),  # before the reference instant: not this text's doing
            order("u4", "event_a", "2026-11-09T18:01:00Z"),  # a minute after the window closed
            order("u5", "event_a", "2026-11-04T18:00:00Z", status="refunded"),
        ],
    )
    assert sorted(found.reset_index().columns) == sorted(OUTCOME_COLUMNS)
    assert found["booked_invited_event"].to_dict() == {"u1": True, "u2": False, "u3": False, "u4": False, "u5": False}
    assert found["booked_any_event"].to_dict() == {"u1": True, "u2": True, "u3": False, "u4": False, "u5": False}
    assert found.loc["u1", "days_to_booking"] == 1.0 and found.loc["u2", "days_to_booking"] == pytest.approx(
        7, abs=0.01
    )
    assert found["days_to_booking"].isna().tolist() == [False, False, True, True, True]
    assert found["sent"].to_dict() == {"u1": True, "u2": True, "u3": False, "u4": False, "u5": True}
    assert found.loc["u3", "cost_usd"] == 0.004 and found.loc["u1", "cost_usd"] == pytest.approx(0.004 + 0.0083)
    assert found.loc["u4", "cost_usd"] == 0.004  # written, never sent: no segment paid


def test_a_longer_window_and_an_order_by_mongo_id():
    mongo_id = member("u2", "Ann", "Lee2")["_id"]["$oid"]
    records = [record("u1", "warm", "sent"), record("u2", "holdout", "holdout")]
    orders = [order("u1", "event_a", "2026-11-12T18:00:00Z"), order(mongo_id, "event_a", "2026-11-03T18:00:00Z")]
    assert outcomes_of(records, orders)["booked_any_event"].tolist() == [False, True]
    assert outcomes_of(records, orders, attribution_days=14)["booked_any_event"].tolist() == [True, True]


def test_an_open_window_counts_only_what_has_happened():
    records = [record("u1", "warm", "sent")]
    orders = [order("u1", "event_a", "2026-11-05T18:00:00Z")]
    assert not outcomes_of(records, orders, now=pd.Timestamp("2026-11-04T00:00:00Z"))["booked_any_event"].any()
    assert outcomes_of(records, orders, now=pd.Timestamp("2026-11-06T00:00:00Z"))["booked_any_event"].all()


def test_a_stop_in_the_window_is_an_opt_out():
    records = [
        record("u1", "warm", "opted_out", sent_date="2026-11-02T19:00:00.000Z"),
        record("u2", "warm", "sent"),
        record("u3", "warm", "sent"),
        # u2 answers STOP to a later text inside the window; u3 only after it closed
        record("u2", "warm", "sent", day=dt.date(2026, 11, 5), message="STOP", created="2026-11-06T00:00Z"),
        record("u3", "warm", "opted_out", day=dt.date(2026, 11, 20), created="2026-11-20T18:00:00.000Z"),
    ]
    found = outcomes_of(records, [])
    assert found["opted_out"].to_dict() == {"u1": True, "u2": True, "u3": False}
    assert found.loc["u1", "sent"]  # an opted-out text was sent first


def test_only_the_dates_assigned_members_once_each():
    records = [
        record("u1", "warm", "sent"),
        record("u1", "warm", "sent", copy="b", created="2026-11-02T19:00:00.000Z"),  # a duplicate row of one key
        record("u2", "playful", "superseded"),  # an earlier date's text replaced it: not in this date's experiment
        record("u3", "playful", "sent", day=dt.date(2026, 11, 3)),
        {"id": "recold", "createdTime": "2026-11-02T18:00:00.000Z", "fields": {"user_id": "u4", "status": "sent"}},
    ]
    found = outcomes_of(records, [])
    assert found.index.tolist() == ["u1"] and found.loc["u1", "arm"] == "warm"


def test_a_date_nobody_was_assigned_on_has_no_rows():
    found = outcomes_of([record("u1", "warm", "sent", day=dt.date(2026, 11, 3))], [order("u1", "a", "2026-11-03")])
    assert found.empty and sorted(found.reset_index().columns) == sorted(OUTCOME_COLUMNS)
