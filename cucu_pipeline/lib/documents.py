"""Raw MongoDB documents and Airtable records in, typed and validated rows out.

Each source document is validated by a pydantic model. A document that cannot be used is not an error: it is
rejected with one reason (`missing_id`, `duplicate_id`, `invalid_email`, `unparseable_date`, `wrong_type`,
`not_a_document`, `malformed_json`; messages also `missing_user`, `missing_date`) and counted, so every table reconciles as loaded = kept + rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any, Iterable

import pandas as pd
from bson import ObjectId, json_util
from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from cucu_pipeline.lib.dates import PACIFIC
from cucu_pipeline.lib.phones import normalize_phones

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


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
    return None if _blank_to_none(value) is None else _to_id(value)


def _to_instant(value: Any) -> dt.datetime | None:
    """ISO 8601 text (with `Z`), a BSON/Python datetime, or nothing; always returned in UTC.

    A bare calendar date (`2024-01-25`, as Airtable date fields hold) is that day's midnight in Pacific time, the
    team's calendar, so it stays the same day in every Pacific day count.
    """
    if type(value) is dt.datetime and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
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
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


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
    if not EMAIL_PATTERN.match(email):
        raise PydanticCustomError("invalid_email", "not an email address")
    return email


def _to_text(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("wrong_type", "expected text")
    return str(value).strip()


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
        return float(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("wrong_type", "expected a number") from None


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
Flag = Annotated[bool, BeforeValidator(_to_flag)]


class _Document(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def parse(cls, document: Any) -> "_Document":
        if not isinstance(document, dict):
            raise PydanticCustomError("not_a_document", "not a JSON object")
        return cls.model_validate(document)

    @property
    def key(self) -> str:
        return self.id


class UserDocument(_Document):
    id: Id = Field(validation_alias=AliasChoices("id", "_id"))
    mongo_id: OptionalId = Field(None, validation_alias="_id")
    first_name: Text = Field(None, validation_alias="firstName")
    last_name: Text = Field(None, validation_alias="lastName")
    email: Email = None
    phone: Text = None
    interests: TextList = []
    home_neighborhood: Text = Field(None, validation_alias="homeNeighborhood")
    work_neighborhood: Text = Field(None, validation_alias="workNeighborhood")
    occupation: Text = None
    gender: Text = None
    relationship_status: Text = Field(None, validation_alias="relationshipStatus")
    table_type_preference: Text = Field(None, validation_alias="tableTypePreference")
    birth_day: Instant = Field(None, validation_alias="birthDay")
    created_at: Instant = Field(None, validation_alias="createdAt")
    role: Text = None
    preferred_cuisines: TextList = Field([], validation_alias="preferredCuisines")
    allergies: TextList = []
    sms_opt_out: Flag = Field(False, validation_alias=AliasChoices("smsOptOut", "optedOut"))


class EventDocument(_Document):
    id: Id = Field(validation_alias=AliasChoices("id", "_id"))
    name: Text = None
    start_date: Instant = Field(None, validation_alias="startDate")
    end_date: Instant = Field(None, validation_alias="endDate")
    type: Text = None
    event_status: Text = Field(None, validation_alias="eventStatus")
    max_participants: Number = Field(None, validation_alias="maxParticipants")
    min_participants: Number = Field(None, validation_alias="minParticipants")
    participants: EmailList = []
    invited_participants: EmailList = Field([], validation_alias="invitedParticipants")
    owner_id: OptionalId = Field(None, validation_alias="ownerId")
    venue_name: Text = Field(None, validation_alias="venueName")
    neighborhood: Text = None
    categories: TextList = []
    features: TextList = []
    description: Text = None


class OrderDocument(_Document):
    id: Id = Field(validation_alias=AliasChoices("id", "_id"))
    user_id: OptionalId = None
    event_id: OptionalId = None
    amount: Number = None
    date: Instant = None
    status: Text = None


class MessageRecord(_Document):
    """One Airtable Messages record, flattened: `{"id", "createdTime", "fields": {...}}` in, one row out."""

    record_id: Id
    record_created_at: Instant = None
    message_key: Text = None
    campaign_date: Day = None
    user_id: OptionalId = None
    user_email: Email = None
    event_id: OptionalId = None
    campaign: Text = None
    status: Text = None
    message: Text = None
    created_date: Instant = None
    sent_date: Instant = None

    @classmethod
    def parse(cls, record: Any) -> "MessageRecord":
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise PydanticCustomError("not_a_document", "not an Airtable record")
        return cls.model_validate(
            {**record["fields"], "record_id": record.get("id"), "record_created_at": record.get("createdTime")}
        )

    @property
    def key(self) -> str:
        return self.record_id

    @model_validator(mode="after")
    def _attributable_and_dated(self) -> "MessageRecord":
        if self.user_id is None and self.user_email is None:
            raise PydanticCustomError("missing_user", "names no member")
        if all(value is None for value in (self.campaign_date, self.created_date, self.sent_date, self.record_created_at)):
            raise PydanticCustomError("missing_date", "has no date")
        return self


@dataclass
class Normalized:
    """A validated table and the tally that reconciles it with what was read."""

    frame: pd.DataFrame
    loaded: int
    rejected: Counter = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return len(self.frame)


def rejection_reason(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "missing" and first["loc"] and first["loc"][0] in {"id", "record_id"}:
        return "missing_id"
    known = {"missing_id", "invalid_email", "unparseable_date", "wrong_type", "missing_user", "missing_date"}
    return first["type"] if first["type"] in known else "wrong_type"


def normalize_documents(
    documents: Iterable[Any], model: type[_Document], *, malformed: int = 0
) -> Normalized:
    """Validate documents into a typed frame; duplicates of an id keep the first document seen."""
    rows, rejected, seen = [], Counter(), set()
    loaded = malformed
    if malformed:
        rejected["malformed_json"] = malformed
    for document in documents:
        loaded += 1
        try:
            row = model.parse(document)
        except PydanticCustomError as error:
            rejected[error.type] += 1
            continue
        except ValidationError as error:
            rejected[rejection_reason(error)] += 1
            continue
        if row.key in seen:
            rejected["duplicate_id"] += 1
            continue
        seen.add(row.key)
        rows.append(row.__dict__)  # the validated fields; model_dump() would copy them again, 15 us a row
    return Normalized(frame=_typed_frame(rows, model), loaded=loaded, rejected=rejected)


_COLUMN_TYPES = {
    _to_instant: lambda column: pd.to_datetime(column, utc=True).dt.as_unit("us"),
    _to_day: lambda column: pd.to_datetime(column).dt.as_unit("us"),
    _to_number: lambda column: pd.to_numeric(column).astype("Float64"),
    _to_flag: lambda column: column.astype(bool),
}


def _typed_frame(rows: list[dict], model: type[_Document]) -> pd.DataFrame:
    """Rows to a frame whose dtypes follow the model, also when no row survived."""
    frame = pd.DataFrame(rows, columns=list(model.model_fields))
    for name, info in model.model_fields.items():
        validators = [item.func for item in info.metadata if isinstance(item, BeforeValidator)]
        convert = _COLUMN_TYPES.get(validators[0]) if validators else None
        if convert is not None:
            frame[name] = convert(frame[name])
    return frame


def source_fields(model: type[_Document]) -> list[str]:
    """The document field names a model reads, for a MongoDB projection."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
        names.extend(choice for choice in choices if isinstance(choice, str) and choice not in names)
    return names


def normalize_users(documents: Iterable[Any], *, malformed: int = 0) -> Normalized:
    """Members, with `phone_e164`: the phone in E.164 when it is a valid US number, else None."""
    table = normalize_documents(documents, UserDocument, malformed=malformed)
    table.frame["phone_e164"] = normalize_phones(table.frame["phone"])
    return table
