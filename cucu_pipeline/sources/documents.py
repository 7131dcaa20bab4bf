"""The source documents: MongoDB members, events and orders, and Airtable message records, as pydantic models.

A model reads a document's camelCase fields into snake_case columns; a field that cannot be used rejects the whole
document with one reason (see docs/assets.md: "Bad records").
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from cucu_pipeline.sources.fields import (
    Day,
    Email,
    EmailList,
    Flag,
    Id,
    Instant,
    Number,
    OptionalId,
    Seats,
    Text,
    TextList,
)


class Document(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def parse(cls, document: Any) -> Document:
        if not isinstance(document, dict):
            raise PydanticCustomError("not_a_document", "not a JSON object")
        return cls.model_validate(document)

    @property
    def key(self) -> str:
        return self.id


class UserDocument(Document):
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


class EventDocument(Document):
    id: Id = Field(validation_alias=AliasChoices("id", "_id"))
    name: Text = None
    start_date: Instant = Field(None, validation_alias="startDate")
    end_date: Instant = Field(None, validation_alias="endDate")
    type: Text = None
    event_status: Text = Field(None, validation_alias="eventStatus")
    max_participants: Seats = Field(None, validation_alias="maxParticipants")
    min_participants: Seats = Field(None, validation_alias="minParticipants")
    participants: EmailList = []
    invited_participants: EmailList = Field([], validation_alias="invitedParticipants")
    owner_id: OptionalId = Field(None, validation_alias="ownerId")
    venue_name: Text = Field(None, validation_alias="venueName")
    neighborhood: Text = None
    categories: TextList = []
    features: TextList = []
    description: Text = None


class OrderDocument(Document):
    id: Id = Field(validation_alias=AliasChoices("id", "_id"))
    user_id: OptionalId = None
    event_id: OptionalId = None
    amount: Number = None
    date: Instant = None
    status: Text = None


class MessageRecord(Document):
    """One Airtable Messages record, flattened: `{"id", "createdTime", "fields": {...}}` in, one row out."""

    record_id: Id
    record_created_at: Instant = None
    message_key: Text = None
    campaign_date: Day = None
    user_id: OptionalId = None
    user_email: Email = None
    user_phone: Text = None
    event_id: OptionalId = None
    event_date: Instant = None
    campaign: Text = None
    status: Text = None
    message: Text = None
    created_date: Instant = None
    sent_date: Instant = None
    experiment: Text = None
    arm: Text = None
    user_segment: Text = None
    segments: Number = None
    writing_cost_usd: Number = None
    lead_reason: Text = None  # the kind of reason the text led with
    line: Text = None  # the library line that wrote it, or `claude`

    @classmethod
    def parse(cls, record: Any) -> MessageRecord:
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise PydanticCustomError("not_a_document", "not an Airtable record")
        return cls.model_validate(
            {**record["fields"], "record_id": record.get("id"), "record_created_at": record.get("createdTime")}
        )

    @property
    def key(self) -> str:
        return self.record_id

    @model_validator(mode="after")
    def _attributable_and_dated(self) -> MessageRecord:
        if self.user_id is None and self.user_email is None and self.user_phone is None:
            raise PydanticCustomError("missing_user", "names no member")  # a reply may name only its sender's phone
        if all(
            value is None for value in (self.campaign_date, self.created_date, self.sent_date, self.record_created_at)
        ):
            raise PydanticCustomError("missing_date", "has no date")
        return self
