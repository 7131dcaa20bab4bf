"""Reading MongoDB exports: a JSON array or JSON Lines (`mongoexport`'s default), plain or Extended JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bson import json_util

_EXTENDED_JSON = json_util.JSONOptions(tz_aware=True, json_mode=json_util.JSONMode.RELAXED)


@dataclass(frozen=True)
class ExportRead:
    documents: list[Any]
    malformed: int  # lines of a JSON Lines file that were not JSON


def _object_hook(obj: dict) -> Any:
    """Decode `{"$date"}`, `{"$numberLong"}`, … like mongoexport wrote them; leave a broken one as it is.

    A broken wrapper such as `{"$date": "soon"}` then fails validation of its one document instead of the whole file.
    Ids stay `{"$oid": …}`, which the models read: building an ObjectId costs more than the rest of an order.
    """
    if len(obj) > 2 and "$ref" not in obj or "$oid" in obj:  # documents (only a DBRef wrapper has more keys), ids
        return obj
    date = obj.get("$date") if len(obj) == 1 else None
    if isinstance(date, str) and len(date) >= 20 and date[10] == "T":
        # mongoexport's usual `{"$date": "2024-01-02T03:04:05.678Z"}`: bson parses it with strptime, ten times slower.
        try:
            instant = dt.datetime.fromisoformat(date)
        except ValueError:
            instant = None
        if instant is not None and instant.tzinfo is not None:
            return instant.astimezone(dt.UTC)
    try:
        return json_util.object_hook(obj, _EXTENDED_JSON)
    except Exception:  # bson raises several types for malformed wrappers; any of them means "leave it raw"
        return obj


def parse_export(text: str) -> ExportRead:
    stripped = text.lstrip()
    if not stripped:
        return ExportRead([], 0)
    if stripped.startswith("["):
        documents = json.loads(stripped, object_hook=_object_hook)
        return ExportRead(documents if isinstance(documents, list) else [documents], 0)
    documents, malformed = [], 0
    for line in stripped.splitlines():
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line, object_hook=_object_hook))
        except json.JSONDecodeError:
            malformed += 1
    return ExportRead(documents, malformed)


def read_export(path: Path) -> ExportRead:
    if not path.exists():
        raise FileNotFoundError(f"No export at {path}; set CUCU_DATA_DIR to a folder with raw/<collection>.json")
    return parse_export(path.read_text(encoding="utf-8"))
