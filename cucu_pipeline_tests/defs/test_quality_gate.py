"""The quality judge in production mode, against the fake Messages API: every published text is judged (one judge
request per text, counted), a low score leads to one rewrite and then the template flagged `needs_review`, an
improved text that breaks a hard rule is never used, and the judge's tokens and cost reach the metadata and Airtable
(docs/quality.md)."""

from __future__ import annotations

import json

import pytest

from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.conftest import production_environment
from cucu_pipeline_tests.defs.test_campaign_assets import DATE, metadata, run
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI, approving_judgement

pytestmark = pytest.mark.slow  # whole-graph runs

DOUBTED = tuple("ABCDEF")  # members whose first name starts so: the judge scores the writer's words low
UNSAFE = "Call 415-555-0101 now:"  # the judge's "improvement" breaks a hard rule (a phone number)


def strict_judge(prompt: dict) -> dict:
    """Low for the writer's own words ("... Save a seat:") to a doubted member, with an improvement that is not
    allowed; approval for everything else (the templates' words)."""
    first = prompt["member"]["first_name"] or ""
    if first.startswith(DOUBTED) and prompt["text"].endswith("Save a seat:"):
        low = dict.fromkeys(("tone", "personal", "natural", "call_to_action", "fit"), 2)
        return {**low, "issues": ["personal: generic"], "approved": False, "improved_message": f"{first}, {UNSAFE}"}
    return approving_judgement(prompt)


def test_every_text_is_judged_and_a_low_score_ends_in_a_flagged_template(tmp_path, monkeypatch):
    write_exports(generate(users=300, events=500, seed=11), tmp_path / "raw")
    claude, table = FakeMessagesAPI(judge_policy=strict_judge), FakeAirtable()
    with claude.serve() as claude_url, table.serve() as airtable_url:
        result = run(production_environment(monkeypatch, tmp_path, claude_url, airtable_url), DATE)
    matched = result.output_for_node("matched_messages")
    texts = matched[matched["status"].isin(["ready", "fallback"])]
    # By the member's name: a template text may open with another word ("Psst, Fatima: …").
    first_names = result.output_for_node("enriched_users").set_index("id")["first_name"]
    doubted = texts["user_id"].map(first_names).fillna("").str.startswith(DOUBTED)
    assert len(texts) > 50 and doubted.sum() >= 5
    # Every text judged; the judge's requests are those counted, one per judged version of a text.
    assert texts["quality_score"].notna().all() and len(claude.reviews) == matched["judge_calls"].sum()
    trusted = texts[~doubted]
    assert (trusted["judge_calls"] == 1).all() and set(trusted["status"]) == {"ready"}
    assert not trusted["needs_review"].any() and (trusted["quality_score"] == 4.4).all()
    # Doubted: the unsafe improvement refused, one rewrite by the writer (judged low again), then the template.
    flagged = texts[doubted]
    assert flagged["needs_review"].all() and set(flagged["status"]) == {"fallback"}
    assert set(flagged["model"]) == {"template"} and (flagged["judge_calls"] == 3).all()
    assert not texts["message"].str.contains("415-555-0101").any()
    rewrites = [
        json.loads(r["messages"][0]["content"]) for r in claude.requests if "feedback_on" in r["messages"][0]["content"]
    ]
    assert len(rewrites) == len(flagged) and all(
        prompt["feedback_on_previous_draft"] == ["quality judge: personal: generic"] for prompt in rewrites
    )
    # What judging cost is counted with the writing, and shown.
    shown = metadata(result, "matched_messages")
    assert shown["judge_calls"] == len(claude.reviews) and 0 < shown["judge_cost_usd"] < shown["cost_usd"]
    assert shown["needs_review"] == len(flagged) and shown["quality_judged"] == len(texts)
    assert (matched["judge_cost_usd"] <= matched["cost_usd"]).all()
    judge_requests = [r for r in claude.requests if "event" in json.loads(r["messages"][0]["content"])]
    assert {r["model"] for r in judge_requests} == {"claude-haiku-4-5"}
    # The team sees the verdict beside each text in Airtable, the weakest flagged.
    records = [r["fields"] for r in table.records if r["fields"].get("message")]
    assert all("quality_score" in record for record in records)
    assert sum(bool(record.get("needs_review")) for record in records) == len(flagged)
