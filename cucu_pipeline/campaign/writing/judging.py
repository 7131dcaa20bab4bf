"""The quality gate (docs/quality.md): every text that passed the hard rules is judged; below the threshold it is
rewritten once (the judge's improved text when it passes every hard rule, else the writer with the judge's issues as
feedback) and judged again; a rewrite that still falls short gives way to the template text, flagged `needs_review`."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from cucu_pipeline.campaign.writing.attempts import (
    FALLBACK,
    READY,
    TEMPLATE_ATTEMPT,
    Drafting,
    Outcome,
    evaluate,
    evaluated,
)
from cucu_pipeline.campaign.writing.briefs import Brief
from cucu_pipeline.campaign.writing.composer import Composer
from cucu_pipeline.campaign.writing.templates import template_writes
from cucu_pipeline.clients.claude import MessageWriter
from cucu_pipeline.quality.rubric import Judgement, Review

if TYPE_CHECKING:
    from cucu_pipeline.clients.claude_calls import BatchLedger

JUDGE_COLUMNS = ("quality_score", "quality_scores", "quality_issues", "needs_review", "judge_calls", "judge_cost_usd")


def _judged(
    items: list[tuple[Brief, Outcome]], writer: MessageWriter, ledger: BatchLedger | None, state: Drafting
) -> list[Judgement]:
    reviews = [
        Review(brief, brief.candidate(outcome.draft.event_id), outcome.draft.body, checked=True)
        for brief, outcome in items
    ]
    judgements = writer.judge(reviews, ledger) if reviews else []
    for (brief, _), judgement in zip(items, judgements):
        state.add_usage(brief.user_id, judgement, judge=True)
    return judgements


def _focused(composer: Composer, brief: Brief, outcome: Outcome, judgement: Judgement) -> Brief:
    """The member's brief for a rewrite: the same event, the judge's issues as feedback, the text it judged rejected."""
    feedback = tuple(f"quality judge: {issue}" for issue in judgement.issues) or ("quality judge: score too low",)
    rejected = (*brief.rejected, outcome.draft.body)
    return composer.brief(brief.user_id, [outcome.draft.event_id], feedback, brief.variant, rejected)


def _rewrites(
    low: list[tuple[Brief, Outcome, Judgement]],
    composer: Composer,
    writer: MessageWriter,
    ledger: BatchLedger | None,
    state: Drafting,
) -> dict[str, tuple[Brief, Outcome]]:
    """One rewrite per low-scored text that passes every hard rule: the judge's own improvement first."""
    rewrites, to_writer = {}, []
    for brief, outcome, judgement in low:
        focused = _focused(composer, brief, outcome, judgement)
        if judgement.improved_message:
            improved = dataclasses.replace(outcome.draft, body=judgement.improved_message, model=judgement.model)
            text, results, failures = evaluate(improved, focused, composer)
            if not failures:
                rewrites[brief.user_id] = (focused, Outcome(READY, improved, text, results, outcome.attempts + 1))
                continue
        to_writer.append((focused, outcome))
    focused_briefs = [focused for focused, _ in to_writer]
    drafts = writer.write(focused_briefs, ledger) if to_writer else []
    evaluations = evaluated(drafts, focused_briefs, composer)
    for (focused, outcome), draft, (text, results, failures) in zip(to_writer, drafts, evaluations):
        state.add_usage(focused.user_id, draft)
        if not failures:
            rewrites[focused.user_id] = (focused, Outcome(READY, draft, text, results, outcome.attempts + 1))
    return rewrites


def _template_fallbacks(
    failed: list[tuple[Brief, Outcome, Judgement]],
    composer: Composer,
    writer: MessageWriter,
    ledger: BatchLedger | None,
    state: Drafting,
) -> None:
    """The template text for the event, flagged for review; judged unless it is the text already judged. A template
    that breaks a hard rule leaves the compliant text in place, flagged too."""
    plain = [composer.brief(b.user_id, [o.draft.event_id], variant=b.variant) for b, o, _ in failed]
    fallbacks, to_judge = {}, []
    drafts = template_writes(plain)
    for (brief, outcome, judgement), fresh, draft, (text, results, failures) in zip(
        failed, plain, drafts, evaluated(drafts, plain, composer)
    ):
        if failures or text == outcome.text:
            fallbacks[brief.user_id] = dataclasses.replace(outcome, judgement=judgement, needs_review=True)
        else:
            to_judge.append((fresh, Outcome(FALLBACK, draft, text, results, TEMPLATE_ATTEMPT, needs_review=True)))
    for (fresh, outcome), judgement in zip(to_judge, _judged(to_judge, writer, ledger, state)):
        fallbacks[fresh.user_id] = dataclasses.replace(outcome, judgement=judgement)
    state.outcomes.update(fallbacks)


def quality_gate(
    briefs: list[Brief],
    composer: Composer,
    writer: MessageWriter,
    ledger: BatchLedger | None,
    state: Drafting,
    threshold: float,
) -> None:
    """Judge every compliant text; rewrite the low-scored once; the template, flagged, where the rewrite falls short."""
    written = [
        (brief, state.outcomes[brief.user_id])
        for brief in briefs
        if state.outcomes.get(brief.user_id) and state.outcomes[brief.user_id].status in (READY, FALLBACK)
    ]
    low = []
    for (brief, outcome), judgement in zip(written, _judged(written, writer, ledger, state)):
        state.outcomes[brief.user_id] = dataclasses.replace(outcome, judgement=judgement)
        if not judgement.passes(threshold):
            low.append((brief, outcome, judgement))
    rewrites = _rewrites(low, composer, writer, ledger, state)
    passed = set()
    for (focused, outcome), judgement in zip(
        rewrites.values(), _judged(list(rewrites.values()), writer, ledger, state)
    ):
        if judgement.passes(threshold):
            state.outcomes[focused.user_id] = dataclasses.replace(outcome, judgement=judgement)
            passed.add(focused.user_id)
    failed = [(brief, outcome, judgement) for brief, outcome, judgement in low if brief.user_id not in passed]
    _template_fallbacks(failed, composer, writer, ledger, state)


def judge_row(outcome: Outcome, usage: dict[str, float]) -> dict:
    """The judge's columns of a message row: the score (mean of the criteria) and each criterion, the issues, the
    review flag, and what judging cost."""
    judgement = outcome.judgement
    return {
        "quality_score": judgement.score if judgement else None,
        "quality_scores": dict(judgement.scores) if judgement else {},
        "quality_issues": list(judgement.issues) if judgement else [],
        "needs_review": outcome.needs_review,
        "judge_calls": int(usage.get("calls", 0)),
        "judge_cost_usd": float(usage.get("cost_usd", 0.0)),
    }
