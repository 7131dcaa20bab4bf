"""What a queued text looks like in Airtable, and the cooldown re-check against what the store already holds.

The re-check looks both ways in time, so partitions published in any order never text one member twice within the
cooldown and end with the same texts queued; the record of the partition (re)published never conflicts with itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from cucu_pipeline.campaign.writing.attempts import publishable_mask
from cucu_pipeline.core.dates import pacific_dates, utc_iso
from cucu_pipeline.core.frames import is_in, records
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.profiles.consent import consent_events, revoked_consent
from cucu_pipeline.profiles.message_history import (
    HELD_OUT_STATUSES,
    QUEUED_STATUSES,
    SENT_STATUSES,
    normalized_statuses,
)
from cucu_pipeline.sources.documents import MessageRecord
from cucu_pipeline.sources.phones import phone_keys
from cucu_pipeline.sources.tables import normalize_documents

BATCH_SIZE = 10  # Airtable's maximum records per write request
SUPERSEDED = "superseded"  # a queued text replaced by an earlier date's text to the same member
DUPLICATE = "duplicate"  # a second row with a text's message_key (a hand copy): the oldest row is the text
# Records nobody has acted on yet: a re-run may rewrite its own, an earlier date supersedes a later one.
AWAITING = QUEUED_STATUSES | HELD_OUT_STATUSES


CLAUDE_LINE = "claude"  # the `line` of a text Claude wrote in its own words
LATER_TEXT = "later_text"  # the member already has a text dated after this date, within the cooldown


def message_key(campaign_date: dt.date, user_id: str) -> str:
    return f"{campaign_date.isoformat()}:{user_id}"


@dataclass(frozen=True)
class Outcome:
    message_key: str
    airtable_record_id: str | None
    outcome: str  # created, updated, skipped, superseded
    skip_reason: str | None = None


@dataclass(frozen=True)
class CooldownReview:
    conflicts: dict[str, str]  # message_key of a record that must not be written -> reason
    superseded: list[str]  # message_keys of later queued texts that this date's texts replace


# The fields `cooldown_review` reads: a store may hand it only these (the review reads every record once a run).
REVIEW_FIELDS = (
    "message_key", "campaign_date", "user_id", "user_email", "user_phone", "status", "message", "sent_date",
    "created_date",
)  # fmt: skip


def cooldown_review(
    existing: list[dict], fields: list[dict], campaign_date: dt.date, cooldown_days: int
) -> CooldownReview:
    """Which records may be written, given what the store holds (`existing`: at least their `REVIEW_FIELDS`).

    A record is held back by an opt-out, by another text to the same member within the cooldown that was sent,
    is earlier, or is not the pipeline's (`later_text` when it is dated after this date, else `cooldown_conflict`),
    or when its own earlier version is no longer queued (`already_sent`). A
    text the pipeline queued for a *later* date and nobody has sent yet is superseded instead: the earlier date
    wins, as it would have if the partitions had run in date order, so a backfill's partitions may run in any order
    and leave the same texts queued.
    """
    if not fields:
        return CooldownReview({}, [])
    table = normalize_documents(existing, MessageRecord).frame
    status = normalized_statuses(table)
    contact_day = table["campaign_date"].fillna(
        pacific_dates(table["sent_date"].fillna(table["created_date"]).fillna(table["record_created_at"]))
    )
    distance = (contact_day - pd.Timestamp(campaign_date)).dt.days.abs()
    own_keys = {record["message_key"] for record in fields}
    close = (
        status.isin(SENT_STATUSES | AWAITING)
        & distance.lt(cooldown_days).fillna(False)
        & ~is_in(table["message_key"], own_keys)
    )
    later_queued = (
        close
        & status.isin(AWAITING)
        & table["message_key"].notna()
        & table["campaign_date"].gt(pd.Timestamp(campaign_date)).fillna(False)
    )
    # A person may hold several member records: a record is held back by what the table says of its member id, its
    # phone or its email (docs/people.md: "People").
    identities = _identities(table)
    # `later_text` when every text in the way is dated after this date (what a backfill, or the bundled sample's
    # simulated campaigns on a fresh clone's first run for today, meets); `cooldown_conflict` when one is not.
    later = contact_day.gt(pd.Timestamp(campaign_date)).fillna(False)
    blocked = {}
    for reason, mask in ((LATER_TEXT, close & ~later_queued & later), ("cooldown_conflict", close & ~later)):
        blocked.update({identity: reason for column in identities for identity in identities.loc[mask, column]})
    consent = consent_events(table)
    for column in identities:
        blocked.update(dict.fromkeys(revoked_consent(table, identities[column], consent).index, "opted_out"))
    blocked.pop(None, None)
    conflicts = {}
    for record in fields:
        reasons = [blocked[key] for key in _record_identities(record) if key in blocked]
        if reasons:
            conflicts[record["message_key"]] = "opted_out" if "opted_out" in reasons else reasons[0]
    # A re-run never rewrites its own record once the team has moved it on (sent, failed, superseded...).
    moved_on = is_in(table["message_key"], own_keys) & status.ne("") & ~status.isin(AWAITING)
    conflicts.update(
        {key: f"already_{state}" for key, state in zip(table.loc[moved_on, "message_key"], status[moved_on])}
    )
    writing = {key for record in fields if record["message_key"] not in conflicts for key in _record_identities(record)}
    replaced = pd.concat([is_in(identities[column], writing) for column in identities], axis=1).any(axis=1)
    superseded = table.loc[later_queued & replaced, "message_key"].tolist()
    return CooldownReview(conflicts, superseded)


def _identities(table: pd.DataFrame) -> pd.DataFrame:
    """Each record's member id, email and E.164 phone, prefixed so that the three never collide."""
    return (
        pd.DataFrame(
            {
                "user_id": "id:" + table["user_id"],
                "email": "email:" + table["user_email"],
                "phone": "phone:" + phone_keys(table["user_phone"]),
            }
        )
        .astype(object)
        .where(lambda frame: frame.notna(), None)
    )


