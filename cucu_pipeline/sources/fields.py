"""Field kinds of the source documents: each converts one raw value (plain JSON, Extended JSON or BSON) or rejects
the document with a reason (`missing_id`, `wrong_type`, `invalid_email`, `unparseable_date`, `implausible_value`,
`too_long`).

`FRAME_COLUMNS` says how each kind becomes a typed pandas column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any

import pandas as pd
from bson import ObjectId, json_util
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from cucu_pipeline.core.dates import PACIFIC

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MAX_EMAIL_LENGTH = 254  # RFC 5321's longest address
MAX_TEXT_LENGTH = 5000  # longer than any name, note or event description a person writes
MAX_SEATS = 1000  # a Cuculi table seats tens; a capacity beyond this is a typo or a broken value


def _blank_to_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _to_id(value: Any) -> str:
    if type(value) is str and value.strip():  # the common case first: these run for every field of every document
        return value.strip()
    value = _blank_to_none(value)
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, dict) and isinstance(value.get("$oid"), str):
        return value["$oid"]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PydanticCustomError("missing_id" if value is None else "wrong_type", "unusable id")
    return str(value).strip()


def _to_optional_id(value: Any) -> str | None:
    if type(value) is str:  # the common case first, as in `_to_id`
        return value.strip() or None
    return None if _blank_to_none(value) is None else _to_id(value)


def _to_instant(value: Any) -> dt.datetime | None:
    """ISO 8601 text (with `Z`), a BSON/Python datetime, or nothing; always returned in UTC.

    A bare calendar date (`2024-01-25`, as Airtable date fields hold) is that day's midnight in Pacific time, the
    team's calendar, so it stays the same day in every Pacific day count.
    """
    if type(value) is dt.datetime and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, dict) and "$date" in value:  # Extended JSON that reached us undecoded
        try:
            value = json_util.object_hook(value, json_util.JSONOptions(tz_aware=True))
        except Exception:  # bson raises several types for a malformed wrapper
            raise PydanticCustomError("unparseable_date", "not an Extended JSON date") from None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            raise PydanticCustomError("unparseable_date", "not an ISO 8601 date") from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=PACIFIC)
    if not isinstance(value, dt.datetime):
        raise PydanticCustomError("unparseable_date", "not a date")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _to_day(value: Any) -> dt.date | None:
    """A calendar date: `YYYY-MM-DD` text, a date, or a datetime (its UTC date)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("unparseable_date", "not a YYYY-MM-DD date") from None
    parsed = _to_instant(value)
    return None if parsed is None else parsed.date()


def _to_email(value: Any) -> str | None:
    value = _blank_to_none(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("wrong_type", "email is not text")
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        raise PydanticCustomError("invalid_email", "not an email address")
    return email


def _to_text(value: Any) -> str | None:
    if type(value) is str and len(value) <= MAX_TEXT_LENGTH:
        return value.strip() or None
    if value is None:  # the next most common: an unknown field
        return None
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("wrong_type", "expected text")
    text = str(value).strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise PydanticCustomError("too_long", "text longer than anyone writes")
    return text


def _to_text_list(value: Any) -> list[str]:
    """A list of non-empty strings; a lone string is a one-item list (a common hand-entered form)."""
    if value is None or value == []:
        return []
    value = _blank_to_none(value)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) or item is None for item in value):
        raise PydanticCustomError("wrong_type", "expected a list of text")
    return list(dict.fromkeys(item.strip() for item in value if item and item.strip()))


def _to_email_list(value: Any) -> list[str]:
    """Participant lists: emails trimmed and lower-cased, duplicates and non-emails dropped."""
    emails = (item.lower() for item in _to_text_list(value))
    return list(dict.fromkeys(email for email in emails if EMAIL_PATTERN.match(email)))


def _to_number(value: Any) -> float | None:
    value = _blank_to_none(value)
    if isinstance(value, dict) and "$numberDecimal" in value:
        value = value["$numberDecimal"]
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("wrong_type", "expected a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("wrong_type", "expected a number") from None
    if not math.isfinite(number):
        raise PydanticCustomError("implausible_value", "not a finite number")
    return number


def _to_seats(value: Any) -> float | None:
    """A capacity: a whole number of seats from 0 to `MAX_SEATS`."""
    seats = _to_number(value)
    if seats is not None and (seats != int(seats) or not 0 <= seats <= MAX_SEATS):
        raise PydanticCustomError("implausible_value", "not a plausible number of seats")
    return seats


def _to_flag(value: Any) -> bool:
    value = _blank_to_none(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "false", "no", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    raise PydanticCustomError("wrong_type", "expected a true/false flag")


Id = Annotated[str, BeforeValidator(_to_id)]
OptionalId = Annotated[str | None, BeforeValidator(_to_optional_id)]
Instant = Annotated[dt.datetime | None, BeforeValidator(_to_instant)]
Day = Annotated[dt.date | None, BeforeValidator(_to_day)]
Email = Annotated[str | None, BeforeValidator(_to_email)]
Text = Annotated[str | None, BeforeValidator(_to_text)]
TextList = Annotated[list[str], BeforeValidator(_to_text_list)]
EmailList = Annotated[list[str], BeforeValidator(_to_email_list)]
Number = Annotated[float | None, BeforeValidator(_to_number)]
Seats = Annotated[float | None, BeforeValidator(_to_seats)]
Flag = Annotated[bool, BeforeValidator(_to_flag)]


# How a column of each field kind is typed in a frame (kinds not listed stay object columns).
FRAME_COLUMNS = {
    _to_instant: lambda column: pd.to_datetime(column, utc=True).dt.as_unit("us"),
    _to_day: lambda column: pd.to_datetime(column).dt.as_unit("us"),
    _to_number: lambda column: pd.to_numeric(column).astype("Float64"),
    _to_seats: lambda column: pd.to_numeric(column).astype("Float64"),
    _to_flag: lambda column: column.astype(bool),
}
