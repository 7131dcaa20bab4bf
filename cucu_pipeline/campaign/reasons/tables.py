"""The reasons' tables, read once from the CSV files beside this module (the team edits them, not the code)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of `name`.csv, each a dict of its header's columns, values stripped."""
    with (HERE / f"{name}.csv").open(newline="", encoding="utf-8") as file:
        return tuple({key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(file))
