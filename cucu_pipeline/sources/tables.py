"""Documents in, typed tables out, with the tally that reconciles them: loaded = kept + rejected (by reason).

A document that cannot be used is not an error: it is rejected with one reason (`missing_id`, `duplicate_id`,
`invalid_email`, `unparseable_date`, `wrong_type`, `implausible_value`, `too_long`, `not_a_document`,
`malformed_json`; messages also
`missing_user`, `missing_date`) and counted.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import AliasChoices, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from cucu_pipeline.sources.documents import Document, UserDocument
from cucu_pipeline.sources.fields import FRAME_COLUMNS
from cucu_pipeline.sources.phones import normalize_phones

_TEXT = pd.StringDtype(na_value=np.nan)  # pandas' default text dtype, Arrow-backed where pyarrow is installed


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
    known = {
        "missing_id",
        "invalid_email",
        "unparseable_date",
        "wrong_type",
        "missing_user",
        "missing_date",
        "implausible_value",
        "too_long",
    }
    return first["type"] if first["type"] in known else "wrong_type"


def normalize_documents(
    documents: Iterable[Any], model: type[Document], *, malformed: int = 0, remembered: dict | None = None
) -> Normalized:
    """Validate documents into a typed frame; duplicates of an id keep the first document seen.

    `remembered` (Airtable records only, a dict kept across reads): a record unchanged since an earlier read reuses
    that read's outcome, so a run that reads its Messages table three times validates each record once."""
    validate = (
        functools.partial(document_outcome, model)
        if remembered is None
        else functools.partial(_remembered_outcome, model, remembered)
    )
    rows, rejected, seen = [], Counter(), set()
    loaded = malformed
    if malformed:
        rejected["malformed_json"] = malformed
    for document in documents:
        loaded += 1
        row, reason = validate(document)
        if reason is not None:
            rejected[reason] += 1
            continue
        if row.key in seen:
            rejected["duplicate_id"] += 1
            continue
        seen.add(row.key)
        rows.append(row.__dict__)  # the validated fields; model_dump() would copy them again, 15 us a row
    columns = {name: [row[name] for row in rows] for name in model.model_fields}
    return Normalized(frame=typed_frame(columns, model), loaded=loaded, rejected=rejected)


def document_outcome(model: type[Document], document: Any) -> tuple[Document | None, str | None]:
    """The validated document, or why it is rejected."""
    try:
        return model.parse(document), None
    except PydanticCustomError as error:
        return None, error.type
    except ValidationError as error:
        return None, rejection_reason(error)


def _remembered_outcome(model: type[Document], remembered: dict, record: Any) -> tuple[Document | None, str | None]:
    """`document_outcome` of an Airtable record, reused while its id, creation time and fields stay the same (a copy
    of the fields is kept: a caller changing the record in place changes what it is compared with, never the copy)."""
    key = record.get("id") if isinstance(record, dict) else None
    fields = record.get("fields") if isinstance(record, dict) else None
    if not isinstance(key, str) or not isinstance(fields, dict):
        return document_outcome(model, record)
    state = (record.get("createdTime"), fields)
    known = remembered.get(key)
    if known is not None and known[0] == state:
        return known[1]
    outcome = document_outcome(model, record)
    remembered[key] = ((state[0], dict(fields)), outcome)
    return outcome


def column_values(values: list) -> Any:
    """Texts (with missing values) go to pandas' `str` column through Arrow in C: pandas' own inference checks each
    value in Python first, seven times slower. Any other column stays a list for pandas to infer."""
    if type(next((value for value in values if value is not None), None)) is not str:
        return values
    try:
        texts = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # texts and numbers, say
        return values
    return pd.Series(texts, dtype=_TEXT) if texts.type == pa.string() else values  # not bytes (`binary`)


def typed_frame(columns: dict[str, list], model: type[Document]) -> pd.DataFrame:
    """The model's fields' columns to a frame whose dtypes follow the model, also when no row survived."""
    names = list(model.model_fields)
    # Empty lists would make float columns: no rows make the object columns the conversions below expect.
    if columns and len(columns[names[0]]):
        frame = pd.DataFrame({name: column_values(columns[name]) for name in names}, columns=names)
    else:
        frame = pd.DataFrame([], columns=names)
    for name, info in model.model_fields.items():
        validators = [item.func for item in info.metadata if isinstance(item, BeforeValidator)]
        convert = FRAME_COLUMNS.get(validators[0]) if validators else None
        if convert is not None:
            frame[name] = convert(frame[name])
    return frame


def source_fields(model: type[Document]) -> list[str]:
    """The document field names a model reads, for a MongoDB projection."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
        names.extend(choice for choice in choices if isinstance(choice, str) and choice not in names)
    return names


def with_phones(table: Normalized) -> Normalized:
    """Members, with `phone_e164`: the phone in E.164 when it is a valid US number, else None."""
    table.frame["phone_e164"] = normalize_phones(table.frame["phone"])
    return table


def normalize_users(documents: Iterable[Any], *, malformed: int = 0) -> Normalized:
    return with_phones(normalize_documents(documents, UserDocument, malformed=malformed))
