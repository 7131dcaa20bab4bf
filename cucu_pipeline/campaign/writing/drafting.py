"""From matches to checked texts, as a pipeline of stages over a date's members, each a function of the one before
(docs/writing.md): reasons and briefs (`composer.py`) -> the writer's draft, checked by the hard rules
(`hard_rules.py`), and one regeneration with the failures as feedback -> the allocation's caps -> the template's text
for what is left, or skipped with a reason -> the quality judge -> a rewrite of what scores low -> the template's text,
flagged, where the rewrite falls short (`judging.py`). Nothing that breaks a hard rule leaves this module."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd

from cucu_pipeline.campaign.checks.segments import count_segments, encoding
from cucu_pipeline.campaign.matching.matches import caps_by_event
from cucu_pipeline.campaign.writing.attempts import (
    FALLBACK,
    NO_USAGE,
    READY,
    SKIPPED,
    TEMPLATE_ATTEMPT,
    USAGE_COLUMNS,
    Outcome,
    Text,
    evaluated,
    held_out,
)
from cucu_pipeline.campaign.writing.composer import Composer
from cucu_pipeline.campaign.writing.hard_rules import HardRules
from cucu_pipeline.campaign.writing.judging import JUDGE_COLUMNS, judge_row, judged, rewritten, settled
from cucu_pipeline.campaign.writing.templates import TEMPLATE_MODEL, template_writes
from cucu_pipeline.clients.claude import MessageWriter
from cucu_pipeline.core.collector import collector_paused
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.quality.rubric import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from cucu_pipeline.clients.claude_calls import BatchLedger

MESSAGE_COLUMNS = [
    "user_id",
    "event_id",
    "campaign",
    "arm",
    "when",
    "message",
    "segments",
    "encoding",
    "check_results",
    "warnings",
    "status",
    "skip_reason",
    "attempts",
    "writer_unavailable",
    "writer_error",
    "needs_opt_out",
    "model",
    "reasoning",
    "reasons",
    "lead_reason",
    "line",
    "confidence",
    *USAGE_COLUMNS,
    *JUDGE_COLUMNS,
]


def produce_messages(
    matches: pd.DataFrame,
    composer: Composer,
    writer: MessageWriter,
    ledger: BatchLedger | None = None,
    arms: dict[str, str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """One row per matched member: the text, its checks, status (`ready`, `fallback`, `skipped`, or `holdout` for a
    member the experiment holds out: recorded, never written or sent), the judge's verdict and usage. `arms` maps
    members to their arm (the variant decides the style of the text); `ledger` keeps the ids of Message Batches the
    writer and the judge submit, so a re-run resumes them; a text scoring below `threshold` is rewritten once."""
    matched = matches[matches["event_id"].astype(bool)]
    with collector_paused():  # a date's briefs, texts and checks are trees of records
        briefs = composer.briefs(matched, arms or {})
        rules = composer.hard_rules
        texts = [Text(brief) for brief in briefs if brief.variant != HOLDOUT]
        texts = drafted(texts, writer, ledger, rules)
        texts = within_caps(texts, matched)
        texts = templated(texts, rules)
        texts = judged(texts, writer, ledger)
        texts = rewritten(texts, writer, ledger, rules, threshold)
        texts = settled(texts, writer, ledger, rules, threshold)
        final = {text.brief.user_id: text for text in texts}
        rows = [
            message_row(final.get(brief.user_id) or held_out(brief), reasoning, confidence)
            for brief, reasoning, confidence in zip(briefs, matched["reasoning"], matched["confidence"])
        ]
    return pd.DataFrame(rows, columns=MESSAGE_COLUMNS)


def drafted(texts: list[Text], writer: MessageWriter, ledger: BatchLedger | None, rules: HardRules) -> list[Text]:
    """The writer's draft of each text, checked; a refused draft is written once more with its failures as feedback
    (not when the writer could not be reached). A text still refused has no outcome, and its brief names the drafts
    refused."""
    texts = list(texts)
    for attempt in (1, 2):
        pending = [index for index, text in enumerate(texts) if text.outcome is None and not text.unreachable]
        briefs = [texts[index].brief for index in pending]
        drafts = writer.write(briefs, ledger)
        for index, draft, (body, results, failures) in zip(pending, drafts, evaluated(drafts, briefs, rules)):
            text = texts[index].used(draft)
            if not failures:
                texts[index] = dataclasses.replace(text, outcome=Outcome(READY, draft, body, results, attempt))
            elif draft.unavailable:
                texts[index] = dataclasses.replace(
                    text, failures=tuple(failures), writer_error=draft.error or text.writer_error, unreachable=True
                )
            else:
                brief = text.brief.retried(failures, draft.body)
                error = draft.error or text.writer_error
                texts[index] = dataclasses.replace(text, brief=brief, failures=tuple(failures), writer_error=error)
    return texts


def within_caps(texts: list[Text], matched: pd.DataFrame) -> list[Text]:
    """The writer may pick another candidate than the allocated event; a pick beyond that event's cap for the date
    loses its text, and the template writes the member's allocated event. Picks are honoured in member order."""
    allocated = dict(zip(matched["user_id"], matched["event_id"]))
    room = Counter(caps_by_event(matched))
    room.subtract(Counter(matched["event_id"]))
    capped = []
    for text in texts:
        outcome, user = text.outcome, text.brief.user_id
        if outcome is not None and outcome.status == READY and outcome.draft.event_id != allocated[user]:
            pick = outcome.draft.event_id
            if room[pick] > 0:
                room[pick] -= 1
                room[allocated[user]] += 1
            else:
                failure = f"event_capacity: {pick} has no room left for the date"
                text = dataclasses.replace(text, outcome=None, failures=(failure,))
        capped.append(text)
    return capped


