"""Bad export files fail fast, once, naming the file and what is wrong; one bad document inside a readable file is
rejected with a reason, however deep or large; a collection that must not be empty never makes a green run."""

from __future__ import annotations

import codecs
import json
import shutil

import dagster as dg
import pytest

from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.sources.exports import ExportError, parse_export
from cucu_pipeline_tests.conftest import SAMPLE_RAW

RAW_USERS = [asset for asset in ASSETS if dg.AssetKey("raw_users") in asset.keys]
DEEP = "[" * 200_000 + "]" * 200_000  # deeper than any JSON decoder recurses


def run_raw_users(data_dir) -> dg.ExecuteInProcessResult:
    environ = {"CUCU_DATA_DIR": str(data_dir), "CUCU_SOURCE_RETRY_DELAY_SECONDS": "30"}
    return dg.materialize(
        RAW_USERS, resources=build_resources(environ), partition_key="2025-06-15", raise_on_error=False
    )


@pytest.fixture
def users_file(tmp_path):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    return tmp_path / "raw" / "users.json"


def sample_users() -> list:
    return json.loads((SAMPLE_RAW / "users.json").read_text())


@pytest.mark.parametrize(
    "content, says",
    [
        (lambda text: text[: len(text) // 2].encode(), "ends early (truncated after line"),
        (lambda text: bytes(range(256)) * 40, "is not UTF-8 text"),
        (lambda text: text.encode("utf-16"), "is not UTF-8 text (UTF-16 or binary)"),
        (lambda text: b"Hello, these are our members:\nSarah, Mateo, Priya\n", "holds no JSON documents"),
        (lambda text: b"42", "holds no JSON documents"),
        (
            lambda text: text.replace("},\n{", "}\n{", 1).encode(),
            "is not valid JSON at line 3",
        ),  # the first document ends line 2
    ],
    ids=["truncated", "binary", "utf-16", "plain text", "a bare number", "a missing comma"],
)
def test_a_bad_file_fails_at_once_naming_the_file_and_what_is_wrong(users_file, content, says):
    users_file.write_bytes(content(users_file.read_text()))
    result = run_raw_users(users_file.parents[1])
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    message = str(failure.step_failure_data.error)
    assert str(users_file) in message and says in message
    # No retry can fix a file: the MongoDB retry policy (30 s here) is not waited out.
    assert not [event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"]


def test_a_utf8_byte_order_mark_is_accepted(users_file):
    users_file.write_bytes(codecs.BOM_UTF8 + users_file.read_bytes())
    result = run_raw_users(users_file.parents[1])
    assert result.success and len(result.output_for_node("raw_users")) > 1900


@pytest.mark.parametrize("as_lines", [False, True], ids=["array", "JSON Lines"])
def test_one_document_nested_too_deep_or_too_large_is_rejected_alone(users_file, as_lines):
    users = sample_users()
    documents = [json.dumps(user) for user in users]
    documents[5] = DEEP
    documents[6] = json.dumps({**users[6], "email": "x" * 10_000_000 + "@email.com"})
    users_file.write_text("\n".join(documents) if as_lines else "[" + ",\n".join(documents) + "]")
    result = run_raw_users(users_file.parents[1])
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["loaded"].value == len(users) and metadata["rejected_malformed_json"].value == 1
    assert metadata["kept"].value >= len(users) - 100  # the sample's own bad documents aside


@pytest.mark.parametrize(
    "content, says",
    [
        ("", "is empty"),
        ("[]", "is empty"),
        ("\n\n", "is empty"),
        ('[1, null, {"firstName": "Sarah"}]', "has all 3 documents rejected (2 not_a_document, 1 missing_id)"),
    ],
    ids=["empty", "an empty array", "blank lines", "nothing valid"],
)
def test_no_members_at_all_fails_instead_of_texting_nobody(users_file, content, says):
    users_file.write_text(content)
    result = run_raw_users(users_file.parents[1])
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert f"No users: the users collection (or its export) {says}" in str(failure.step_failure_data.error)


def test_the_reader_alone_rejects_what_is_not_documents():
    with pytest.raises(ExportError, match="users.json holds no JSON documents"):
        parse_export("42\n43\n", "users.json")
    assert parse_export("[1, 2, 3]").documents == [1, 2, 3]  # an array's elements are rejected one by one
    assert parse_export('{"id": "a"}\n' + DEEP + '\n{"id": "b"}').malformed == 1
