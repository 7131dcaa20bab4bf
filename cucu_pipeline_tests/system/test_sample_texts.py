"""The texts a campaign manager reads on the bundled sample data, on the six campaign dates of the copy review and
"today" (docs/quality.md: "Measured"): one segment, a when no one can misread, no claim about a member's past that
their attendance (read here from the raw events and orders) does not support, "dinner" only for dinners, hunger
never for a tasting of drinks, a specific reason in nine texts of ten, the shared taste said, no line in more than
8% of a date's texts, a call to action in every text, and a judge whose scores spread."""

from __future__ import annotations

import datetime as dt
import re

import dagster as dg
import pytest

from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline.sample_data.copy_report import READ, texts_report

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

DATES = ("2024-07-04", "2025-06-15", "2025-12-20", "2026-02-10", "2026-09-15", "2026-12-01", "2026-12-07")
WEEKDAY = re.compile(r"\b(Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(day|sday|nesday|rsday|urday)?\b")


@pytest.mark.parametrize("date", DATES)
def test_texts_lead_with_a_true_reason_say_when_truly_and_are_judged_apart(date, sample_data_dir):
    result = dg.materialize(
        ASSETS,
        selection="*matched_messages",
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
    read = texts_report({name: result.output_for_node(name) for name in READ}, date)
    assert read["unsupported_history_claims"] == read["dinner_for_non_dinner"] == read["hunger_for_drinks_only"] == 0
    assert read["states_a_reason_share"] >= 0.9 and read["without_call_to_action"] == 0
    assert read["with_shared_taste"] > 0 and read["shared_taste_used_share"] >= 0.9
    assert read["top_line_share"] <= 0.08 and read["top_skeleton_share"] <= 0.08
    assert read["top_score_share"] <= 0.5
    shown = result.asset_materializations_for_node("matched_messages")[0].metadata
    assert shown["quality_judged"].value == len(texts) and "quality_below_threshold_share" in shown
