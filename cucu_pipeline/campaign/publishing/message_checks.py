"""The Dagster asset checks on `matched_messages`: which SMS rules each covers, and who fails them."""

from __future__ import annotations

import pandas as pd

from cucu_pipeline.campaign.checks.sms_rules import failed_hard_rules
from cucu_pipeline.campaign.writing.attempts import publishable
from cucu_pipeline.campaign.writing.hard_rules import HardRules

# Each check: the rules of `check_message` it covers, and what it promises.
ASSET_CHECKS = {
    "length_and_segments": (
        ("length", "segments"),
        "At most 180 characters including the link; one segment, two only when the bare facts cannot fit one.",
    ),
    "gsm7_only": (
        ("encoding", "emoji"),
        "GSM-7 characters only (no emoji, curly quotes or dashes) unless emoji are enabled.",
    ),
    "one_booking_link": (
        ("booking_link", "no_shorteners"),
        "Exactly one link (any domain counts), the matched event's booking link; no shorteners.",
    ),
    "no_other_contacts": (("no_other_contacts",), "No phone number or email address in the text."),
    "clean_content": (
        ("shaft", "spam_or_phishing", "no_shouting"),
        "No SHAFT topics or alcohol offers, no spam or phishing phrasing, no shouting or '!!'.",
    ),
    "brand_name_and_event": (
        ("brand", "first_name", "event_named"),
        "Starts with the brand (once), addresses the member by first name, names the event.",
    ),
    "opt_out_when_required": (("opt_out",), "'Reply STOP to opt out' for members with no text in the last 30 days."),
    "facts_match_event": (
        ("facts",),
        "Every stated day, date, time, count, scarcity or social proof, venue, neighborhood and host is true of the "
        "event; no other member is named.",
    ),
    "claims_match_member": (
        ("history", "wording"),
        "Every claim about the member's past is supported by their attendance; 'dinner' only for a dinner, hunger "
        "only where food is served, 'a' and 'an' as the next word sounds.",
    ),
    "one_message_per_member": ((), "At most one publishable text per member for the date."),
    "event_capacity": (
        (),
        "No event receives more texts than its cap for the date: ceil(seats left × invites per seat), less the "
        "invitations still outstanding.",
    ),
}


def check_failures(messages: pd.DataFrame, hard_rules: HardRules, caps: dict[str, int]) -> dict[str, list[str]]:
    """Members whose publishable text breaks each asset check's rules, re-checked from the final text; `caps` are
    each event's cap for the date. `hard_rules` are the date's the texts were written under: a text they checked is read
    from their results."""
    publishable_texts = publishable(messages)
    failures = {name: [] for name in ASSET_CHECKS}
    for user_id, event_id, text in zip(
        publishable_texts["user_id"], publishable_texts["event_id"], publishable_texts["message"]
    ):
        failed = {result.rule for result in failed_hard_rules(hard_rules.check(text, user_id, event_id))}
        for name, (rules, _) in ASSET_CHECKS.items():
            if failed & set(rules):
                failures[name].append(user_id)
    failures["one_message_per_member"] = sorted(
        set(publishable_texts.loc[publishable_texts["user_id"].duplicated(), "user_id"])
    )
    texts = publishable_texts["event_id"].value_counts()
    over = [event for event, count in texts.items() if count > caps.get(event, 0)]
    failures["event_capacity"] = sorted(publishable_texts.loc[publishable_texts["event_id"].isin(over), "user_id"])
    return failures