def templated(texts: list[Text], rules: HardRules) -> list[Text]:
    """The template's text for each member still without a compliant one, checked; skipped with every failure when
    even the template's breaks a rule."""
    pending = [index for index, text in enumerate(texts) if text.outcome is None]
    briefs = [texts[index].brief for index in pending]
    drafts = template_writes(briefs)
    texts = list(texts)
    for index, draft, (body, results, failures) in zip(pending, drafts, evaluated(drafts, briefs, rules)):
        if failures:
            reason = "; ".join([*texts[index].failures, *failures])[:500]
            outcome = Outcome(SKIPPED, draft, None, [], TEMPLATE_ATTEMPT, f"no compliant text: {reason}")
        else:
            outcome = Outcome(FALLBACK, draft, body, results, TEMPLATE_ATTEMPT)
        texts[index] = dataclasses.replace(texts[index], outcome=outcome)
    return texts


def message_row(text: Text, scorer_reasoning: str, scorer_confidence: int) -> dict:
    """The member's row of `matched_messages`."""
    brief, outcome = text.brief, text.outcome
    draft, body, checks = outcome.draft, outcome.text, outcome.checks
    event_id = draft.event_id or brief.candidates[0].id
    facts = brief.candidate(event_id)
    return {
        "user_id": brief.user_id,
        "event_id": event_id,
        "campaign": facts.campaign,
        "arm": brief.variant,
        "when": facts.when,
        "message": body or "",
        "segments": count_segments(body) if body else 0,
        "encoding": encoding(body) if body else "",
        "check_results": {result.rule: result.detail or "ok" for result in checks},
        "warnings": [result.rule for result in checks if not result.hard and not result.passed],
        "status": outcome.status,
        "skip_reason": outcome.skip_reason,
        "attempts": outcome.attempts,
        "writer_unavailable": text.unreachable,
        "writer_error": text.writer_error,
        "needs_opt_out": brief.needs_opt_out,
        "model": draft.model if outcome.status in (READY, HOLDOUT) else TEMPLATE_MODEL,
        "reasoning": draft.reasoning or scorer_reasoning,
        "reasons": [f"{reason.kind}: {reason.evidence}" for reason in facts.reasons],
        "lead_reason": draft.lead,
        "line": draft.line,
        "confidence": draft.confidence if draft.confidence is not None else int(scorer_confidence),
        **{column: text.usage.get(column, NO_USAGE[column]) for column in USAGE_COLUMNS},
        **judge_row(outcome, text.judge_usage),
    }
