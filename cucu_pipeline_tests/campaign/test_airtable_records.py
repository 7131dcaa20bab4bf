"""`airtable_records`: what the team reviews for each publishable text, and nothing for the others
(docs/writing.md: "Publishing")."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cucu_pipeline.campaign.publishing.records import airtable_records
from cucu_pipeline.clients.airtable import MESSAGE_FIELDS

DAY = dt.date(2024, 2, 10)
REFERENCE = pd.Timestamp("2024-02-10T18:00:00Z")
MEMBERS = pd.DataFrame(
    {
        "id": ["user_001", "user_002"],
        "name": ["Sarah Cohen", "Alex Kim"],
        "email": ["sarah@example.com", "alex@example.com"],
        "phone": ["+14155550101", "+14155550102"],
        "summary": ["Sarah is a 32-year-old engineer.", "Alex is a member."],
        "user_segment": ["active_regular", "first_timer"],
    }
)
EVENTS = pd.DataFrame(
    {
        "id": ["event_004"],
        "name": ["Dumpling Workshop"],
        "start_date": [pd.Timestamp("2024-02-15T03:00:00Z")],
        "summary": ["Dumpling Workshop is a cooking class on Wednesday, February 14 at 7:00 PM at The Vault."],
    }
)


def message(user_id: str, status: str, **changes) -> dict:
    return {
        "user_id": user_id,
        "event_id": "event_004",
        "campaign": "Fill the Table",
        "arm": "warm",
        "when": "Wednesday at 7pm",
        "message": f"Cuculi: text for {user_id}",
        "segments": 1,
        "check_results": {"facts": "ok", "alcohol_mention": "mentions 'wine'"},
        "status": status,
        "model": "template",
        "cost_usd": 0.0,
        "reasoning": "Shares cooking; 2 days away",
        "confidence": 74,
        "quality_score": 3.2,
        "quality_issues": ["personal: does not use the taste the member shares with the event (cooking)"],
        "needs_review": True,
        "send_timezone": "America/Los_Angeles",
        "send_after": "2024-02-10T10:00:00-08:00",
        "send_before": "2024-02-10T20:00:00-08:00",
        "lead_reason": "taste",
        "line": "newcomer-taste-3",
        **changes,
    }


def test_one_record_per_publishable_text_with_what_the_reviewer_needs():
    messages = pd.DataFrame([message("user_001", "ready"), message("user_002", "skipped", message="")])
    (record,) = airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles")
    assert set(record) <= set(MESSAGE_FIELDS)
    assert record == {
        "message_key": "2024-02-10:user_001",
        "campaign_date": "2024-02-10",
        "user_id": "user_001",
        "user_name": "Sarah Cohen",
        "user_email": "sarah@example.com",
        "user_phone": "+14155550101",
        "event_id": "event_004",
        "event_name": "Dumpling Workshop",
        "event_date": "2024-02-15T03:00:00Z",
        "message": "Cuculi: text for user_001",
        "campaign": "Fill the Table",
        "status": "queued",
        "experiment": "copy_styles",
        "arm": "warm",
        "user_segment": "active_regular",
        "segments": 1,
        "checks": "1/2 passed; warnings: alcohol_mention",
        "model": "template",
        "lead_reason": "taste",
        "line": "newcomer-taste-3",
        "writing_cost_usd": 0.0,
        "quality_score": 3.2,
        "quality_issues": "personal: does not use the taste the member shares with the event (cooking)",
        "needs_review": True,
        "send_timezone": "America/Los_Angeles",
        "send_after": "2024-02-10T10:00:00-08:00",
        "send_before": "2024-02-10T20:00:00-08:00",
        "when": "Wednesday at 7pm",
        "match_reasoning": "Shares cooking; 2 days away",
        "confidence_percentage": 74,
        "user_summary": "Sarah is a 32-year-old engineer.",
        "event_summary": EVENTS["summary"][0],
        "created_date": "2024-02-10T18:00:00Z",
    }


def test_each_record_says_what_wrote_it_claude_in_its_own_words_included():
    messages = pd.DataFrame(
        [
            message("user_001", "ready", model="claude-sonnet-4-6", line="", lead_reason="neighborhood"),
            message("user_002", "holdout", message="", line="", lead_reason=""),
        ]
    )
    claude, held_out = airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles")
    assert (claude["line"], claude["lead_reason"]) == ("claude", "neighborhood")
    assert (held_out["line"], held_out["lead_reason"]) == (None, None)


def test_fallback_texts_are_published_and_records_are_identical_on_a_rerun():
    messages = pd.DataFrame([message("user_001", "fallback"), message("user_002", "ready")])
    first = airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles")
    assert [record["user_id"] for record in first] == ["user_001", "user_002"]
    assert first == airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles")
    assert all(record["checks"].startswith("1/2 passed") for record in first)


def test_a_text_that_passed_every_rule_says_so():
    messages = pd.DataFrame([message("user_001", "ready", check_results={"facts": "ok", "brand": "ok"})])
    (record,) = airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles")
    assert record["checks"] == "2/2 passed"


def test_nothing_to_publish_gives_no_records():
    messages = pd.DataFrame([message("user_001", "skipped")])
    assert airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles") == []


def test_a_held_out_member_is_recorded_with_the_event_and_arm_and_no_text():
    held = message("user_002", "holdout", arm="holdout", message="", segments=0, check_results={}, model="")
    messages = pd.DataFrame([message("user_001", "ready"), held])
    records = airtable_records(messages, MEMBERS, EVENTS, DAY, REFERENCE, "copy_styles")
    record = records[1]
    assert [r["status"] for r in records] == ["queued", "holdout"]
    assert (record["message"], record["arm"], record["experiment"], record["event_id"]) == (
        "",
        "holdout",
        "copy_styles",
        "event_004",
    )
    assert record["checks"] == "held out: no text" and record["message_key"] == "2024-02-10:user_002"
