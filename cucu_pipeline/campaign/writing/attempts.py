"""What one member's text carries from stage to stage of writing (`drafting.py` reads the stages top to bottom): the
brief it is written from, the outcome so far, the last failures, and what the calls to Claude used; and the hard
rules' verdict on a draft."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from cucu_pipeline.campaign.checks.sms_rules import RuleResult, failed_hard_rules
from cucu_pipeline.campaign.writing.briefs import Brief, Draft, Usage, compose
from cucu_pipeline.campaign.writing.hard_rules import HardRules
from cucu_pipeline.experiments.arms import HOLDOUT
from cucu_pipeline.quality.rubric import Judgement

READY, FALLBACK, SKIPPED = "ready", "fallback", "skipped"
STATUSES = (READY, FALLBACK, SKIPPED, HOLDOUT)
USAGE_COLUMNS = tuple(usage.name for usage in dataclasses.fields(Usage))
NO_USAGE = {column: getattr(Usage(), column) for column in USAGE_COLUMNS}  # what a text that called no one used
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

    @property
    def compliant(self) -> bool:
        """A text that passed every hard rule: the writer's or the template's."""
        return self.status in (READY, FALLBACK)


@dataclass(frozen=True)
class Text:
    """One member's text between two stages: the brief the next writer is given (the member's, with the failures
    and refused texts of earlier drafts), the outcome so far (None: no compliant text yet), the last hard-rule
    failures, the writer's last error and whether it could be reached, and what calls used (the judge's apart too)."""

    brief: Brief
    outcome: Outcome | None = None
    failures: tuple[str, ...] = ()
    writer_error: str | None = None
    unreachable: bool = False  # the writer could not be reached: asking again this run would only wait on the outage
    usage: dict[str, float] = field(default_factory=dict)
    judge_usage: dict[str, float] = field(default_factory=dict)

    def used(self, call: Usage, judge: bool = False) -> Text:
        """The text with a call's tokens and cost added (to the judge's too when it judged); the text itself when
        the call used nothing (the template's, the local judge's)."""
        if all(getattr(call, column) == NO_USAGE[column] for column in USAGE_COLUMNS):
            return self
        return dataclasses.replace(
            self,
            usage=_added(self.usage, call),
            judge_usage=_added(self.judge_usage, call) if judge else self.judge_usage,
        )


def _added(totals: dict[str, float], call: Usage) -> dict[str, float]:
    return {column: totals.get(column, 0) + getattr(call, column) for column in USAGE_COLUMNS}


def held_out(brief: Brief) -> Text:
    """A member the experiment holds out: recorded with the event they would have been invited to, never written."""
    draft = Draft(brief.user_id, brief.candidates[0].id, None, reasoning="held out by the experiment")
    return Text(brief, Outcome(HOLDOUT, draft, None, [], 0))


def evaluated(drafts: list[Draft], briefs: list[Brief], rules: HardRules) -> list[tuple[str | None, list, list]]:
    """For each draft with its brief: the composed text, every rule's result, and the hard-rule failures (a writer
    error counts as a failure); the texts checked at once, on every core."""
    texts = [
        None if draft.error or not draft.body or not draft.event_id else compose(draft.body, brief, draft.event_id)
        for draft, brief in zip(drafts, briefs)
    ]
    keys = [(text, brief.user_id, draft.event_id) for text, draft, brief in zip(texts, drafts, briefs) if text]
    results = iter(rules.check_all(keys))
    evaluations = []
    for text, draft in zip(texts, drafts):
        if text is None:
            evaluations.append((None, [], [draft.error or "empty draft"]))
            continue
        checks = next(results)
        evaluations.append(
            (text, checks, [f"{failure.rule}: {failure.detail}" for failure in failed_hard_rules(checks)])
        )
    return evaluations
