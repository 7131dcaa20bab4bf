"""`python -m cucu_pipeline.quality judge`: any texts judged for their members and events as of a date, a row that
cannot be judged named with why, never a crash (docs/quality.md: "Judging drafts")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.clients.claude import TemplateWriter
from cucu_pipeline.quality.__main__ import main
from cucu_pipeline.quality.drafts import date_composer, judged_table
from cucu_pipeline.quality.rubric import CRITERIA

pytestmark = pytest.mark.slow  # computes a sample date's members and events

DATE = dt.date(2026, 12, 7)


def _judgeable_pair(composer) -> tuple[str, str]:
    for user_id in sorted(composer.members):
        for event_id in sorted(composer.events):
            try:
                composer.brief(user_id, [event_id])
            except KeyError:  # no campaign fits this pair
                continue
            return user_id, event_id
    raise AssertionError("no member and event to judge")


def test_any_csv_of_texts_is_judged_and_bad_rows_say_why(sample_data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("CUCU_DATA_DIR", str(sample_data_dir))
    composer, _ = date_composer(DATE)
    user, event = _judgeable_pair(composer)
    name, first = composer.events[event]["name"], composer.members[user]["first_name"]
    texts = pd.DataFrame(
        {
            "user_id": [user, user, "user_unknown", user, user],
            "event_id": [event, event, event, "event_unknown", event],
            "message": [
                f"{first}, {name} is a table worth the trip. Save a seat:",
                f"{first}, {name}:",
                "Hi there, a text for nobody. Save a seat:",
                "Hi there, a text for no event. Save a seat:",
                "",
            ],
        }
    )
    judged = judged_table(texts, composer, TemplateWriter())
    assert list(judged["error"].fillna("")[2:]) == [
        f"unknown member 'user_unknown' (not an enriched member on {DATE})",
        f"unknown event 'event_unknown' (not an upcoming event on {DATE})",
        "empty message",
    ]
    assert judged.loc[:1, ["quality_score", *CRITERIA]].notna().all().all()
    assert judged.loc[0, "quality_score"] > judged.loc[1, "quality_score"]  # a listing without an invitation

    path, out = tmp_path / "drafts.csv", tmp_path / "judged.csv"
    texts.to_csv(path, index=False)
    main(["judge", "--date", DATE.isoformat(), "--texts", str(path), "--out", str(out)])
    written = pd.read_csv(out, keep_default_na=False)
    assert list(written.columns[:3]) == ["user_id", "event_id", "message"] and len(written) == len(texts)
    assert written["error"].astype(bool).sum() == 3 and "issues" in written
