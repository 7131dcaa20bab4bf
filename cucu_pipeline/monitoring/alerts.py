"""What an alert says: the campaign date, what did not materialize, which steps failed and which checks failed for
how many members. Error text from outside systems is masked; names, dates and counts are not."""

from __future__ import annotations

from dataclasses import dataclass

from cucu_pipeline.core.privacy import mask_text

ERROR_CHARACTERS = 300  # an error's first lines say what failed; the run's logs have the rest


@dataclass(frozen=True)
class FailedCheck:
    asset: str
    check: str
    failing_members: int | None
    description: str = ""


@dataclass(frozen=True)
class RunFacts:
    run_id: str
    campaign_date: str | None
    failed: bool
    failed_steps: dict[str, str]  # step -> error message
    not_materialized: list[str]
    failed_checks: list[FailedCheck]


def _check_line(check: FailedCheck) -> str:
    line = f"• check `{check.check}` on `{check.asset}` failed"
    if check.failing_members is not None:
        line += f" for {check.failing_members} member{'s' if check.failing_members != 1 else ''}"
    return line + (f": {mask_text(check.description)}" if check.description else "")


def alert_text(facts: RunFacts) -> str:
    date = facts.campaign_date or "no campaign date"
    outcome = "failed" if facts.failed else "finished with failed checks"
    lines = [f"Cuculi campaign {date}: run {facts.run_id[:8]} {outcome}."]
    if facts.not_materialized:
        lines.append("• not materialized: " + ", ".join(f"`{asset}`" for asset in facts.not_materialized))
    lines += [
        f"• step `{step}` failed: {mask_text(error)[:ERROR_CHARACTERS]}" for step, error in facts.failed_steps.items()
    ]
    lines += [_check_line(check) for check in facts.failed_checks]
    return "\n".join(lines)
