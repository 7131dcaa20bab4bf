"""The reasons' tables, read once from the CSV files beside this module (the team edits them, not the code)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


def csv_rows(path: Path) -> tuple[dict[str, str], ...]:
    """The rows of a CSV file the team edits, each a dict of its header's columns, values stripped."""
    with path.open(newline="", encoding="utf-8") as file:
        return tuple({key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(file))


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of `name`.csv beside this module."""
    return csv_rows(HERE / f"{name}.csv")
