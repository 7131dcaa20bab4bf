"""The asset checks on `matched_messages`: one blocking check per group of hard SMS rules (a failure stops
publishing for the date) and a WARN when Claude could not be reached; on `published_messages`, a blocking check that
no queued text points at an event that can no longer be booked. Partitioned like the assets (Preview API)."""

from collections import Counter
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from cucu_pipeline.campaign.publishing.message_checks import ASSET_CHECKS
from cucu_pipeline.campaign.writing.attempts import FALLBACK
from cucu_pipeline.defs.partitions import campaign_dates

WRITER_AVAILABLE = "writer_available"
MESSAGE_CHECKS = [
    dg.AssetCheckSpec(name, asset="matched_messages", blocking=True, partitions_def=campaign_dates, description=text)
    for name, (_, text) in ASSET_CHECKS.items()
] + [
    dg.AssetCheckSpec(
        WRITER_AVAILABLE,
        asset="matched_messages",
        partitions_def=campaign_dates,
        description="Claude answered every member; a WARN when an outage made the template write texts instead.",
    )
]


def message_check_results(
    messages: pd.DataFrame, failures: dict[str, list[str]], model: str
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


QUEUE_CHECK = dg.AssetCheckSpec(
    "queue_points_at_bookable_events",
    asset="published_messages",
    blocking=True,
    partitions_def=campaign_dates,
    description="After publishing, no queued text in Airtable points at an event that is canceled, not public, full, "
    "started or moved.",
)


def queue_check_result(stale: list[dict]) -> dg.AssetCheckResult:
    """`stale`: what `withdrawals` still finds in the table after this run withdrew and published."""
    reasons = Counter(patch["fields"]["withdrawn_reason"] for patch in stale)
    return dg.AssetCheckResult(
        check_name=QUEUE_CHECK.name,
        passed=not stale,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "queued_for_unbookable_events": len(stale),
            **{reason: int(count) for reason, count in reasons.items()},
            "records": ", ".join(patch["id"] for patch in stale[:10]),
        },
    )
