"""From matches to checked texts: brief the writer, check every draft, regenerate once with the failures as
feedback, fall back to the template, or skip with a reason. Nothing that breaks a hard rule leaves this module."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cucu_pipeline.lib.dates import PACIFIC
from cucu_pipeline.lib.matching import campaign_for, member_campaigns
from cucu_pipeline.lib.sms import (
    MessageContext,
    RuleResult,
    check_message,
    count_segments,
    encoding,
    failed_hard_rules,
)
from cucu_pipeline.lib.writers import BatchLedger, Brief, Draft, EventFacts, MessageWriter, TemplateWriter, compose

OPT_OUT_AFTER_DAYS = 30  # members with no text in this many days get the opt-out line
# The Dagster asset checks on matched_messages: the rules of `check_message` each covers, and what it promises.
ASSET_CHECKS = {
    "length_and_segments": (("length", "segments"), "At most 180 characters including the link, and at most 2 segments."),
    "gsm7_only": (("encoding", "emoji"), "GSM-7 characters only (no emoji, curly quotes or dashes) unless emoji are enabled."),
    "one_booking_link": (("booking_link", "no_shorteners"), "Exactly one URL, the matched event's booking link; no shorteners."),
    "no_other_contacts": (("no_other_contacts",), "No phone number or email address in the text."),
    "clean_content": (("shaft", "spam_or_phishing", "no_shouting"),
                      "No SHAFT topics or alcohol offers, no spam or phishing phrasing, no shouting or '!!'."),
    "brand_name_and_event": (("brand", "first_name", "event_named"),
                             "Starts with the brand, addresses the member by first name, names the event."),
    "opt_out_when_required": (("opt_out",), "'Reply STOP to opt out' for members with no text in the last 30 days."),
    "facts_match_event": (("facts",), "Every stated day, time, date, count, venue, neighborhood and host is the event's."),
    "one_message_per_member": ((), "At most one publishable text per member for the date."),
}  # fmt: skip
USAGE_COLUMNS = ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost_usd")


def local_start_times(start_dates: pd.Series) -> pd.DataFrame:
    """Per event, in Pacific time: `clock_time` for texts (`7:30pm`, `7pm` on the hour), `canonical_time` for checks
    (`7:00pm`), and the month and day."""
    local = start_dates.dt.tz_convert(PACIFIC)
    hour, minute = local.dt.hour, local.dt.minute
    hour_text = (hour % 12).replace(0, 12).astype(int).astype(str)
    minute_text = ":" + minute.astype(int).astype(str).str.zfill(2)
    meridiem = pd.Series(np.where(hour < 12, "am", "pm"), index=start_dates.index)
    return pd.DataFrame(
        {
            "clock_time": hour_text + minute_text.where(minute != 0, "") + meridiem,
            "canonical_time": hour_text + minute_text + meridiem,
            "month": local.dt.month.astype(int),
            "day": local.dt.day.astype(int),
        }
    )


def needs_opt_out(days_since_last_message: pd.Series) -> pd.Series:
    return days_since_last_message.isna() | days_since_last_message.ge(OPT_OUT_AFTER_DAYS).fillna(True)


class Composer:
    """Builds briefs and check contexts for matched members, from the enriched tables of one campaign date."""

    def __init__(self, members, events, campaign_date: dt.date, brand: str, allow_emoji: bool, known_venues, known_neighborhoods):
        # Plain dicts by id: one lookup per member costs microseconds, a DataFrame `.loc` a hundred times more.
        self.members = {row["id"]: row for row in members.to_dict("records")}
        self.events = {row["id"]: row for row in events.join(local_start_times(events["start_date"])).to_dict("records")}
        self.campaigns = dict(zip(members["id"], member_campaigns(members)))
        self.opt_out = dict(zip(members["id"], needs_opt_out(members["days_since_last_message"])))
        self.campaign_date, self.brand, self.allow_emoji = campaign_date, brand, allow_emoji
        self.known_venues = frozenset(v for v in known_venues if isinstance(v, str))
        self.known_neighborhoods = frozenset(n for n in known_neighborhoods if isinstance(n, str))
        self._checked: dict[tuple[str, str, str], list[RuleResult]] = {}

    def facts(self, user_id: str, event_id: str) -> EventFacts:
        event = self.events[event_id]
        return EventFacts(
            id=event_id, name=event["name"],
            campaign=campaign_for(self.campaigns[user_id], bool(event["has_low_occupancy"])),
            day=event["day_of_week"], time=event["clock_time"], venue=_text(event["venue_name"]),
            neighborhood=_text(event["neighborhood"]), host=_text(event["host_name"]),
            spots_left=int(event["spots_left"]), participant_count=int(event["participant_count"]),
            max_participants=int(event["max_participants"]), summary=event["summary"],
        )  # fmt: skip

    def brief(self, user_id: str, candidates: list[str], feedback: tuple[str, ...] = ()) -> Brief:
        member = self.members[user_id]
        return Brief(
            user_id=user_id, first_name=member["first_name"], member_summary=member["summary"],
            candidates=tuple(self.facts(user_id, event_id) for event_id in candidates),
            needs_opt_out=bool(self.opt_out[user_id]), brand=self.brand,
            seed=f"{self.campaign_date}:{user_id}", feedback=feedback,
        )  # fmt: skip

    def check(self, text: str, user_id: str, event_id: str) -> list[RuleResult]:
        """Every rule on one text for this member and event. Results are kept: the asset checks re-read each final
        text, and the same text for the same member and event gets the same answer without a second pass."""
        key = (text, user_id, event_id)
        if key not in self._checked:
            self._checked[key] = check_message(text, self.context(user_id, event_id))
        return self._checked[key]

    def context(self, user_id: str, event_id: str) -> MessageContext:
        member, event = self.members[user_id], self.events[event_id]
        return MessageContext(
            first_name=member["first_name"], event_id=event_id, event_name=event["name"],
            day_of_week=event["day_of_week"], start_local_time=event["canonical_time"],
            start_month_day=(event["month"], event["day"]), venue_name=_text(event["venue_name"]),
            neighborhood=_text(event["neighborhood"]), host_name=_text(event["host_name"]),
            spots_left=int(event["spots_left"]), participant_count=int(event["participant_count"]),
            max_participants=int(event["max_participants"]), needs_opt_out=bool(self.opt_out[user_id]),
            known_venues=self.known_venues, known_neighborhoods=self.known_neighborhoods,
            member_neighborhoods=frozenset(filter(None, (_text(member["home_neighborhood"]), _text(member["work_neighborhood"])))),
            brand=self.brand, allow_emoji=self.allow_emoji,
        )  # fmt: skip


def composer_for(
    enriched_users: pd.DataFrame, enriched_events: pd.DataFrame, raw_events: pd.DataFrame, campaign_date: dt.date, brand: str,
    allow_emoji: bool,
) -> Composer:
    """The composer of one campaign date; every venue and neighborhood on record is known to the fact check."""
    return Composer(
        enriched_users, enriched_events, campaign_date, brand, allow_emoji,
        raw_events["venue_name"].dropna().unique(), raw_events["neighborhood"].dropna().unique(),
    )  # fmt: skip


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _evaluate(draft: Draft, brief: Brief, composer: Composer) -> tuple[str | None, list, list]:
    """The composed text, every rule's result, and the hard-rule failures (a writer error counts as a failure)."""
    if draft.error or not draft.body or not draft.event_id:
        return None, [], [draft.error or "empty draft"]
    text = compose(draft.body, brief, draft.event_id)
    results = composer.check(text, brief.user_id, draft.event_id)
    return text, results, [f"{failure.rule}: {failure.detail}" for failure in failed_hard_rules(results)]