def _record_identities(record: dict) -> list[str]:
    return [
        f"{prefix}:{record[field]}"
        for prefix, field in (("id", "user_id"), ("email", "user_email"), ("phone", "user_phone"))
        if record.get(field)
    ]


def duplicate_rows(existing: list[dict]) -> dict[str, list[str]]:
    """Message keys held by more than one row, with their record ids, oldest first."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for record in existing:
        key = record["fields"].get("message_key")
        if key:
            rows.setdefault(key, []).append((record.get("createdTime", ""), record["id"]))
    return {key: [record_id for _, record_id in sorted(held)] for key, held in rows.items() if len(held) > 1}


def split_by_duplicates(writes: list[dict], copies: dict[str, list[str]]) -> tuple[list[dict], list[dict]]:
    """The writes to upsert on `message_key`, and those to write by record id: a copied key's text goes to its
    oldest row, and its newer rows are marked `duplicate` under a key of their own, so the next upsert finds one."""
    by_key = [record for record in writes if record["message_key"] not in copies]
    by_id = [
        {"id": copies[record["message_key"]][0], "fields": record}
        for record in writes
        if record["message_key"] in copies
    ]
    by_id += [
        {
            "id": record_id,
            "fields": {"status": DUPLICATE, "message_key": f"{record['message_key']}#duplicate:{record_id}"},
        }
        for record in writes
        if record["message_key"] in copies
        for record_id in copies[record["message_key"]][1:]
    ]
    return by_key, by_id


def write_outcome(written: dict, superseded: list[str], created: bool) -> Outcome:
    """What the store did with one row it answered for."""
    key, status = written["fields"]["message_key"], written["fields"].get("status")
    if status == DUPLICATE:
        return Outcome(key, written["id"], DUPLICATE)
    return Outcome(key, written["id"], SUPERSEDED if key in superseded else "created" if created else "updated")


def superseding_patches(keys: Iterable[str]) -> list[dict]:
    """Partial records that mark replaced or withdrawn texts, upserted on `message_key` like every write."""
    return [{"message_key": key, "status": SUPERSEDED} for key in keys]


# The columns of `matched_messages` a record is written from (`_review` reads the last four).
_RECORD_COLUMNS = [
    "user_id", "event_id", "message", "campaign", "status", "arm", "segments", "model", "cost_usd", "send_timezone",
    "send_after", "send_before", "when", "reasoning", "confidence", "check_results", "needs_review", "quality_issues",
    "quality_score", "lead_reason", "line",
]  # fmt: skip


def airtable_records(
    messages: pd.DataFrame,
    members: pd.DataFrame,
    events: pd.DataFrame,
    campaign_date: dt.date,
    reference: pd.Timestamp,
    experiment: str,
) -> list[dict]:
    """The Airtable fields of each publishable text (docs/writing.md), queued for the team to review and send,
    and of each held-out member (status `holdout`, no text: the event they would have been invited to, their arm).

    `created_date` is the campaign date's reference instant, so re-publishing a date writes identical records.
    """
    written = messages[publishable_mask(messages) | (messages["status"] == HOLDOUT)]
    # Only the members written to and the columns read: a row dict per enriched member would cost more than the texts.
    texted = members[is_in(members["id"], written["user_id"])]
    member = {row["id"]: row for row in records(texted[["id", "name", "email", "phone", "summary", "user_segment"]])}
    event = {row["id"]: row for row in records(events[["id", "name", "start_date", "summary"]])}
    # Instants written once, not per text: a pandas Timestamp takes 9 us to write as text.
    starts, created = {event_id: utc_iso(row["start_date"]) for event_id, row in event.items()}, utc_iso(reference)
    rows = []
    for row in records(written[_RECORD_COLUMNS]):
        person, happening = member[row["user_id"]], event[row["event_id"]]
        held_out = row["status"] == HOLDOUT
        rows.append(
            {
                "message_key": message_key(campaign_date, row["user_id"]),
                "campaign_date": campaign_date.isoformat(),
                "user_id": row["user_id"],
                "user_name": person["name"],
                "user_email": person["email"],
                "user_phone": person["phone"],
                "event_id": row["event_id"],
                "event_name": happening["name"],
                "event_date": starts[row["event_id"]],
                "message": row["message"],
                "campaign": row["campaign"],
                "status": HOLDOUT if held_out else "queued",
                "experiment": experiment,
                "arm": row["arm"],
                "user_segment": person["user_segment"],
                "segments": int(row["segments"]),
                **_writer(row, held_out),
                **_review(row, held_out),
                "writing_cost_usd": float(row["cost_usd"]),
                "send_timezone": row["send_timezone"],
                "send_after": row["send_after"],
                "send_before": row["send_before"],
                "when": row["when"],
                # What the reviewer reads beside the text; summaries carry no phone, email or other member's name.
                "match_reasoning": row["reasoning"],
                "confidence_percentage": int(row["confidence"]),
                "user_summary": person["summary"],
                "event_summary": happening["summary"],
                "created_date": created,
            }
        )
    return rows


def _writer(row: dict, held_out: bool) -> dict:
    """What wrote the text, for the weekly read of which reasons and lines book (docs/experiments.md): the model,
    the kind of reason it led with, and the library's line (or Claude's own words)."""
    line = row["line"] or (None if held_out else CLAUDE_LINE)
    return {"model": row["model"], "lead_reason": row["lead_reason"] or None, "line": line}


def _review(row: dict, held_out: bool) -> dict:
    """What the reviewer reads about the text: the rules it passed and the warnings, and the judge's verdict (the
    team sorts by score and reads `needs_review` texts first)."""
    failed = [rule for rule, detail in row["check_results"].items() if detail != "ok"]
    checks = f"{len(row['check_results']) - len(failed)}/{len(row['check_results'])} passed" + (
        f"; warnings: {', '.join(failed)}" if failed else ""
    )
    return {
        "checks": "held out: no text" if held_out else checks,
        "quality_score": None if held_out else float(row["quality_score"]),
        "quality_issues": "; ".join(row["quality_issues"]),
        "needs_review": bool(row["needs_review"]),
    }
