"""The quality gate's stages (docs/quality.md): every text that passed the hard rules is judged (`judged`); below the
threshold it is rewritten once, the judge's improved text when it passes every hard rule, else the writer with the
judge's issues as feedback, and judged again (`rewritten`); a text whose rewrite still falls short gives way to the
template's text, flagged `needs_review` (`settled`), or is flagged as it is when the template wrote it."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

from cucu_pipeline.campaign.writing.attempts import FALLBACK, READY, TEMPLATE_ATTEMPT, Outcome, Text, evaluated
from cucu_pipeline.campaign.writing.hard_rules import HardRules
from cucu_pipeline.campaign.writing.templates import TEMPLATE_MODEL, line_cap, template_writes
from cucu_pipeline.clients.claude import MessageWriter
from cucu_pipeline.quality.rubric import Review

if TYPE_CHECKING:
    from cucu_pipeline.clients.claude_calls import BatchLedger

JUDGE_COLUMNS = (
    "quality_score", "quality_scores", "quality_issues", "needs_review", "judge_unavailable", "judge_calls",
    "judge_cost_usd",
)  # fmt: skip


def _verdicts(texts: list[Text], writer: MessageWriter, ledger: BatchLedger | None) -> list[Text]:
    """Each text's outcome judged (every one passed the hard rules), with the judge's usage added."""
    reviews = [
        Review(text.brief, text.brief.candidate(text.outcome.draft.event_id), text.outcome.draft.body, checked=True)
        for text in texts
    ]
    judgements = writer.judge(reviews, ledger) if reviews else []
    return [
        dataclasses.replace(text, outcome=dataclasses.replace(text.outcome, judgement=judgement)).used(judgement, True)
        for text, judgement in zip(texts, judgements)
    ]


def _replaced(texts: list[Text], changed: dict[str, Text]) -> list[Text]:
    return [changed.get(text.brief.user_id, text) for text in texts]


def judged(texts: list[Text], writer: MessageWriter, ledger: BatchLedger | None) -> list[Text]:
    """Every compliant text with the judge's verdict."""
    compliant = [text for text in texts if text.outcome.compliant]
    return _replaced(texts, {text.brief.user_id: text for text in _verdicts(compliant, writer, ledger)})


def _low(texts: list[Text], threshold: float) -> list[Text]:
    return [text for text in texts if text.outcome.compliant and not text.outcome.judgement.passes(threshold)]


def _focused(text: Text, crowded: frozenset[str]) -> Text:
    """The text to rewrite: its brief narrowed to the same event, the judge's issues as feedback, the judged text
    refused, the lines the date has given their share crowded."""
    outcome = text.outcome
    feedback = tuple(f"quality judge: {issue}" for issue in outcome.judgement.issues) or (
        "quality judge: score too low",
    )
    rejected = (*text.brief.rejected, outcome.draft.body)
    return dataclasses.replace(text, brief=text.brief.focused(outcome.draft.event_id, feedback, rejected, crowded))


def _line_use(texts: list[Text]) -> tuple[Counter, int]:
    """How many of the date's compliant texts each library line wrote, and the most one may (`line_cap`)."""
    lines = [text.outcome.draft.line for text in texts if text.outcome and text.outcome.compliant]
    return Counter(filter(None, lines)), line_cap(len(lines))


def _crowded(text: Text, use: tuple[Counter, int]) -> frozenset[str]:
    """The lines the date's other texts have given their share: a rewrite takes one only when nothing else fits."""
    counts, cap = use
    return frozenset(line for line, count in counts.items() if count - (line == text.outcome.draft.line) >= cap)


