"""Reading MongoDB exports: a JSON array or JSON Lines (`mongoexport`'s default), plain or Extended JSON."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
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


# Reusable: `json.loads` builds a decoder a call.
EXTENDED_JSON_DECODER = json.JSONDecoder(object_hook=_object_hook)


class ExportError(ValueError):
    """A file no retry can fix, named with what is wrong with it (docs/assets.md: "Bad records")."""


_WHITESPACE = re.compile(r"\s*")


def _end_of_value(text: str, start: int) -> int:
    """Where the array or object at `start` ends, found without recursion: a document nested too deeply to decode
    is skipped whole, as one rejected document."""
    depth, index, in_string = 0, start, False
    while index < len(text):
        char = text[index]
        if in_string:
            index += 2 if char == "\\" else 1  # an escaped character, whatever it is
            in_string = char != '"'
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index


def _where(text: str, index: int) -> str:
    """Where an array export stops being JSON: a file cut short never closes its array."""
    if not text.rstrip().endswith("]"):
        return f"ends early (truncated after line {text.count(chr(10)) + 1})"
    return f"is not valid JSON at line {text.count(chr(10), 0, index) + 1}"


def _array(text: str, source: str) -> ExportRead:
    """The documents of a JSON array. A well-formed array is decoded whole; otherwise one document at a time, so a
    document too deep to decode is counted, not fatal, and an error says where the file stops being JSON."""
    try:
        documents = EXTENDED_JSON_DECODER.decode(text)  # no Python step per document: 0.5 s at 100k members
    except (json.JSONDecodeError, RecursionError):
        return _array_by_document(text, source)
    return ExportRead(documents, 0)


def _array_by_document(text: str, source: str) -> ExportRead:
    decoder = EXTENDED_JSON_DECODER
    documents, malformed = [], 0
    index = _WHITESPACE.match(text, 1).end()
    if text.startswith("]", index):
        return ExportRead([], 0)
    while True:
        try:
            document, index = decoder.raw_decode(text, index)
            documents.append(document)
        except RecursionError:
            index, malformed = _end_of_value(text, index), malformed + 1
        except json.JSONDecodeError as error:
            raise ExportError(f"{source} {_where(text, error.pos)} ({error.msg})") from None
        index = _WHITESPACE.match(text, index).end()
        if text.startswith(",", index):
            index = _WHITESPACE.match(text, index + 1).end()
        elif text.startswith("]", index):
            break
        else:
            raise ExportError(f"{source} {_where(text, index)} (expected ',' or ']')")
    if text[index + 1 :].strip():
        raise ExportError(
            f"{source} is not valid JSON at line {text.count(chr(10), 0, index) + 1} (text after the array)"
        )
    return ExportRead(documents, malformed)


def _lines(text: str) -> ExportRead:
    """JSON Lines: a line that is not JSON (or nests too deeply) is one rejected document."""
    decoder = EXTENDED_JSON_DECODER
    documents, malformed = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            documents.append(decoder.decode(line))
        except (json.JSONDecodeError, RecursionError):
            malformed += 1
    return ExportRead(documents, malformed)


def parse_export(text: str, source: str = "the export") -> ExportRead:
    """Documents of a JSON array (each element one document, kept or rejected downstream) or JSON Lines. A file that
    is neither, holding no JSON object at all (plain text, a bare number), is an `ExportError`: read as zero
    documents, it would make a green run that texts nobody."""
    stripped = text.lstrip()
    if not stripped:
        return ExportRead([], 0)
    if stripped.startswith("["):
        return _array(stripped, source)
    read = _lines(stripped)
    if not any(isinstance(document, dict) for document in read.documents):
        raise ExportError(f"{source} holds no JSON documents (objects), neither as an array nor as JSON Lines")
    return read


def _decode(data: bytes, source: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise ExportError(f"{source} is not UTF-8 text (UTF-16 or binary); export it as UTF-8")
    try:
        return data.decode("utf-8-sig")  # a UTF-8 byte order mark is fine
    except UnicodeDecodeError as error:
        raise ExportError(f"{source} is not UTF-8 text (byte {error.start} is not UTF-8); export it as UTF-8") from None


def export_text(path: Path) -> str:
    """The export's text; an `ExportError` when it is not UTF-8."""
    if not path.exists():
        raise FileNotFoundError(f"No export at {path}; set CUCU_DATA_DIR to a folder with raw/<collection>.json")
    return _decode(path.read_bytes(), str(path))


def read_export(path: Path) -> ExportRead:
    return parse_export(export_text(path), str(path))
