"""Drift between campaign dates: each date's figures against the median of the previous materialized dates, so a
source that loses a field or a writer that starts falling back is flagged the same morning
(docs/production.md: "Drift checks").

Figures come from the metadata each asset already records, so a check reads no data: members qualified, the matched
share, the fallback share, the cost per text, and the share of documents rejected (or members excluded) per reason.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

HISTORY_DATES = 7  # the previous week of materialized dates
MIN_HISTORY_DATES = 3  # fewer, and a median says too little to flag anything


@dataclass(frozen=True)
class Tolerance:
    """A figure drifts when it moves from the median by more than `relative` of the median and `absolute` both:
    the absolute floor keeps small figures' day-to-day noise quiet."""

    relative: float
    absolute: float


TOLERANCES = {
    "qualified_members": Tolerance(relative=0.3, absolute=20),
    "matched_share": Tolerance(relative=0.25, absolute=0.10),
    "fallback_share": Tolerance(relative=1.0, absolute=0.05),
    "cost_per_text_usd": Tolerance(relative=0.3, absolute=0.002),
    "rejected_share": Tolerance(relative=1.0, absolute=0.05),
    "excluded_share": Tolerance(relative=1.0, absolute=0.05),
}


@dataclass(frozen=True)
class Drift:
    figure: str
    value: float
    median: float

    def describe(self) -> str:
        return f"{self.figure} {self.value:.4g} against a median of {self.median:.4g}"


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _shares(metadata: Mapping[str, float], label: str) -> dict[str, float]:
    """`rejected_<reason>` (or `excluded_<reason>`) as a share of what was loaded."""
    prefix = f"{label}_"
    return {
        f"{label}_share_{name.removeprefix(prefix)}": _ratio(count, metadata["loaded"])
        for name, count in metadata.items()
        if name.startswith(prefix) and name != f"{label}_by_reason"
    }


def drift_figures(asset: str, metadata: Mapping[str, float]) -> dict[str, float]:
    """The figures of one materialization that drift checks compare, from its numeric metadata."""
    if asset.startswith("raw_"):
        return _shares(metadata, "rejected")
    if asset == "qualified_users":
        return {"qualified_members": metadata["dagster/row_count"], **_shares(metadata, "excluded")}
    if asset == "event_matches":
        return {"matched_share": _ratio(metadata["matched"], metadata["dagster/row_count"])}
    if asset == "matched_messages":
        texts = metadata.get("status_ready", 0) + metadata.get("status_fallback", 0)
        return {
            "fallback_share": _ratio(metadata.get("status_fallback", 0), texts),
            "cost_per_text_usd": metadata["cost_per_1000_texts_usd"] / 1000,
        }
    raise ValueError(f"no drift figures for {asset}")


def tolerance_for(figure: str) -> Tolerance:
    return TOLERANCES.get(figure) or TOLERANCES["_".join(figure.split("_")[:2])]


def find_drift(current: Mapping[str, float], history: list[Mapping[str, float]]) -> list[Drift]:
    """Figures of `current` that moved beyond their tolerance from the median of `history`. A figure absent from a
    date counts as 0 there (no document rejected for that reason)."""
    figures = sorted(set(current).union(*history))
    found = []
    for figure in figures:
        value = current.get(figure, 0.0)
        median = statistics.median(past.get(figure, 0.0) for past in history)
        tolerance = tolerance_for(figure)
        if abs(value - median) > max(tolerance.relative * abs(median), tolerance.absolute):
            found.append(Drift(figure, value, median))
    return found
