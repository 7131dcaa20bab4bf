"""The bundled sample exports are what the package's generator makes: reproducible, and deliberately imperfect."""

from __future__ import annotations

import json

import pandas as pd

from cucu_pipeline.sample_data.__main__ import main
from cucu_pipeline.sample_data.generator import generate
from cucu_pipeline_tests.conftest import SAMPLE_RAW


def test_the_generator_is_deterministic():
    assert json.dumps(generate(60, 40, seed=3), default=str) == json.dumps(generate(60, 40, seed=3), default=str)
    assert json.dumps(generate(60, 40, seed=3), default=str) != json.dumps(generate(60, 40, seed=4), default=str)


def test_bundled_exports_are_regenerated_exactly_by_the_documented_command(tmp_path):
    main(["--out", str(tmp_path)])
    for name in ("users", "events", "orders", "messages"):
        assert (tmp_path / f"{name}.json").read_text() == (SAMPLE_RAW / f"{name}.json").read_text(), name


def test_start_times_fit_the_kind_of_event():
    """Brunch late morning, dinners and suppers in the evening, tastings from late afternoon (Pacific)."""
    events = [e for e in json.loads((SAMPLE_RAW / "events.json").read_text()) if isinstance(e, dict)]
    hours = {"Brunch": (10, 12), "Dinner": (19, 21), "Tasting": (17, 20), "Cooking Class": (11, 19)}
    checked = 0
    for event in events:
        start = pd.to_datetime(event.get("startDate"), utc=True, errors="coerce")
        if pd.isna(start) or not event.get("categories"):  # the deliberately broken records
            continue
        local = start.tz_convert("America/Los_Angeles")
        low, high = hours[event["categories"][0]]
        assert low <= local.hour + local.minute / 60 < high, (event["name"], local)
        checked += 1
    assert checked > 2000
    names = {e["name"] for e in events if "Supper" in str(e.get("name")) or "Brunch" in str(e.get("name"))}
    assert names >= {"Dim Sum Brunch", "Taco Supper Club", "Singles Supper"}
