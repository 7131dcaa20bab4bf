"""Send windows: 10:00–20:00 in the member's local time, from the phone's area code, Pacific when unknown."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from cucu_pipeline.campaign.publishing.send_windows import NO_WINDOW, send_windows, with_send_windows
from cucu_pipeline.clients.airtable import MESSAGE_FIELDS
from cucu_pipeline.clients.airtable_local import LocalMessageStore

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


def test_a_same_day_event_closes_the_window_an_hour_before_it_starts_or_skips_the_text():
    members = pd.DataFrame({"id": ["pacific", "eastern", "late"], "phone": ["+14155550123", "+12125550123", None]})
    events = pd.DataFrame(
        {
            "id": ["lunch", "supper", "next_week"],
            "start_date": pd.to_datetime(
                ["2025-06-15T17:30:00Z", "2025-06-16T02:00:00Z", "2025-06-22T02:00:00Z"], utc=True
            ),  # 10:30am and 7pm PDT on the day, 7pm a week later
        }
    )
    messages = pd.DataFrame(
        {
            "user_id": ["pacific", "eastern", "late"],
            "event_id": ["lunch", "lunch", "supper"],
            "status": ["ready", "fallback", "ready"],
            "message": ["a", "b", "c"],
            "skip_reason": [None, None, None],
        }
    )
    windowed = with_send_windows(messages, members, events, SUMMER).set_index("user_id")
    # Pacific opens at 10:00, after 9:30 (an hour before the 10:30 lunch): no window, no text.
    assert windowed.loc["pacific", ["status", "message", "skip_reason"]].tolist() == ["skipped", "", NO_WINDOW]
    assert pd.isna(windowed.loc["pacific", "send_before"])
    # New York opens at 7:00 Pacific and now closes at 9:30 Pacific.
    assert windowed.loc["eastern", ["status", "send_after", "send_before"]].tolist() == [
        "fallback",
        "2025-06-15T10:00:00-04:00",
        "2025-06-15T12:30:00-04:00",
    ]
    assert windowed.loc["late", "send_before"] == "2025-06-15T18:00:00-07:00"  # 7pm supper: closes at 6pm
    later = with_send_windows(messages.assign(event_id="next_week"), members, events, SUMMER)
    assert later["send_before"].str.endswith("T20:00:00-07:00").sum() == 2  # other days keep 20:00
