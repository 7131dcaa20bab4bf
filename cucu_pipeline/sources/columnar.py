"""Reading a JSON export straight into columns: each document of its model's plain shape (`plain_shape`) is
decoded by msgspec and read a column at a time; any other document goes to the model (`tables.normalize_documents`),
which decides it as it decides every document. The result is the same table and tally, row for row (property-tested
against the models).

Decoding with a Python hook per JSON object and validating every document through its model took most of a raw step;
this way `raw_orders` takes half the time (docs/performance.md, 2026-12-03 10:00–12:30).
"""

from __future__ import annotations

import json
from collections import Counter

import msgspec

from cucu_pipeline.core.collector import collector_paused
from cucu_pipeline.sources.documents import Document
from cucu_pipeline.sources.exports import EXTENDED_JSON_DECODER, parse_export
from cucu_pipeline.sources.plain_shape import PlainShape, plain_shape
from cucu_pipeline.sources.tables import Normalized, document_outcome, normalize_documents, typed_frame

_WRAPPERS = ('{"$oid"', '{"$date"', '{"$numberLong"')


def _only_wrappers(text: str) -> bool:
    """Whether every `"$` of the text opens a `{"$oid"}`, `{"$date"}` or `{"$numberLong"}` wrapper. Any other
    Extended JSON key (a DBRef's `$ref` among a document's keys, say) is what `exports._object_hook` turns into
    something else, so the model decides a document holding one."""
    return text.count('"$') == sum(map(text.count, _WRAPPERS))


def _pieces(text: str) -> list | None:
    """Each document's JSON: the elements of an array, as views of the text's UTF-8 (None when msgspec cannot split
    it), or the non-blank lines of JSON Lines."""
    if not text.startswith("["):
        return [line for line in text.splitlines() if line.strip()]
    try:
        return msgspec.json.decode(text, type=list[msgspec.Raw])
    except (msgspec.MsgspecError, RecursionError):  # msgspec's own depth limit is Python's
        return None


def _by_model(text: str, model: type[Document], source: str) -> Normalized:
    """Every document through its model; `parse_export` raises the `ExportError` that names what is wrong with a
    file."""
    read = parse_export(text, source)
    return normalize_documents(read.documents, model, malformed=read.malformed)


def _text_of(piece: str | msgspec.Raw) -> str:
    return piece if isinstance(piece, str) else bytes(piece).decode()


def _decoded(shape: PlainShape, pieces: list, screened: bool) -> tuple[list[int], list]:
    """The positions and structs of the documents msgspec decodes in the plain shape (`screened`: the whole text
    holds no Extended JSON key other than the wrappers)."""
    positions, structs = [], []
    decode = shape.decoder.decode
    for position, piece in enumerate(pieces):
        if screened or _only_wrappers(_text_of(piece)):
            try:
                structs.append(decode(piece))
            except (msgspec.MsgspecError, RecursionError):
                continue
            positions.append(position)
    return positions, structs


def export_table(text: str, model: type[Document], source: str = "the export") -> Normalized:
    """`normalize_documents(parse_export(text).documents, model)`: the same table and tally, the documents of the
    model's plain shape read a column at a time."""
    with collector_paused():
        return _export_table(text, model, source)


def _export_table(text: str, model: type[Document], source: str) -> Normalized:
    stripped, shape = text.lstrip(), plain_shape(model)
    pieces = _pieces(stripped) if stripped and shape is not None else None
    if pieces is None:
        return _by_model(text, model, source)
    positions, structs = _decoded(shape, pieces, _only_wrappers(stripped))
    columns, left = shape.columns(structs)
    decided = _decided_by_model(pieces, set(positions) - {positions[index] for index in left}, model, stripped)
    if decided is None:
        return _by_model(text, model, source)
    # The columnar rows and the model's rows in the export's order, the first of each id (`duplicate_id` the others).
    names = list(model.model_fields)
    positions += [position for position, _ in decided.rows]
    for name in names:
        columns[name] += [row.__dict__[name] for _, row in decided.rows]
    candidates = sorted(set(range(len(positions))) - left, key=positions.__getitem__)
    chosen, seen, ids = [], set(), columns["id"]
    for index in candidates:
        if ids[index] in seen:
            decided.reasons.append((positions[index], "duplicate_id"))
        else:
            seen.add(ids[index])
            chosen.append(index)
    if chosen != list(range(len(positions))):
        columns = {name: [values[index] for index in chosen] for name, values in columns.items()}
    rejected = Counter({"malformed_json": decided.malformed} if decided.malformed else {})
    rejected.update(reason for _, reason in sorted(decided.reasons))
    return Normalized(frame=typed_frame(columns, model), loaded=len(pieces), rejected=rejected)


class _Decided:
    """The documents left to the model: its rows and rejections by position, and the pieces that were not JSON."""

    def __init__(self):
        self.rows: list[tuple[int, Document]] = []
        self.reasons: list[tuple[int, str]] = []
        self.malformed = 0


def _decided_by_model(pieces: list, columnar: set[int], model: type[Document], text: str) -> _Decided | None:
    """The other documents decoded as `parse_export` decodes them and validated by the model; None when
    `parse_export` should read the file itself: an array element only Python's decoder refuses (it names where), or
    JSON Lines without one object (it refuses the file)."""
    decided, lines, any_object = _Decided(), not text.startswith("["), bool(columnar)
    for position, piece in enumerate(pieces):
        if position in columnar:
            continue
        try:
            document = EXTENDED_JSON_DECODER.decode(_text_of(piece))
        except RecursionError:
            decided.malformed += 1
            continue
        except json.JSONDecodeError:
            if not lines:
                return None
            decided.malformed += 1
            continue
        any_object = any_object or isinstance(document, dict)
        row, reason = document_outcome(model, document)
        if reason is None:
            decided.rows.append((position, row))
        else:
            decided.reasons.append((position, reason))
    return decided if any_object or not lines else None
