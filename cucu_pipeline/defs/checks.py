"""The asset checks on `matched_messages`: one blocking check per group of hard SMS rules (a failure stops
publishing for the date); WARNs when Claude's writer or judge could not be reached, and when the quality gate let
through more weak or flagged texts than the settings allow; on `published_messages`, a blocking check that no queued
text points at an event that can no longer be booked. Partitioned like the assets (Preview API)."""

from collections import Counter
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from cucu_pipeline.campaign.publishing.message_checks import ASSET_CHECKS
from cucu_pipeline.campaign.writing.attempts import FALLBACK, publishable
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.defs.partitions import campaign_dates

WRITER_AVAILABLE, JUDGE_AVAILABLE, QUALITY_GATE = "writer_available", "judge_available", "quality_gate"
# The WARN checks that say an outage, with the metadata that counts what stood in: the run alert names them
# (`defs/alerts.py`).
OUTAGE_CHECKS = {WRITER_AVAILABLE: "writer_unavailable", JUDGE_AVAILABLE: "judge_unavailable"}
_WARNINGS = {
    WRITER_AVAILABLE: "Claude answered every member; a WARN when an outage made the template write texts instead.",
    JUDGE_AVAILABLE: "Claude's judge answered for every text; a WARN when an outage made the local judge score them.",
    QUALITY_GATE: "At most CUCU_QUALITY_MAX_BELOW_SHARE of the texts below the quality threshold and "
    "CUCU_QUALITY_MAX_REVIEW_SHARE flagged needs_review, every score from the configured judge; a WARN otherwise.",
}
MESSAGE_CHECKS = [
    dg.AssetCheckSpec(name, asset="matched_messages", blocking=True, partitions_def=campaign_dates, description=text)
    for name, (_, text) in ASSET_CHECKS.items()
] + [
    dg.AssetCheckSpec(name, asset="matched_messages", partitions_def=campaign_dates, description=text)
    for name, text in _WARNINGS.items()
]


def message_check_results(
    messages: pd.DataFrame, failures: dict[str, list[str]], model: str, rules: CampaignRules
) -> Iterator[dg.AssetCheckResult]:
    """One result per check, naming (at most ten of) the failing members."""
    for name in ASSET_CHECKS:
        failing = failures[name]
        yield dg.AssetCheckResult(
            check_name=name,
            passed=not failing,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"failing_messages": len(failing), "failing_members": ", ".join(failing[:10])},
        )
    unreachable = messages[messages["writer_unavailable"].astype(bool)]
    yield dg.AssetCheckResult(
        check_name=WRITER_AVAILABLE,
        passed=unreachable.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "writer_unavailable": len(unreachable),
            "fallback_published": int(unreachable["status"].eq(FALLBACK).sum()),
            "most_common_error": str(unreachable["writer_error"].mode().iloc[0]) if len(unreachable) else "",
            "model": model,
        },
    )
    yield from _quality_results(publishable(messages), rules)


def _quality_results(texts: pd.DataFrame, rules: CampaignRules) -> Iterator[dg.AssetCheckResult]:
    stood_in = int(texts["judge_unavailable"].sum())
    yield dg.AssetCheckResult(
        check_name=JUDGE_AVAILABLE,
        passed=not stood_in,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"judge_unavailable": stood_in, "texts": len(texts)},
    )
    below = float(texts["quality_score"].astype(float).lt(rules.quality_threshold).mean()) if len(texts) else 0.0
    review = float(texts["needs_review"].astype(bool).mean()) if len(texts) else 0.0
    yield dg.AssetCheckResult(
        check_name=QUALITY_GATE,
        passed=below <= rules.quality_max_below_share and review <= rules.quality_max_review_share and not stood_in,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "below_threshold_share": round(below, 4),
            "max_below_threshold_share": rules.quality_max_below_share,
            "needs_review_share": round(review, 4),
            "max_needs_review_share": rules.quality_max_review_share,
            "judge_unavailable": stood_in,
            "threshold": rules.quality_threshold,
        },
    )


QUEUE_CHECK = dg.AssetCheckSpec(
    "queue_points_at_bookable_events",
    asset="published_messages",
    blocking=True,
    partitions_def=campaign_dates,
    description="After publishing, no queued text in Airtable points at an event that is canceled, not public, full, "
    "started or moved.",
)


def queue_check_result(stale: list[dict], reviewed: bool = True) -> dg.AssetCheckResult:
    """`stale`: what `withdrawals` still finds in the table after this run withdrew and published; a run of a past
    date (`reviewed` False) leaves the live queue to the runs of today."""
    reasons = Counter(patch["fields"]["withdrawn_reason"] for patch in stale)
    return dg.AssetCheckResult(
        check_name=QUEUE_CHECK.name,
        passed=not stale,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "queued_for_unbookable_events": len(stale),
            "live_queue_reviewed": reviewed,
            **{reason: int(count) for reason, count in reasons.items()},
            "records": ", ".join(patch["id"] for patch in stale[:10]),
        },
    )