def rewritten(
    texts: list[Text], writer: MessageWriter, ledger: BatchLedger | None, rules: HardRules, threshold: float
) -> list[Text]:
    """Each text below `threshold` rewritten once, the judge's own improvement first, and judged again; a rewrite
    that passes the threshold takes its place. A text whose rewrite falls short keeps its own version and verdict
    (for `settled`), with what the attempt used."""
    rewrites, attempts, to_writer = [], [], []
    use = _line_use(texts)
    for text in (_focused(low, _crowded(low, use)) for low in _low(texts, threshold)):
        outcome, judgement = text.outcome, text.outcome.judgement
        if judgement.improved_message:
            improved = dataclasses.replace(
                outcome.draft, body=judgement.improved_message, model=judgement.model, line=""
            )
            ((body, results, failures),) = evaluated([improved], [text.brief], rules)
            if not failures:
                rewrites.append(
                    dataclasses.replace(text, outcome=Outcome(READY, improved, body, results, outcome.attempts + 1))
                )
                continue
        to_writer.append(text)
    briefs = [text.brief for text in to_writer]
    drafts = writer.write(briefs, ledger) if to_writer else []
    for text, draft, (body, results, failures) in zip(to_writer, drafts, evaluated(drafts, briefs, rules)):
        text = text.used(draft)
        if failures:
            attempts.append(text)
        else:
            rewrites.append(
                dataclasses.replace(text, outcome=Outcome(READY, draft, body, results, text.outcome.attempts + 1))
            )
    changed = {}
    for text in _verdicts(rewrites, writer, ledger):
        if text.outcome.judgement.passes(threshold):
            changed[text.brief.user_id] = text
        else:
            attempts.append(text)
    own = {text.brief.user_id: text for text in texts}
    for attempt in attempts:
        kept = own[attempt.brief.user_id]
        changed[kept.brief.user_id] = dataclasses.replace(kept, usage=attempt.usage, judge_usage=attempt.judge_usage)
    return _replaced(texts, changed)


def settled(
    texts: list[Text], writer: MessageWriter, ledger: BatchLedger | None, rules: HardRules, threshold: float
) -> list[Text]:
    """The template's text, flagged for review, for each text still below `threshold` after its rewrite; judged
    unless it is the text already judged. A template that breaks a hard rule leaves the compliant text in place,
    flagged too."""
    low = _low(texts, threshold)
    # A text the template wrote is already the template's text: flagged, not written again.
    changed = {text.brief.user_id: _flagged(text) for text in low if text.outcome.draft.model == TEMPLATE_MODEL}
    low = [text for text in low if text.brief.user_id not in changed]
    use = _line_use(texts)
    plain = [text.brief.focused(text.outcome.draft.event_id, crowded=_crowded(text, use)) for text in low]
    drafts = template_writes(plain)
    to_judge = []
    for text, brief, draft, (body, results, failures) in zip(low, plain, drafts, evaluated(drafts, plain, rules)):
        if failures or body == text.outcome.text:
            changed[brief.user_id] = _flagged(text)
        else:
            fallback = Outcome(FALLBACK, draft, body, results, TEMPLATE_ATTEMPT, needs_review=True)
            to_judge.append(dataclasses.replace(text, brief=brief, outcome=fallback))
    changed.update((text.brief.user_id, text) for text in _verdicts(to_judge, writer, ledger))
    return _replaced(texts, changed)


def _flagged(text: Text) -> Text:
    return dataclasses.replace(text, outcome=dataclasses.replace(text.outcome, needs_review=True))


def judge_row(outcome: Outcome, usage: dict[str, float]) -> dict:
    """The judge's columns of a message row: the score (mean of the criteria) and each criterion, the issues, the
    review flag, whether the local judge stood in for Claude's, and what judging cost."""
    judgement = outcome.judgement
    return {
        "quality_score": judgement.score if judgement else None,
        "quality_scores": dict(judgement.scores) if judgement else {},
        "quality_issues": list(judgement.issues) if judgement else [],
        "needs_review": outcome.needs_review,
        # Claude's judge could not answer: the local judge's score stood in (`Judgement.error` says why).
        "judge_unavailable": bool(judgement and judgement.error),
        "judge_calls": int(usage.get("calls", 0)),
        "judge_cost_usd": float(usage.get("cost_usd", 0.0)),
    }
