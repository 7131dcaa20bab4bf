"""The Messages table's fields, as the pipeline writes and reads them, and setting them up through Airtable's
metadata API (pyairtable's `Base.schema`, `Base.create_table`, `Table.create_field`; field types and their options:
https://airtable.com/developers/web/api/model/field-type). `python -m cucu_pipeline.airtable setup | check`."""

from __future__ import annotations

from typing import Any

TEXT = {"type": "singleLineText"}
LONG_TEXT = {"type": "multilineText"}
WHOLE = {"type": "number", "options": {"precision": 0}}
_ISO_DATE = {"name": "iso", "format": "YYYY-MM-DD"}
INSTANT = {
    "type": "dateTime",
    "options": {"dateFormat": _ISO_DATE, "timeFormat": {"name": "24hour", "format": "HH:mm"}, "timeZone": "client"},
}

# Every field a run writes (`publishing/records.py`) or the team sets (`sent_date`, a `status` of `sent`), in the order
# the table shows them; the first is the table's primary field, the key every write upserts on. The local stand-in's
# columns are the same (`clients/airtable_local.py`).
MESSAGES_FIELDS: dict[str, dict[str, Any]] = {
    "message_key": TEXT,
    "campaign_date": {"type": "date", "options": {"dateFormat": _ISO_DATE}},
    "status": TEXT,
    "message": LONG_TEXT,
    "user_id": TEXT,
    "user_name": TEXT,
    "user_email": {"type": "email"},
    "user_phone": {"type": "phoneNumber"},
    "event_id": TEXT,
    "event_name": TEXT,
    "event_date": INSTANT,
    "when": TEXT,
    "campaign": TEXT,
    "experiment": TEXT,
    "arm": TEXT,
    "user_segment": TEXT,
    "segments": WHOLE,
    "model": TEXT,
    "lead_reason": TEXT,
    "line": TEXT,
    "checks": LONG_TEXT,
    "quality_score": {"type": "number", "options": {"precision": 2}},
    "quality_issues": LONG_TEXT,
    "needs_review": {"type": "checkbox", "options": {"color": "yellowBright", "icon": "check"}},
    "writing_cost_usd": {"type": "number", "options": {"precision": 6}},
    "send_timezone": TEXT,
    "send_after": INSTANT,
    "send_before": INSTANT,
    "match_reasoning": LONG_TEXT,
    "confidence_percentage": WHOLE,
    "user_summary": LONG_TEXT,
    "event_summary": LONG_TEXT,
    "created_date": INSTANT,
    "sent_date": INSTANT,
    "withdrawn_reason": TEXT,
}
SETUP_COMMAND = "python -m cucu_pipeline.airtable setup"


def field_model(name: str) -> dict[str, Any]:
    """The field as Airtable's metadata API creates it: name, type and options."""
    return {"name": name, **MESSAGES_FIELDS[name]}


def missing_fields(table_fields: dict[str, str]) -> list[str]:
    """The Messages fields a table lacks, given its fields' names and types, in the table's order."""
    return [name for name in MESSAGES_FIELDS if name not in table_fields]


def mistyped_fields(table_fields: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The fields the table holds with another type than the pipeline's: name -> (found, expected). A text field
    where the pipeline expects a date still takes its values, so these are reported, never changed."""
    return {
        name: (table_fields[name], model["type"])
        for name, model in MESSAGES_FIELDS.items()
        if name in table_fields and table_fields[name] != model["type"]
    }


def table_fields(table, name: str) -> dict[str, str] | None:
    """The fields of the base's table `name` (pyairtable `table` of that base) by name with their types, read from the
    metadata API; None when the base has no such table."""
    found = next((schema for schema in table.base.schema(force=True).tables if name in (schema.name, schema.id)), None)
    # pyairtable reads a type as its `FieldType` member; its value is the name Airtable gives the type.
    return None if found is None else {field.name: getattr(field.type, "value", field.type) for field in found.fields}


def set_up(table, name: str) -> list[str]:
    """The Messages table created with every field the pipeline needs, or the fields it lacks added to it with
    their types; the names created. A field of another type is left as it is (`mistyped_fields` reports it)."""
    fields = table_fields(table, name)
    if fields is None:
        table.base.create_table(name, [field_model(field) for field in MESSAGES_FIELDS])
        return list(MESSAGES_FIELDS)
    missing = missing_fields(fields)
    for field in missing:
        model = field_model(field)
        table.create_field(field, model["type"], options=model.get("options"))
    return missing
