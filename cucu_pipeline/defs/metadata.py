"""Metadata every asset attaches: counts as plain numbers (so the Plots tab charts them) and a masked preview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import dagster as dg
import pandas as pd

from cucu_pipeline.campaign.checks.segments import gsm7_name, texting_name
from cucu_pipeline.campaign.checks.sms_rules import textable_event_name
from cucu_pipeline.campaign.matching.campaigns import CAMPAIGNS
from cucu_pipeline.campaign.matching.matches import Matching
from cucu_pipeline.campaign.publishing.published import BACKFILL
from cucu_pipeline.campaign.publishing.records import DUPLICATE, LATER_TEXT, SUPERSEDED, Outcome
from cucu_pipeline.campaign.publishing.send_windows import NO_WINDOW
from cucu_pipeline.campaign.writing.attempts import STATUSES, USAGE_COLUMNS, publishable
from cucu_pipeline.campaign.writing.costs import campaign_cost
from cucu_pipeline.core.privacy import mask_text, masked
from cucu_pipeline.core.wording import plural

PREVIEW_ROWS = 10


def _display(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_display(item) for item in value)
    if isinstance(value, dict):
        return " · ".join(_display(item) for item in value.values())
    if isinstance(value, str):
        return mask_text(value)  # free text too: a phone or email inside a message or note never shows
    return "" if value is None or pd.isna(value) else str(value)


def preview(frame: pd.DataFrame, columns: Iterable[str]) -> dg.MetadataValue:
    """The first rows, phones and emails masked."""
    columns = [column for column in columns if column in frame.columns]
    rows = masked(frame.head(PREVIEW_ROWS)[columns])
    records = [dg.TableRecord({column: _display(row[column]) for column in columns}) for _, row in rows.iterrows()]
    schema = dg.TableSchema(columns=[dg.TableColumn(column, "string") for column in columns])
    return dg.MetadataValue.table(records, schema=schema)


def funnel(loaded: int, kept: int, rejected: Counter | pd.Series, label: str = "rejected") -> dict[str, object]:
    """loaded = kept + rejected, with one count per reason, all as plain ints."""
    reasons = {str(reason): int(count) for reason, count in dict(rejected).items() if int(count)}
    if loaded != kept + sum(reasons.values()):
        raise ValueError(f"counts do not reconcile: {loaded} loaded, {kept} kept, {reasons} {label}")
    table = "\n".join(f"| {reason} | {count} |" for reason, count in sorted(reasons.items(), key=lambda item: -item[1]))
    return {
        "dagster/row_count": int(kept),
        "loaded": int(loaded),
        "kept": int(kept),
        label: int(sum(reasons.values())),
        **{f"{label}_{reason}": count for reason, count in reasons.items()},
        f"{label}_by_reason": dg.MetadataValue.md(
            f"| reason | count |\n|---|---|\n{table}" if reasons else f"Nothing {label}."
        ),
    }


def value_counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    """One numeric entry per value, e.g. `primary_status_new_user`, so each is plotted over dates."""
    return {f"{column}_{value}": int(count) for value, count in frame[column].value_counts().items()}


def rounded_mean(column: pd.Series) -> float:
    """The mean to one decimal, 0 for an empty column (a plain float, which the Plots tab charts)."""
    return float(round(column.mean(), 1)) if len(column) else 0.0


def matches_metadata(matching: Matching, enriched_events: pd.DataFrame) -> dict[str, object]:
    matches, events = matching.matches, matching.events
    matched = matches[matches["event_id"] != ""]
    texted = events[events["allocated"] > 0]
    per_seat = texted["allocated"] / texted["spots_left"].clip(lower=1)
    return {
        "dagster/row_count": len(matches),
        "matched": len(matched),
        **{
            f"campaign_{name.lower().replace(' ', '_')}": int((matched["campaign"] == name).sum()) for name in CAMPAIGNS
        },
        **{f"skipped_{reason}": int(count) for reason, count in matches["skip_reason"].value_counts().items()},
        "events_not_textable": int((~enriched_events["name"].map(textable_event_name).astype(bool)).sum()),
        "average_confidence": rounded_mean(matched["confidence"]),
        **{f"excluded_pairs_{reason}": int(count) for reason, count in matching.excluded_pairs.items()},
        "texts_per_open_seat_max": float(round(per_seat.max(), 2)) if len(per_seat) else 0.0,
        "texts_per_open_seat_median": float(round(per_seat.median(), 2)) if len(per_seat) else 0.0,
        "events_at_cap": int((events["allocated"] >= events["room"]).sum()),
        "allocation_seconds": round(matching.solver_seconds, 3),
        "total_score": round(matching.allocated_score, 1),
        "uncapped_total_score": round(matching.uncapped_score, 1),
        "score_share_of_uncapped": float(round(matching.allocated_score / matching.uncapped_score, 4))
        if matching.uncapped_score
        else 1.0,
        "events": event_table(events.join(enriched_events.set_index("id")["name"])),
        "preview": preview(matches, ["user_id", "event_id", "campaign", "confidence", "reasoning", "candidates"]),
    }


def first_name_metadata(first_names: pd.Series) -> dict[str, int]:
    """How the matched members' first names reach a GSM-7 text: transliterated (`Łukasz` -> `Lukasz`) or left out
    for a greeting without a name (`王芳`, or a "name" that reads as an instruction or a sentence: counted apart too);
    nobody is skipped for their name."""
    written, latin = first_names.map(texting_name), first_names.map(gsm7_name)
    return {
        "first_names_transliterated": int((written.ne("") & written.ne(first_names.fillna(""))).sum()),
        "first_names_greeted_without_name": int(written.eq("").sum()),
        "first_names_not_names": int((written.eq("") & latin.ne("")).sum()),
    }


def messages_metadata(
    messages: pd.DataFrame, failures: dict[str, list[str]], model: str, segment_usd: float
) -> dict[str, object]:
    sent = publishable(messages)
    return {
        "dagster/row_count": len(messages),
        **{f"status_{status}": int((messages["status"] == status).sum()) for status in STATUSES},
        **value_counts(sent.assign(segments=sent["segments"].astype(str)), "segments"),
        **value_counts(sent, "campaign"),
        **value_counts(messages[messages["arm"] != ""], "arm"),
        **value_counts(sent, "send_timezone"),
        **{f"check_failures_{name}": len(users) for name, users in failures.items()},
        "regenerated": int((messages["attempts"] == 2).sum()),
        "writer_unavailable": int(messages["writer_unavailable"].sum()),
        "opt_out_added": int(sent["needs_opt_out"].sum()),
        "skipped_no_send_window": int((messages["skip_reason"] == NO_WINDOW).sum()),
        "average_characters": rounded_mean(sent["message"].str.len()),
        **{column: int(messages[column].sum()) for column in USAGE_COLUMNS if column != "cost_usd"},
        "cost_usd": float(round(messages["cost_usd"].sum(), 4)),
        **campaign_cost(messages, segment_usd).metadata(),
        "model": model,
        "preview": preview(messages, ["user_id", "campaign", "status", "segments", "message", "skip_reason"]),
    }


def published_metadata(published: pd.DataFrame, outcomes: list[Outcome]) -> dict[str, object]:
    by_key = {outcome.message_key: outcome.outcome for outcome in outcomes}
    later = int((published["skip_reason"] == LATER_TEXT).sum())
    superseded = sum(outcome == SUPERSEDED for outcome in by_key.values())
    return {
        "dagster/row_count": len(published),
        **{
            f"outcome_{name}": int((published["outcome"] == name).sum())
            for name in ("created", "updated", "skipped", BACKFILL)
        },
        **{f"skipped_{reason}": int(count) for reason, count in published["skip_reason"].value_counts().items()},
        "superseded_later_texts": superseded,
        "duplicate_rows_marked": sum(outcome == DUPLICATE for outcome in by_key.values()),
        **({"later_texts": _later_texts_note(later, superseded)} if later or superseded else {}),
        "preview": preview(published, ["message_key", "event_id", "outcome", "skip_reason", "message"]),
    }


def _later_texts_note(later: int, superseded: int) -> str:
    """Why texts dated after the campaign date changed what this date wrote, where the counts are read."""
    return (
        f"The table already holds texts dated after this date: {plural(later, 'member')} skipped for one within "
        f"the cooldown (`skipped_later_text`), {plural(superseded, 'queued later text')} of this pipeline replaced "
        "by this date's (`superseded_later_texts`). A backfill meets them, and so does a first run for today on the "
        "bundled sample, whose simulated campaigns run past today."
    )


def withdrawn_metadata(withdrawn: list[dict], changed: int) -> dict[str, object]:
    """Queued texts this run withdrew because their event can no longer be booked, by reason."""
    reasons = Counter(patch["fields"]["withdrawn_reason"] for patch in withdrawn)
    return {"withdrawn": changed, **{f"withdrawn_{reason}": int(count) for reason, count in reasons.items()}}


def event_table(events: pd.DataFrame) -> dg.MetadataValue:
    """Per event with texts or outstanding invitations: its cap for the date, what was allocated, seats left."""
    shown = events[(events["allocated"] > 0) | (events["outstanding"] > 0)].sort_values("allocated", ascending=False)
    counts = ["spots_left", "cap", "outstanding", "room", "allocated"]
    records = [
        dg.TableRecord({"event_id": str(event_id), "name": str(row["name"]), **{c: int(row[c]) for c in counts}})
        for event_id, row in shown.iterrows()
    ]
    schema = dg.TableSchema(
        columns=[dg.TableColumn("event_id", "string"), dg.TableColumn("name", "string")]
        + [dg.TableColumn(c, "int") for c in counts]
    )
    return dg.MetadataValue.table(records, schema=schema)


def quality_metadata(messages: pd.DataFrame, threshold: float) -> dict[str, object]:
    """The judge's verdicts on the texts that may go out: how many were judged, the score's spread, the share below
    the threshold and approved, the texts flagged for review, what judging cost, the issues by criterion, and the
    scores per campaign and arm (docs/quality.md)."""
    sent = publishable(messages)
    scores = sent["quality_score"].astype(float)
    below = scores.lt(threshold)
    issues = Counter(issue.split(":", 1)[0] for found in sent["quality_issues"] for issue in found)
    groups = sent.assign(score=scores, below=below).groupby(["campaign", "arm"], sort=True)
    records = [
        dg.TableRecord(
            {
                "campaign": str(campaign),
                "arm": str(arm),
                "texts": len(group),
                "mean": round(float(group["score"].mean()), 2),
                "p10": round(float(group["score"].quantile(0.1)), 2),
                "min": round(float(group["score"].min()), 2),
                "below_threshold": int(group["below"].sum()),
            }
        )
        for (campaign, arm), group in groups
    ]
    columns = [dg.TableColumn("campaign", "string"), dg.TableColumn("arm", "string")] + [
        dg.TableColumn(name, "float" if name in ("mean", "p10", "min") else "int")
        for name in ("texts", "mean", "p10", "min", "below_threshold")
    ]
    return {
        "quality_judged": int(scores.notna().sum()),
        "quality_score_mean": rounded_mean(scores),
        "quality_below_threshold": int(below.sum()),
        "quality_below_threshold_share": round(float(below.mean()), 4) if len(sent) else 0.0,
        "quality_approved_share": round(float((~below & ~sent["needs_review"]).mean()), 4) if len(sent) else 0.0,
        "needs_review": int(sent["needs_review"].sum()),
        "judge_unavailable": int(sent["judge_unavailable"].sum()),  # scored by the local judge standing in
        "judge_calls": int(messages["judge_calls"].sum()),
        "judge_cost_usd": float(round(messages["judge_cost_usd"].sum(), 4)),
        **{f"quality_issues_{criterion}": int(count) for criterion, count in sorted(issues.items())},
        # What the texts lead with (docs/quality.md: "Reasons"), and how many lines of the library carry them.
        **{f"lead_reason_{kind}": int(count) for kind, count in sorted(Counter(sent["lead_reason"]).items()) if kind},
        "library_lines_used": int(sent["line"].replace("", pd.NA).nunique()),
        "quality_by_campaign_and_arm": dg.MetadataValue.table(records, schema=dg.TableSchema(columns=columns)),
    }
