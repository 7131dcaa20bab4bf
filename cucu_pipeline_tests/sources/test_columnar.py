"""The columnar reader makes the same table and tally as validating every document through its model: for random
documents (any value, Extended JSON wrappers, documents that are not objects), for documents of the plain shape
whose values need trimming, lower-casing or de-duplicating, and for the sample exports, as arrays and as JSON Lines.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cucu_pipeline.sources import columnar
from cucu_pipeline.sources.columnar import export_table
from cucu_pipeline.sources.documents import EventDocument, OrderDocument, UserDocument
from cucu_pipeline.sources.exports import ExportError, parse_export
from cucu_pipeline.sources.tables import document_outcome, normalize_documents
from cucu_pipeline_tests.conftest import RELIABILITY, SAMPLE_RAW
from cucu_pipeline_tests.sources.test_bad_input import EVENT_FIELDS, ORDER_FIELDS, USER_FIELDS, documents

MODELS = {
    "users": (UserDocument, USER_FIELDS),
    "events": (EventDocument, EVENT_FIELDS),
    "orders": (OrderDocument, ORDER_FIELDS),
}


def assert_same_as_the_models(text: str, model) -> None:
    """The same table and tally, or the same `ExportError` (a file that is neither an array nor JSON Lines)."""
    try:
        expected = parse_export(text)
    except ExportError as error:
        with pytest.raises(ExportError, match=re.escape(str(error))):
            export_table(text, model)
        return
    expected = normalize_documents(expected.documents, model, malformed=expected.malformed)
    table = export_table(text, model)
    pd.testing.assert_frame_equal(table.frame, expected.frame)
    assert table.loaded == expected.loaded
    assert list(table.rejected.items()) == list(expected.rejected.items())  # the same reasons, in the same order


def as_array(docs: list) -> str:
    return "[\n" + ",\n".join(json.dumps(document) for document in docs) + "\n]"


def as_lines(docs: list) -> str:
    return "".join(json.dumps(document) + "\n" for document in docs)


# Values of the plain shape that still need work (padding, Unicode spaces too, capitals, duplicates, a lone string
# for a list, dates as mongoexport writes them, whole and fractional seats), and now and then one the model decides.
PADS = st.sampled_from(["", "", " ", "\t", "\u3000", "\x1c", "\u2028"])
WORDS = st.sampled_from(["Ana", "ana", "a b", "Zoë", "ana@x.com", "ANA@X.COM", "b@y.org"])
PADDED = st.builds(lambda pad, text, end: pad + text + end, PADS, WORDS, PADS)
ODD_TEXT = st.sampled_from(["", "  ", "x@y", "x" * 5001, "$5", "ana@x.com" + "m" * 250])
TEXTS = st.one_of(st.none(), PADDED, PADDED, PADDED, ODD_TEXT)
LISTS = st.one_of(st.none(), PADDED, ODD_TEXT, st.lists(st.one_of(PADDED, PADDED, PADDED, ODD_TEXT), max_size=5))
INSTANTS = st.one_of(
    st.none(),
    st.sampled_from(["2025-06-20T02:00:00Z", "2025-06-20T02:00:00.000Z", "2025-06-20", " 2025-06-20T02:00 ", "soon"]),
    st.builds(
        lambda text: {"$date": text},
        st.sampled_from(["2025-06-20T02:00:00.000Z", "2025-06-20T02:00:00+02:00", "2025-06-20T02:00:00", "garbage"]),
    ),
    st.builds(lambda ms: {"$date": ms}, st.integers(-(10**15), 10**15)),
    st.builds(
        lambda digits: {"$date": {"$numberLong": digits}},
        st.one_of(st.integers(-(10**15), 10**15).map(str), st.sampled_from(["--5", " 12", "1_2", "+3", "٣", ""])),
    ),
)
NUMBERS = st.one_of(st.none(), st.integers(-5, 2000), st.floats(-10, 2000), st.booleans())
IDS = st.one_of(
    st.sampled_from(["u1", " u1 ", "u2", "u3", "", "  "]),
    st.builds(lambda oid: {"$oid": oid}, st.sampled_from(["u1", " u4"])),
)
KINDS = {"text": TEXTS, "list": LISTS, "instant": INSTANTS, "number": NUMBERS}
FIELD_KINDS = {
    **dict.fromkeys(["interests", "preferredCuisines", "allergies", "participants", "invitedParticipants"], "list"),
    **dict.fromkeys(["categories", "features"], "list"),
    **dict.fromkeys(["birthDay", "createdAt", "startDate", "endDate", "date"], "instant"),
    **dict.fromkeys(["maxParticipants", "minParticipants", "amount"], "number"),
}
FLAGS = st.one_of(st.none(), st.booleans())


def plain_documents(names: list[str]):
    """Documents of the plain shape, their ids both ways and the flag by its two names; a few with a DBRef's key."""
    values = {name: KINDS[FIELD_KINDS.get(name, "text")] for name in names if name != "smsOptOut"}
    optional = {**values, "_id": IDS, "optedOut": FLAGS, "smsOptOut": FLAGS}
    document = st.fixed_dictionaries({"id": IDS}, optional=optional)
    refs = {"_id": IDS, "$ref": st.just("users"), "$id": st.just(1)}  # a DBRef to `exports._object_hook`
    with_ref = st.fixed_dictionaries(refs, optional={name: value for name, value in optional.items() if name != "_id"})
    return st.lists(st.one_of(document, document, document, document, with_ref), max_size=12)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_random_documents_make_the_same_table(name, data):
    model, names = MODELS[name]
    docs = data.draw(documents(names)) + data.draw(plain_documents(names))
    docs = data.draw(st.permutations(docs))
    RELIABILITY["bad documents tried"] += len(docs)
    for text in (as_array(docs), as_lines(docs)):
        assert_same_as_the_models(text, model)


@pytest.mark.parametrize("name", MODELS)
def test_the_sample_exports_make_the_same_table_and_the_models_see_only_the_odd_documents(name, monkeypatch):
    model, _ = MODELS[name]
    text = (SAMPLE_RAW / f"{name}.json").read_text()
    docs = json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines() if line]
    decided = []

    def counted(model, document):
        decided.append(document)
        return document_outcome(model, document)

    monkeypatch.setattr(columnar, "document_outcome", counted)
    for text in (as_array(docs), as_lines(docs)):
        decided.clear()
        assert_same_as_the_models(text, model)
        assert 0 < len(decided) < 10  # the few bad documents the sample carries; every other one read as columns
