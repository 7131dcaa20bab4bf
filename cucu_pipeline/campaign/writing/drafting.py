"""From matches to checked texts: brief the writer, check every draft, regenerate once with the failures as
feedback, fall back to the template, or skip with a reason; then the quality judge (`judging.py`). Nothing that
breaks a hard rule leaves this module."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd

from cucu_pipeline.campaign.checks.segments import count_segments, encoding
from cucu_pipeline.campaign.matching.matches import caps_by_event
from cucu_pipeline.campaign.writing.attempts import (
    FALLBACK,
    READY,
    SKIPPED,
    TEMPLATE_ATTEMPT,
    USAGE_COLUMNS,
    Drafting,
    Outcome,
    evaluated,
)
from cucu_pipeline.campaign.writing.briefs import Brief, Draft
from cucu_pipeline.campaign.writing.composer import Composer
from cucu_pipeline.campaign.writing.judging import JUDGE_COLUMNS, judge_row, quality_gate
from cucu_pipeline.campaign.writing.templates import TEMPLATE_MODEL, template_writes
from cucu_pipeline.clients.claude import MessageWriter
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


def _writer_rounds(
    briefs: list[Brief], composer: Composer, writer: MessageWriter, ledger: BatchLedger | None, state: Drafting
) -> list[Brief]:
    """The first draft, then one regeneration with the failures as feedback; returns the briefs left to the template."""
    pending, to_template = briefs, []
    for attempt in (1, 2):
        retry = []
        drafts = writer.write(pending, ledger)
        for brief, draft, (text, results, failures) in zip(pending, drafts, evaluated(drafts, pending, composer)):
            state.add_usage(brief.user_id, draft)
            if not failures:
                state.outcomes[brief.user_id] = Outcome(READY, draft, text, results, attempt)
                continue
            state.last_failures[brief.user_id] = failures
            if draft.error:
                state.writer_errors[brief.user_id] = draft.error
            if draft.unavailable:  # asking again this run would only wait on the outage
                state.unreachable.add(brief.user_id)
                to_template.append(brief)
            else:
                retry.append((brief, failures, draft.body))
        pending = [
            composer.brief(
                b.user_id, [c.id for c in b.candidates], tuple(f), b.variant, (*b.rejected, *filter(None, [body]))
            )
            for b, f, body in retry
        ]
    return to_template + pending


def hold_to_caps(briefs: list[Brief], matched: pd.DataFrame, state: Drafting) -> list[Brief]:
    """The writer may pick another candidate than the allocated event; a pick beyond that event's cap for the date is
    replaced by the member's allocated event, which the template writes. Picks are honoured in member order."""
    allocated = dict(zip(matched["user_id"], matched["event_id"]))
    room = Counter(caps_by_event(matched))
    room.subtract(Counter(matched["event_id"]))
    replaced = []
    for brief in briefs:
        outcome = state.outcomes.get(brief.user_id)
        if outcome is None or outcome.status != READY or outcome.draft.event_id == allocated[brief.user_id]:
            continue
        pick = outcome.draft.event_id
        if room[pick] > 0:
            room[pick] -= 1
            room[allocated[brief.user_id]] += 1
        else:
            state.last_failures[brief.user_id] = [f"event_capacity: {pick} has no room left for the date"]
            del state.outcomes[brief.user_id]
            replaced.append(brief)
    return replaced


def _template_round(briefs: list[Brief], composer: Composer, state: Drafting) -> None:
    drafts = template_writes(briefs)
    for brief, draft, (text, results, failures) in zip(briefs, drafts, evaluated(drafts, briefs, composer)):
        if failures:
            reason = "; ".join([*state.last_failures[brief.user_id], *failures])[:500]
            outcome = Outcome(SKIPPED, draft, None, [], TEMPLATE_ATTEMPT, f"no compliant text: {reason}")
        else:
            outcome = Outcome(FALLBACK, draft, text, results, TEMPLATE_ATTEMPT)
        state.outcomes[brief.user_id] = outcome


def _message_row(brief: Brief, state: Drafting, scorer_reasoning: str, scorer_confidence: int) -> dict:
    outcome = state.outcomes[brief.user_id]
    draft, text, checks = outcome.draft, outcome.text, outcome.checks
    event_id = draft.event_id or brief.candidates[0].id
    facts = brief.candidate(event_id)
    usage = state.usage[brief.user_id]
    return {
        "user_id": brief.user_id,
        "event_id": event_id,
        "campaign": facts.campaign,
        "arm": brief.variant,
        "when": facts.when,
        "message": text or "",
        "segments": count_segments(text) if text else 0,
        "encoding": encoding(text) if text else "",
        "check_results": {result.rule: result.detail or "ok" for result in checks},
        "warnings": [result.rule for result in checks if not result.hard and not result.passed],
        "status": outcome.status,
        "skip_reason": outcome.skip_reason,
        "attempts": outcome.attempts,
        "writer_unavailable": brief.user_id in state.unreachable,
        "writer_error": state.writer_errors.get(brief.user_id),
        "needs_opt_out": brief.needs_opt_out,
        "model": draft.model if outcome.status in (READY, HOLDOUT) else TEMPLATE_MODEL,
        "reasoning": draft.reasoning or scorer_reasoning,
        "reasons": [f"{reason.kind}: {reason.evidence}" for reason in facts.reasons],
        "lead_reason": draft.lead,
        "line": draft.line,
        "confidence": draft.confidence if draft.confidence is not None else int(scorer_confidence),
        **{column: usage.get(column, 0) for column in USAGE_COLUMNS},
        **judge_row(outcome, state.judge_usage.get(brief.user_id, {})),
    }


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
    arms = arms or {}
    composer.prepare(
        [(user, event) for user, events in zip(matched["user_id"], matched["candidates"]) for event in events]
    )
    briefs = [
        composer.brief(user, candidates, variant=arms.get(user, ""))
        for user, candidates in zip(matched["user_id"], matched["candidates"])
    ]
    state = Drafting(usage={brief.user_id: {} for brief in briefs})
    for brief in briefs:
        if brief.variant == HOLDOUT:
            draft = Draft(brief.user_id, brief.candidates[0].id, None, reasoning="held out by the experiment")
            state.outcomes[brief.user_id] = Outcome(HOLDOUT, draft, None, [], 0)
    written = [brief for brief in briefs if brief.variant != HOLDOUT]
    to_template = _writer_rounds(written, composer, writer, ledger, state)
    _template_round(to_template + hold_to_caps(written, matched, state), composer, state)
    quality_gate(written, composer, writer, ledger, state, threshold)
    rows = [
        _message_row(brief, state, reasoning, confidence)
        for brief, reasoning, confidence in zip(briefs, matched["reasoning"], matched["confidence"])
    ]
    return pd.DataFrame(rows, columns=MESSAGE_COLUMNS)
