"""People through the whole graph on the sample data: a person with two records gets one text, a STOP that arrives
by phone alone or in plain words is honoured, and re-running the date changes nothing (docs/people.md)."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import pytest

from cucu_pipeline.definitions import ASSETS, defs
from cucu_pipeline.defs.profiles import PERSON_RULES
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.conftest import SAMPLE_RAW
from cucu_pipeline_tests.defs.test_campaign_assets import DATE, pipeline_records, run

pytestmark = pytest.mark.slow  # whole-graph runs

SAMPLE_DUPLICATES = 4  # members of the sample who signed up twice (`sample_data/generator.py`)


def _texted(data_dir) -> list[dict]:
    return [r for r in pipeline_records(data_dir) if r["campaign_date"] == DATE and r["status"] == "queued"]


@pytest.fixture(scope="module")
def first_texts(tmp_path_factory) -> list[dict]:
    """What the sample date texts with the bundled data as it is."""
    data_dir = tmp_path_factory.mktemp("plain")
    shutil.copytree(SAMPLE_RAW, data_dir / "raw")
    run({"CUCU_DATA_DIR": str(data_dir)}, DATE)
    return _texted(data_dir)


def _national(e164: str) -> str:
    """`+14155550101` written as a member might: `(415) 555 0101`."""
    return f"({e164[2:5]}) {e164[5:8]} {e164[8:]}"


def test_the_steps_after_the_standing_read_it_instead_of_the_message_table():
    graph = defs.resolve_asset_graph()
    for asset in ("qualified_users", "enriched_users", "event_matches"):
        upstream = {key.path[-1] for key in graph.get(dg.AssetKey(asset)).parent_keys}
        assert "raw_messages" not in upstream and upstream & {"people", "person_standing", "message_history"}, asset


def test_two_records_of_one_person_and_replies_by_phone_alone(tmp_path, first_texts):
    twin, stopper, polite = first_texts[0], first_texts[1], first_texts[2]
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    users = json.loads((raw / "users.json").read_text())
    original = next(user for user in users if isinstance(user, dict) and user.get("id") == twin["user_id"])
    copy = {key: value for key, value in original.items() if key != "_id"}
    # The same person signed up again: the phone written another way, the email in capitals with spaces.
    copy |= {"id": "user_twin", "phone": _national(twin["user_phone"]), "email": f"  {original['email'].upper()} "}
    (raw / "users.json").write_text(json.dumps([*users, copy]))
    messages = json.loads((raw / "messages.json").read_text())
    replies = [
        {"user_phone": _national(stopper["user_phone"]), "message": "Stop.", "created_date": "2025-06-01T18:00:00Z"},
        {
            "user_phone": polite["user_phone"],
            "message": "please stop texting me",
            "created_date": "2025-06-02T18:00:00Z",
        },
    ]  # what Twilio records of an inbound reply: the sender's number and the words, no member id
    (raw / "messages.json").write_text(json.dumps([*messages, *replies]))

    environ = {"CUCU_DATA_DIR": str(tmp_path)}
    result = run(environ, DATE)
    texted = _texted(tmp_path)
    phones = [record["user_phone"] for record in texted]
    assert phones.count(twin["user_phone"]) == 1 and len(phones) == len(set(phones))
    assert {record["user_id"] for record in texted} & {stopper["user_id"], polite["user_id"]} == set()
    metadata = result.asset_materializations_for_node("qualified_users")[0].metadata
    # The twin, and the sample's own members who signed up twice, but for the one who asked to stop in plain words.
    assert metadata["excluded_duplicate_person"].value == 1 + SAMPLE_DUPLICATES - 1
    assert metadata["opted_out_by_keyword_reply"].value >= 1 and metadata["opted_out_by_plain_words_reply"].value >= 1
    assert metadata["people"].value == metadata["loaded"].value - 1 - SAMPLE_DUPLICATES
    held_back = metadata["held_back_preview"].value.records
    assert held_back and all(row.data["reason"] in PERSON_RULES for row in held_back)
    assert all(bool(row.data["opt_out_source"]) == (row.data["reason"] == "opted_out") for row in held_back)
    # The people and their standing are stored once for the date, without the members' contact details.
    people, standing = result.asset_value("people").set_index("id"), result.asset_value("person_standing")
    assert people.loc["user_twin", "person_id"] == people.loc[twin["user_id"], "person_id"]
    sources = standing.set_index("person_id")["opt_out_source"]
    assert sources[people.loc[stopper["user_id"], "person_id"]] == "keyword_reply"
    assert sources[people.loc[polite["user_id"], "person_id"]] == "plain_words_reply"
    assert not {"user_phone", "user_email", "status"} & set(result.asset_value("message_history").columns)

    again = run(environ, DATE)  # re-running the date changes nothing
    rerun = {record["message_key"]: record for record in _texted(tmp_path)}
    changed = {
        key: {
            field: (value, rerun.get(key, {}).get(field))
            for field, value in record.items()
            if rerun.get(key, {}).get(field) != value
        }
        for key, record in ((r["message_key"], r) for r in texted)
    }
    assert not any(changed.values()), {key: diff for key, diff in changed.items() if diff}
    assert set(again.output_for_node("published_messages")["outcome"]) <= {"updated", "skipped"}


@pytest.mark.parametrize(
    ("selection", "stored"),
    [
        ("*enriched_users", {"people", "person_standing", "enriched_users"}),  # two of the standing's three
        ("*message_history", {"message_history"}),  # one of three, with the raw tables it reads
    ],
)
def test_a_selection_of_some_of_the_standings_outputs_materializes_those(tmp_path, selection, stored):
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    result = dg.materialize(
        ASSETS,
        selection=selection,
        resources=build_resources({"CUCU_DATA_DIR": str(tmp_path)}),
        partition_key=DATE,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    materialized = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
    assert stored <= materialized and not {"people", "message_history", "person_standing"} - stored & materialized
    assert {path.name for path in (tmp_path / "assets").iterdir()} == materialized
