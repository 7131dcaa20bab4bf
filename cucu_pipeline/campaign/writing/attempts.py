"""What the drafting rounds produce for each member: a status, the outcome of their last attempt, the running state of
a campaign date's rounds, and the hard rules' verdict on a draft (`drafting.py` runs the rounds, `judging.py` the
quality gate)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from cucu_pipeline.campaign.checks.sms_rules import RuleResult, failed_hard_rules
from cucu_pipeline.campaign.writing.briefs import Brief, Draft, Usage, compose
from cucu_pipeline.campaign.writing.composer import Composer
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.quality.rubric import Judgement

READY, FALLBACK, SKIPPED = "ready", "fallback", "skipped"
STATUSES = (READY, FALLBACK, SKIPPED, HOLDOUT)
USAGE_COLUMNS = tuple(usage.name for usage in dataclasses.fields(Usage))
TEMPLATE_ATTEMPT = 3  # the writer's draft and its regeneration come first


def publishable_mask(messages: pd.DataFrame) -> pd.Series:
    """The texts that may go to Airtable: written and checked (`ready`), or the template's (`fallback`)."""
    return messages["status"].isin([READY, FALLBACK])


def publishable(messages: pd.DataFrame) -> pd.DataFrame:
    return messages[publishable_mask(messages)]


@dataclass(frozen=True)
class Outcome:
    status: str
    draft: Draft
    text: str | None
    checks: list[RuleResult]
    attempts: int
    skip_reason: str | None = None
    judgement: Judgement | None = None  # the quality judge's verdict on `text`
    needs_review: bool = False  # the judge found no version good enough: the team reads it first


@dataclass
class Drafting:
    """What the rounds learn about each member: usage summed over calls (the judge's too, and apart), the final
    outcome, the last failures, the writer's last error and whether it could be reached."""

    usage: dict[str, dict[str, float]]
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    last_failures: dict[str, list[str]] = field(default_factory=dict)
    writer_errors: dict[str, str] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)
    judge_usage: dict[str, dict[str, float]] = field(default_factory=dict)

    def add_usage(self, user_id: str, call: Usage, judge: bool = False) -> None:
        totals = [self.usage[user_id]] + ([self.judge_usage.setdefault(user_id, {})] if judge else [])
        for total in totals:
            for column in USAGE_COLUMNS:
                total[column] = total.get(column, 0) + getattr(call, column)


def evaluate(draft: Draft, brief: Brief, composer: Composer) -> tuple[str | None, list, list]:
    """The composed text, every rule's result, and the hard-rule failures (a writer error counts as a failure)."""
    return evaluated([draft], [brief], composer)[0]


def evaluated(drafts: list[Draft], briefs: list[Brief], composer: Composer) -> list[tuple[str | None, list, list]]:
    """`evaluate` of each draft with its brief: the texts checked at once, on every core (`Composer.check_all`)."""
    texts = [
        None if draft.error or not draft.body or not draft.event_id else compose(draft.body, brief, draft.event_id)
        for draft, brief in zip(drafts, briefs)
    ]
    composer.check_all(
        [(text, brief.user_id, draft.event_id) for text, draft, brief in zip(texts, drafts, briefs) if text]
    )
    evaluations = []
    for text, draft, brief in zip(texts, drafts, briefs):
        if text is None:
            evaluations.append((None, [], [draft.error or "empty draft"]))
            continue
        results = composer.check(text, brief.user_id, draft.event_id)
        evaluations.append(
            (text, results, [f"{failure.rule}: {failure.detail}" for failure in failed_hard_rules(results)])
        )
    return evaluations
