"""Drift checks: a WARN on an asset's date when its figures moved far from the previous week's
(docs/production.md: "Drift checks"). Non-blocking: the campaign still goes out; the UI and the check's metadata say
what moved."""

import datetime as dt

import dagster as dg

from cucu_pipeline.core.dates import parse_campaign_date
from cucu_pipeline.defs.partitions import campaign_dates
from cucu_pipeline.monitoring.drift import HISTORY_DATES, MIN_HISTORY_DATES, drift_figures, find_drift

DRIFT_ASSETS = ["raw_users", "raw_events", "raw_orders", "qualified_users", "event_matches", "matched_messages"]
LOOKBACK_DAYS = 60  # where the previous materialized dates are looked for


def _numbers(record: dg.EventLogRecord) -> dict[str, float]:
    metadata = record.asset_materialization.metadata
    return {
        name: float(value.value)
        for name, value in metadata.items()
        if isinstance(value.value, int | float) and not isinstance(value.value, bool)
    }


def _latest_by_date(instance: dg.DagsterInstance, asset: str, dates: list[str]) -> dict[str, dict[str, float]]:
    """The latest materialization's numbers for each of `dates` that has one."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=dates), limit=10 * len(dates)
    ).records  # newest first
    latest: dict[str, dict[str, float]] = {}
    for record in records:
        latest.setdefault(record.partition_key, _numbers(record))
    return latest


def _drift_check(asset: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset, name="drift", partitions_def=campaign_dates, blocking=False)
    def drift(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        """The date's figures against the median of the previous 7 materialized dates (members qualified, matched
        and fallback shares, cost per text, rejections and exclusions per reason)."""
        date = parse_campaign_date(context.partition_key)
        earlier = [(date - dt.timedelta(days=days)).isoformat() for days in range(1, LOOKBACK_DAYS + 1)]
        (current,) = _latest_by_date(context.instance, asset, [date.isoformat()]).values()
        history = sorted(_latest_by_date(context.instance, asset, earlier).items(), reverse=True)[:HISTORY_DATES]
        figures = drift_figures(asset, current)
        metadata = {"history_dates": len(history), **{name: round(value, 4) for name, value in figures.items()}}
        if len(history) < MIN_HISTORY_DATES:
            return dg.AssetCheckResult(
                passed=True,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{len(history)} earlier dates: too few to compare",
                metadata=metadata,
            )
        drifts = find_drift(figures, [drift_figures(asset, numbers) for _, numbers in history])
        return dg.AssetCheckResult(
            passed=not drifts,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(found.describe() for found in drifts) or None,
            metadata={
                **metadata,
                "drifted": ", ".join(found.figure for found in drifts),
                **{f"{found.figure}_median": round(found.median, 4) for found in drifts},
                "compared_with": f"{history[-1][0]} to {history[0][0]}",
            },
        )

    return drift


DRIFT_CHECKS = [_drift_check(asset) for asset in DRIFT_ASSETS]
