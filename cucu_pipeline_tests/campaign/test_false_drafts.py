"""A model that lies: first drafts with a wrong count, a false "tomorrow", another member's name, an alcohol offer, a
shortener, a doubled brand or a past the member does not have. The checks refuse each one, the regeneration or the
template takes over, no published text carries any of it, and no brief names another member (docs/writing.md:
"Writing and checking", "Privacy")."""

from __future__ import annotations

import hashlib
import json
import re

import dagster as dg
import pytest

from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.profiles.member_directory import full_names
from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.defs.test_campaign_assets import DATE, check_outcomes, pipeline_records
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI, compliant_draft

pytestmark = pytest.mark.slow  # whole-graph runs

LIES = (
    ("wrong_count", lambda draft, event, other: f"{draft} {event['seats_left'] + 4} seats left."),
    ("false_tomorrow", lambda draft, event, other: draft.replace(event["when"], "tomorrow at 9pm")),
    ("other_member", lambda draft, event, other: f"{draft} {other} is going too."),
    ("alcohol_offer", lambda draft, event, other: f"{draft} Drinks included."),
    ("shortener", lambda draft, event, other: f"{draft} Or rb.gy/cucu"),
    ("doubled_brand", lambda draft, event, other: f"Cuculi: {draft}"),
    # A past no member has: no event serves Peruvian food (docs/writing.md: "Writing and checking").
    ("false_past", lambda draft, event, other: f"Back for more Peruvian food? {draft}"),
    ("false_encore", lambda draft, event, other: f"{draft} An encore for a Peruvian food fan."),
)
LIE_PATTERNS = re.compile(
    r"tomorrow at 9pm|is going too|drinks included|rb\.gy|Cuculi: Cuculi:|peruvian food", re.IGNORECASE
)


class LyingMessagesAPI(FakeMessagesAPI):
    """Every first draft carries one lie (chosen by a hash of the prompt); regenerations are compliant."""

    def __init__(self, other_members: list[str]):
        super().__init__()
        self.other_members, self.lies_told = other_members, []

    def answer(self, body: dict) -> tuple[int, dict, dict]:
        prompt = json.loads(body["messages"][0]["content"])
        draft = compliant_draft(prompt)
        if "feedback_on_previous_draft" not in prompt:
            digest = int(hashlib.md5(body["messages"][0]["content"].encode()).hexdigest(), 16)
            name, lie = LIES[digest % len(LIES)]
            first = prompt["member"]["first_name"]
            others = [name for name in self.other_members if not name.startswith(f"{first} ")]  # not the member
            other = others[digest % len(others)]
            draft["message"] = lie(draft["message"], prompt["candidates"][0], other)
            self.lies_told.append(name)
        return 200, self.message(body, json.dumps(draft)), {}


def test_no_lie_reaches_a_published_text_and_no_brief_names_another_member(tmp_path, monkeypatch):
    write_exports(generate(users=300, events=500, seed=11), tmp_path / "raw")
    environ = {"CUCU_DATA_DIR": str(tmp_path)}
    members = dg.materialize(ASSETS, selection="raw_users", resources=build_resources(environ), partition_key=DATE)
    names = set(full_names(members.output_for_node("raw_users")).dropna())  # every member the pipeline knows
    claude = LyingMessagesAPI(sorted(names))
    with claude.serve() as url:
        environ |= {"ANTHROPIC_API_KEY": "sk-test", "ANTHROPIC_BASE_URL": url}
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        result = dg.materialize(ASSETS, resources=build_resources(environ), partition_key=DATE)
    assert result.success and all(check_outcomes(result).values())
    assert {name for name, _ in LIES} == set(claude.lies_told)  # every kind of lie was told
    messages = result.output_for_node("matched_messages")
    written = messages[messages["status"] != "holdout"]  # the experiment's holdout is never written
    assert (written["attempts"] == 2).sum() > 0.9 * len(written)  # refused once, then written honestly
    published = [r for r in pipeline_records(tmp_path) if r["campaign_date"] == DATE and r["status"] == "queued"]
    assert len(published) > 40  # of 300 members, after consent, the contact policy, diets and seat caps
    for record in published:
        assert not LIE_PATTERNS.search(record["message"]), record["message"]
        assert not any(name in record["message"] for name in names if " " in name), record["message"]
    assert claude.reviews  # the judge read the texts too, and its requests name nobody either
    for request in claude.requests:
        prompt = json.loads(request["messages"][0]["content"])
        hosts = {event["host"] for event in prompt.get("candidates", [prompt.get("event")])}
        named = {name for name in names if " " in name and name in request["messages"][0]["content"]}
        assert named <= hosts, named - hosts
