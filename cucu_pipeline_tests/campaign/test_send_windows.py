"""Send windows: 10:00–20:00 in the member's local time, from the phone's area code, Pacific when unknown."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from cucu_pipeline.campaign.send_windows import send_windows
from cucu_pipeline.clients.airtable import MESSAGE_FIELDS, LocalMessageStore

SUMMER, WINTER = dt.date(2025, 6, 15), dt.date(2025, 1, 15)


@pytest.mark.parametrize(
    ("phone", "day", "window"),
    [
        ("+14155550123", SUMMER, ("America/Los_Angeles", "2025-06-15T10:00:00-07:00", "2025-06-15T20:00:00-07:00")),
        ("+14155550123", WINTER, ("America/Los_Angeles", "2025-01-15T10:00:00-08:00", "2025-01-15T20:00:00-08:00")),
        ("+12125550123", SUMMER, ("America/New_York", "2025-06-15T10:00:00-04:00", "2025-06-15T20:00:00-04:00")),
        ("+18085550123", SUMMER, ("Pacific/Honolulu", "2025-06-15T10:00:00-10:00", "2025-06-15T20:00:00-10:00")),
        # An area code across two zones: what both allow (opens at 10:00 in the western zone, closes at 20:00 in
        # the eastern).
        ("+16055550123", SUMMER, ("America/Denver", "2025-06-15T10:00:00-06:00", "2025-06-15T19:00:00-06:00")),
        # No geography (toll-free), no phone, or not E.164: Pacific, Cuculi's own time.
        ("+18005550123", SUMMER, ("America/Los_Angeles", "2025-06-15T10:00:00-07:00", "2025-06-15T20:00:00-07:00")),
        (None, SUMMER, ("America/Los_Angeles", "2025-06-15T10:00:00-07:00", "2025-06-15T20:00:00-07:00")),
        ("415-555-0123", SUMMER, ("America/Los_Angeles", "2025-06-15T10:00:00-07:00", "2025-06-15T20:00:00-07:00")),
    ],
)
def test_window_in_local_time(phone, day, window):
    assert tuple(send_windows(pd.Series([phone]), day).iloc[0]) == window


def test_every_window_is_inside_the_strictest_state_hours_for_every_area_code():
    phones = pd.Series([f"+1{npa}5550123" for npa in range(201, 990)])
    windows = send_windows(phones, SUMMER)
    for zone, after, before in windows.itertuples(index=False):
        opens, closes = (pd.Timestamp(value).tz_convert(zone) for value in (after, before))
        assert dt.time(10) <= opens.time() and closes.time() <= dt.time(20) and opens < closes
        assert opens.date() == closes.date() == SUMMER


def test_a_store_made_before_send_windows_gains_the_columns(tmp_path):
    old = sqlite3.connect(tmp_path / "airtable.sqlite")
    old.execute('CREATE TABLE messages (record_id TEXT PRIMARY KEY, created_time TEXT, "user_id", "message_key")')
    old.execute("INSERT INTO messages VALUES ('rec1', NULL, 'u1', '2024-01-01:u1')")
    old.commit()
    old.close()
    store = LocalMessageStore(data_dir=str(tmp_path))
    assert [r["fields"] for r in store.fetch_records()] == [{"user_id": "u1", "message_key": "2024-01-01:u1"}]
    columns = [row[1] for row in sqlite3.connect(store.path).execute("PRAGMA table_info(messages)")]
    assert {"send_timezone", "send_after", "send_before"} <= set(columns) and set(MESSAGE_FIELDS) <= set(columns)
