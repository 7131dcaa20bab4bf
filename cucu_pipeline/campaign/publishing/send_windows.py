"""When a text may be sent: 10:00–20:00 in the member's local time on the campaign date.

That window sits inside the federal TCPA window (8:00–21:00) and the strictest common state windows (FL, OK, MD,
MA, NJ 8–20; CT 9–20; KY 10–21) (docs/writing.md: "Send windows"). The time zone comes from the phone number's area code
(`phonenumbers`); an area code spanning several zones gets the window all of them allow; a number with no
geography (toll-free) gets Pacific time, Cuculi's own.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd
import phonenumbers
from phonenumbers import timezone as phone_timezones

from cucu_pipeline.campaign.checks.when import BEFORE_START
from cucu_pipeline.campaign.writing.attempts import SKIPPED, publishable_mask
from cucu_pipeline.core.dates import PACIFIC_TZ_NAME

WINDOW_OPENS, WINDOW_CLOSES = dt.time(10), dt.time(20)
NO_WINDOW = "no_send_window_before_event"
UNKNOWN_ZONE = "Etc/Unknown"
WINDOW_COLUMNS = ["send_timezone", "send_after", "send_before"]


@cache
def _zones_for_prefix(prefix: str) -> tuple[str, ...]:
    """Zones of `+1NPANXX`, the longest prefix phonenumbers maps to a US time zone."""
    try:
        number = phonenumbers.parse(f"{prefix}{'0' * (12 - len(prefix))}")
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_number_geographical(number):
        return ()
    return tuple(zone for zone in phone_timezones.time_zones_for_geographical_number(number) if zone != UNKNOWN_ZONE)


def phone_time_zones(phone_e164: object) -> tuple[str, ...]:
    """The IANA zones of a US number in E.164, or () when its area code says nothing about where it is."""
    if not isinstance(phone_e164, str) or not phone_e164.startswith("+1") or len(phone_e164) != 12:
        return ()
    return _zones_for_prefix(phone_e164[:8])


@cache
def _window(zones: tuple[str, ...], campaign_date: dt.date) -> tuple[str, str, str]:
    """(zone, send_after, send_before) for one set of zones, as ISO timestamps with the member's UTC offset."""
    zones = zones or (PACIFIC_TZ_NAME,)
    opens = max(pd.Timestamp.combine(campaign_date, WINDOW_OPENS).tz_localize(zone) for zone in zones)
    closes = min(pd.Timestamp.combine(campaign_date, WINDOW_CLOSES).tz_localize(zone) for zone in zones)
    if opens >= closes:  # zones too far apart to share a window: fall back to Pacific time
        return _window((), campaign_date)
    return zones[0], opens.tz_convert(zones[0]).isoformat(), closes.tz_convert(zones[0]).isoformat()


def send_windows(phones: pd.Series, campaign_date: dt.date) -> pd.DataFrame:
    """One row per phone (same index): `send_timezone`, `send_after`, `send_before`."""
    windows = [_window(phone_time_zones(phone), campaign_date) for phone in phones]
    return pd.DataFrame(windows or None, index=phones.index, columns=WINDOW_COLUMNS)


def with_send_windows(
    messages: pd.DataFrame, members: pd.DataFrame, events: pd.DataFrame, campaign_date: dt.date
) -> pd.DataFrame:
    """`messages` (one row per member, `user_id`, `event_id`) with each member's send window added. For an event
    that starts on the day, the window closes `BEFORE_START` ahead of it; a text whose window is then empty is
    skipped (`no_send_window_before_event`): it could only arrive too late."""
    phones = messages["user_id"].map(members.set_index("id")["phone"])
    windowed = pd.concat([messages, send_windows(phones, campaign_date)], axis=1)
    if windowed.empty:
        return windowed
    latest = messages["event_id"].map(events.set_index("id")["start_date"]) - BEFORE_START
    closes = pd.to_datetime(windowed["send_before"], utc=True)
    early = latest.notna() & latest.lt(closes)
    windowed.loc[early, "send_before"] = [
        instant.tz_convert(zone).isoformat()
        for instant, zone in zip(latest[early], windowed.loc[early, "send_timezone"])
    ]
    too_late = early & latest.le(pd.to_datetime(windowed["send_after"], utc=True)) & publishable_mask(windowed)
    windowed.loc[too_late, ["status", "message", "skip_reason"]] = [SKIPPED, "", NO_WINDOW]
    windowed.loc[too_late, ["send_timezone", "send_after", "send_before"]] = None
    return windowed