def _add_usage(total: dict, draft: Draft) -> None:
    for column in USAGE_COLUMNS:
        total[column] = total.get(column, 0) + getattr(draft, column)


def produce_messages(
    matches: pd.DataFrame, composer: Composer, writer: MessageWriter, ledger: BatchLedger | None = None
) -> pd.DataFrame:
    """One row per matched member: the text, its checks, status (`ready`, `fallback`, `skipped`) and usage.
    `ledger` keeps the ids of Message Batches the writer submits, so a re-run resumes them."""
    matched = matches[matches["event_id"].astype(bool)]
    briefs = [composer.brief(user_id, candidates) for user_id, candidates in zip(matched["user_id"], matched["candidates"])]
    usage = {brief.user_id: {} for brief in briefs}
    outcome: dict[str, tuple] = {}

    pending, to_template, last_failures, unreachable, writer_errors = briefs, [], {}, set(), {}
    for attempt in (1, 2):  # the first draft, then one regeneration with the failures as feedback
        retry = []
        for brief, draft in zip(pending, writer.write(pending, ledger)):
            _add_usage(usage[brief.user_id], draft)
            text, results, failures = _evaluate(draft, brief, composer)
            if not failures:
                outcome[brief.user_id] = ("ready", draft, text, results, attempt, None)
                continue
            last_failures[brief.user_id] = failures
            if draft.error:
                writer_errors[brief.user_id] = draft.error
            if draft.unavailable:  # asking again this run would only wait on the outage
                unreachable.add(brief.user_id)
                to_template.append(brief)
            else:
                retry.append((brief, failures))
        pending = [composer.brief(b.user_id, [c.id for c in b.candidates], tuple(f)) for b, f in retry]
    to_template += pending

    template = TemplateWriter()
    for brief, draft in zip(to_template, template.write(to_template)):
        text, results, failures = _evaluate(draft, brief, composer)
        if failures:
            reason = "; ".join([*last_failures[brief.user_id], *failures])[:500]
            outcome[brief.user_id] = ("skipped", draft, None, [], 3, f"no compliant text: {reason}")
        else:
            outcome[brief.user_id] = ("fallback", draft, text, results, 3, None)

    rows = []
    scorer = {user: (reasoning, confidence) for user, reasoning, confidence in
              zip(matched["user_id"], matched["reasoning"], matched["confidence"])}  # fmt: skip
    for brief in briefs:
        status, draft, text, checks, attempts, skip_reason = outcome[brief.user_id]
        event_id = draft.event_id or brief.candidates[0].id
        facts = next((c for c in brief.candidates if c.id == event_id), brief.candidates[0])
        rows.append(
            {
                "user_id": brief.user_id,
                "event_id": event_id,
                "campaign": facts.campaign,
                "message": text or "",
                "segments": count_segments(text) if text else 0,
                "encoding": encoding(text) if text else "",
                "check_results": {result.rule: result.detail or "ok" for result in checks},
                "warnings": [result.rule for result in checks if not result.hard and not result.passed],
                "status": status,
                "skip_reason": skip_reason,
                "attempts": attempts,
                "writer_unavailable": brief.user_id in unreachable,
                "writer_error": writer_errors.get(brief.user_id),
                "needs_opt_out": brief.needs_opt_out,
                "model": draft.model if status == "ready" else "template",
                "reasoning": draft.reasoning or scorer[brief.user_id][0],
                "confidence": draft.confidence if draft.confidence is not None else int(scorer[brief.user_id][1]),
                **{column: usage[brief.user_id].get(column, 0) for column in USAGE_COLUMNS},
            }
        )
    columns = ["user_id", "event_id", "campaign", "message", "segments", "encoding", "check_results", "warnings",
               "status", "skip_reason", "attempts", "writer_unavailable", "writer_error", "needs_opt_out", "model", "reasoning", "confidence", *USAGE_COLUMNS]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def check_failures(messages: pd.DataFrame, composer: Composer) -> dict[str, list[str]]:
    """Members whose publishable text breaks each asset check's rules, re-checked from the final text."""
    publishable = messages[messages["status"].isin(["ready", "fallback"])]
    failures = {name: [] for name in ASSET_CHECKS}
    for user_id, event_id, text in zip(publishable["user_id"], publishable["event_id"], publishable["message"]):
        failed = {result.rule for result in failed_hard_rules(composer.check(text, user_id, event_id))}
        for name, (rules, _) in ASSET_CHECKS.items():
            if failed & set(rules):
                failures[name].append(user_id)
    failures["one_message_per_member"] = sorted(set(publishable.loc[publishable["user_id"].duplicated(), "user_id"]))
    return failures
