"""The plain shape of a source model: the document as mongoexport writes it when every field holds what the model
expects (text as text, numbers as numbers, ids as text or `{"$oid"}`, instants as ISO 8601 text or `{"$date"}`),
decoded by msgspec in C into a struct, and each field's column finished as its validator finishes a value (trimmed,
lower-cased, de-duplicated, in UTC). A value the finish cannot vouch for is `SLOW`: its document goes to the model.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
from collections.abc import Callable
from typing import Any

import msgspec
from pydantic import AliasChoices, BeforeValidator

from cucu_pipeline.sources import fields
from cucu_pipeline.sources.documents import Document

SLOW = object()  # a value its model decides: the whole document goes to the model
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# A `{"$date"}` in milliseconds since 1970 that a datetime holds: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.
_MIN_MILLISECONDS, _MAX_MILLISECONDS = -62_135_596_800_000, 253_402_300_799_999


def _validator(kind: Any) -> Callable[[Any], Any]:
    """The function a field kind (`fields.Text`, ...) validates a raw value with."""
    return next(item.func for item in kind.__metadata__ if isinstance(item, BeforeValidator))


_TO_INSTANT = _validator(fields.Instant)


class _ObjectId(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    oid: str = msgspec.field(name="$oid")


class _Long(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    digits: str = msgspec.field(name="$numberLong")


class _Date(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    value: str | int | _Long = msgspec.field(name="$date")


# Each finish reads a column of decoded values, absent ones `UNSET`, which like None and "" is false.
def _text(values: list, limit: int = fields.MAX_TEXT_LENGTH) -> list:
    return [(value.strip() or None if len(value) <= limit else SLOW) if value else None for value in values]


def _email(values: list, pattern=fields.EMAIL_PATTERN, limit: int = fields.MAX_EMAIL_LENGTH) -> list:
    trimmed = [value.strip().lower() if value else None for value in values]
    return [(email if len(email) <= limit and pattern.match(email) else SLOW) if email else None for email in trimmed]


def _oid(value: Any) -> Any:
    return value.oid if type(value) is _ObjectId else SLOW


def _id(values: list) -> list:
    return [(value.strip() or SLOW) if type(value) is str else _oid(value) for value in values]  # null: missing_id


def _optional_id(values: list) -> list:
    return [(value.strip() or None if type(value) is str else _oid(value)) if value else None for value in values]


def _items(value: Any) -> list[str]:
    """`fields._to_text_list`: trimmed, non-empty, each once, in order."""
    if not value:
        return []
    if type(value) is str:
        return [value.strip()] if value.strip() else []
    return list(dict.fromkeys(filter(None, map(str.strip, value))))


def _text_list(values: list) -> list:
    return list(map(_items, values))


def _email_list(values: list, pattern=fields.EMAIL_PATTERN) -> list:
    """`fields._to_email_list`: lower-cased before the duplicates go, which keeps the same first of each."""
    return [list(dict.fromkeys(filter(pattern.match, map(str.lower, _items(value))))) for value in values]


def _instant(value: Any) -> Any:
    """What `fields._to_instant` makes of the value after `exports._object_hook`, or `SLOW`."""
    if value is None or value is msgspec.UNSET:
        return None
    if type(value) is str:
        try:
            return _TO_INSTANT(value)
        except ValueError:  # PydanticCustomError: the model names the reason
            return SLOW
    date = value.value
    if type(date) is _Long:  # what `int()` reads in `bson.json_util`, written plainly: "-123", never " 1_2"
        digits = date.digits[1:] if date.digits.startswith("-") else date.digits
        date = int(date.digits) if digits.isascii() and digits.isdecimal() else None
    if type(date) is int:
        return _EPOCH + dt.timedelta(milliseconds=date) if _MIN_MILLISECONDS <= date <= _MAX_MILLISECONDS else SLOW
    if type(date) is str and len(date) >= 20 and date[10] == "T":
        try:
            instant = dt.datetime.fromisoformat(date)
        except ValueError:
            return SLOW
        return instant.astimezone(dt.UTC) if instant.tzinfo is not None else SLOW
    return SLOW


def _instants(values: list) -> list:
    return list(map(_instant, values))


def _numbers(values: list) -> list:
    return [
        None if value is None or value is msgspec.UNSET else (value if math.isfinite(value) else SLOW)
        for value in values
    ]


def _seats(values: list) -> list:
    return [
        value if value is None or value is SLOW or (value == int(value) and 0 <= value <= fields.MAX_SEATS) else SLOW
        for value in _numbers(values)
    ]


def _flags(values: list) -> list:
    return [bool(value) if value is not msgspec.UNSET else False for value in values]


# Per field kind (its model validator): the type msgspec decodes the raw value as, and how a column of such values
# is finished. Anything else msgspec meets (a number for a name, a list of numbers, a broken wrapper) goes to the model.
_STR_OR_ID = str | _ObjectId | None
_TEXTS = list[str] | str | None
_KINDS: dict[Callable, tuple[Any, Callable[[list], list]]] = {
    _validator(fields.Id): (_STR_OR_ID, _id),
    _validator(fields.OptionalId): (_STR_OR_ID, _optional_id),
    _validator(fields.Text): (str | None, _text),
    _validator(fields.Email): (str | None, _email),
    _validator(fields.TextList): (_TEXTS, _text_list),
    _validator(fields.EmailList): (_TEXTS, _email_list),
    _validator(fields.Instant): (str | _Date | None, _instants),
    _validator(fields.Number): (float | None, _numbers),
    _validator(fields.Seats): (float | None, _seats),
    _validator(fields.Flag): (bool | None, _flags),
}


class PlainShape:
    """A model's plain shape: a msgspec struct with one attribute per document key the model reads, and per model
    field the attributes it reads (its aliases in order: the first present wins, as in pydantic) and its finish."""

    def __init__(self, model: type[Document]):
        keys: dict[str, Any] = {}
        self.fields: list[tuple[str, list[int], Callable[[list], list]]] = []
        for name, info in model.model_fields.items():
            validators = [item.func for item in info.metadata if isinstance(item, BeforeValidator)]
            kind, finish = _KINDS[validators[0]]  # a KeyError: no plain shape
            alias = info.validation_alias
            choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
            for key in choices:  # `_id` is both the id's second choice and `mongo_id`, of one kind
                if keys.setdefault(key, kind) != kind:
                    raise KeyError(key)
            self.fields.append((name, [list(keys).index(key) for key in choices], finish))
        attributes = [
            (f"k{index}", kind, msgspec.field(default=msgspec.UNSET, name=key))
            for index, (key, kind) in enumerate(keys.items())
        ]
        self.decoder = msgspec.json.Decoder(msgspec.defstruct(model.__name__, attributes, gc=False))

    def columns(self, structs: list) -> tuple[dict[str, list], set[int]]:
        """The finished columns of the decoded documents, and the documents (by index) a field's finish left to
        the model."""
        raw = list(zip(*map(msgspec.structs.astuple, structs))) or [()] * len(self.decoder.type.__struct_fields__)
        columns, slow = {}, set()
        for name, choices, finish in self.fields:
            values = raw[choices[0]]
            for other in choices[1:]:
                values = [value if value is not msgspec.UNSET else second for value, second in zip(values, raw[other])]
            columns[name] = finish(values)
            left = list(map(operator.is_, columns[name], itertools.repeat(SLOW)))
            if True in left:
                slow.update(itertools.compress(range(len(left)), left))
        return columns, slow


_SHAPES: dict[type[Document], PlainShape] = {}


def plain_shape(model: type[Document]) -> PlainShape | None:
    """The model's plain shape, or None when a field kind has none (Airtable records: they never come as exports)."""
    if model not in _SHAPES:
        try:
            _SHAPES[model] = PlainShape(model)
        except KeyError:
            return None
    return _SHAPES[model]
