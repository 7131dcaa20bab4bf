"""Metadata every asset attaches: counts as plain numbers (so the Plots tab charts them) and a masked preview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import dagster as dg
import pandas as pd

from cucu_pipeline.lib.privacy import mask_text, masked

PREVIEW_ROWS = 10


def _cell(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return " · ".join(_cell(item) for item in value.values())
    if isinstance(value, str):
        return mask_text(value)  # free text too: a phone or email inside a message or note never shows
    return "" if value is None or pd.isna(value) else str(value)


def preview(frame: pd.DataFrame, columns: Iterable[str]) -> dg.MetadataValue:
    """The first rows, phones and emails masked."""
    columns = [column for column in columns if column in frame.columns]
    rows = masked(frame.head(PREVIEW_ROWS)[columns])
    records = [dg.TableRecord({column: _cell(row[column]) for column in columns}) for _, row in rows.iterrows()]
    schema = dg.TableSchema(columns=[dg.TableColumn(column, "string") for column in columns])
    return dg.MetadataValue.table(records, schema=schema)


def funnel(loaded: int, kept: int, rejected: Counter | pd.Series, label: str = "rejected") -> dict[str, object]:
    """loaded = kept + rejected, with one count per reason, all as plain ints."""
    reasons = {str(reason): int(count) for reason, count in dict(rejected).items() if int(count)}
    if loaded != kept + sum(reasons.values()):
        raise ValueError(f"counts do not reconcile: {loaded} loaded, {kept} kept, {reasons} {label}")
    table = "\n".join(f"| {reason} | {count} |" for reason, count in sorted(reasons.items(), key=lambda item: -item[1]))
    return {
        "dagster/row_count": int(kept),
        "loaded": int(loaded),
        "kept": int(kept),
        label: int(sum(reasons.values())),
        **{f"{label}_{reason}": count for reason, count in reasons.items()},
        f"{label}_by_reason": dg.MetadataValue.md(f"| reason | count |\n|---|---|\n{table}" if reasons else f"Nothing {label}."),
    }


def value_counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
    """One numeric entry per value, e.g. `primary_status_new_user`, so each is plotted over dates."""
    return {f"{column}_{value}": int(count) for value, count in frame[column].value_counts().items()}
