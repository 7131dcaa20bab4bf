"""The texts a campaign manager reads on the bundled sample data, on five campaign dates across the data's span: one
segment, a when no one can misread, the shared taste used, never the bare facts nor crowd words at an empty table,
and a score on every text (docs/writing.md: "Writing and checking", docs/quality.md)."""

from __future__ import annotations

import datetime as dt
import re

import dagster as dg
import pytest

from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.sample_data.copy_report import SOURCES, texts_report

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

DATES = ("2024-07-04", "2025-06-15", "2025-12-20", "2026-02-10", "2026-11-21")
WEEKDAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b")


@pytest.mark.parametrize("date", DATES)
def test_texts_are_one_segment_and_say_when_truly(date, sample_data_dir):
    result = dg.materialize(
        ASSETS,
        resources=build_resources({"CUCU_DATA_DIR": str(sample_data_dir)}),
        partition_key=date,
    )
    messages = result.output_for_node("matched_messages")
    texts = messages[messages["status"].isin(["ready", "fallback"])]
    assert len(texts) > 300
    assert (texts["segments"] == 1).mean() >= 0.9 and texts["segments"].max() <= 2
    starts = texts["event_id"].map(result.output_for_node("enriched_events").set_index("id")["start_date"])
    campaign_date = dt.date.fromisoformat(date)
    for text, start in zip(texts["message"], starts.dt.tz_convert(PACIFIC)):
        days = (start.date() - campaign_date).days
        said = {0: "tonight" if start.hour >= 17 else "today", 1: "tomorrow"}.get(days)
        if said:
            assert said in text and not WEEKDAY.search(text.split(": ", 1)[1]), text
        elif days >= 7:
            assert f"{start:%a %b} {start.day}" in text, text  # never a bare weekday
        else:
            assert f"{start:%A}" in text, text
    assert len({re.sub(r"\d+", "N", phrasing) for phrasing in texts["message"].str[:30]}) > 20
    read = texts_report({name: result.output_for_node(name) for name in (*SOURCES, "matched_messages")}, date)
    assert read["shared_taste_used"] >= 0.9 * read["with_shared_taste"] > 0
    assert read["bare_texts"] == read["fill_texts_crowd_words_wrongly"] == 0 and read["families_used"] >= 40
    assert texts["quality_score"].notna().all() and read["below_threshold"] <= read["texts"]
    shown = result.asset_materializations_for_node("matched_messages")[0].metadata
    assert shown["quality_judged"].value == len(texts) and "quality_below_threshold_share" in shown
