"""Judging any texts as of a campaign date (`python -m cucu_pipeline.quality judge`): the members and events are
read from the configured sources as the assets read them for that date (in memory: nothing is stored), each row's
text is judged for its member and event by the configured judge, and a row that cannot be judged (an unknown member
or event, an empty text) is named with why, never a crash."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

import dagster as dg
import pandas as pd

from cucu_pipeline.campaign.writing.briefs import body_of
from cucu_pipeline.campaign.writing.composer import Composer, composer_for
from cucu_pipeline.quality.rubric import CRITERIA, Review

SOURCES = ("enriched_users", "enriched_events", "raw_users", "raw_events")
INPUT_COLUMNS = ("user_id", "event_id", "message")


def date_composer(day: dt.date, environ: Mapping[str, str] = os.environ) -> tuple[Composer, dict]:
    """The composer of `day` for every enriched member, from the sources as the assets read them, and the
    resources (the judge among them)."""
    from cucu_pipeline.definitions import build_assets  # the definitions import this package's judge
    from cucu_pipeline.defs.resources import build_resources, campaign_rules

    resources = build_resources(environ) | {"io_manager": dg.InMemoryIOManager()}
    result = dg.materialize(
        build_assets(environ), selection=dg.AssetSelection.assets(*SOURCES).upstream().required_multi_asset_neighbors(),
        resources=resources,
        partition_key=day.isoformat(),
    )  # fmt: skip
    outputs = {name: result.output_for_node(name) for name in SOURCES}
    return composer_for(*(outputs[name] for name in SOURCES), day, campaign_rules(environ)), resources


def reviews(texts: pd.DataFrame, composer: Composer) -> list[Review | str]:
    """A review per row, or why the row cannot be judged."""
    found: list[Review | str] = []
    for user_id, event_id, message in texts[list(INPUT_COLUMNS)].itertuples(index=False):
        if user_id not in composer.members:
            found.append(f"unknown member {user_id!r} (not an enriched member on {composer.campaign_date})")
        elif event_id not in composer.events:
            found.append(f"unknown event {event_id!r} (not an upcoming event on {composer.campaign_date})")
        elif not isinstance(message, str) or not body_of(message, composer.rules.brand):
            found.append("empty message")
        else:
            try:
                brief = composer.brief(user_id, [event_id])
            except KeyError:
                found.append(f"no campaign fits member {user_id!r} and event {event_id!r}")
                continue
            found.append(Review(brief, brief.candidates[0], body_of(message, composer.rules.brand)))
    return found


def judged_table(texts: pd.DataFrame, composer: Composer, judge) -> pd.DataFrame:
    """The rows with the judge's score, each criterion, approval and issues, or the row's error."""
    missing = [column for column in INPUT_COLUMNS if column not in texts]
    if missing:
        raise ValueError(f"the texts need the columns {', '.join(INPUT_COLUMNS)}; missing: {', '.join(missing)}")
    found = reviews(texts, composer)
    good = [review for review in found if isinstance(review, Review)]
    verdicts = iter(judge.judge(good) if good else [])
    rows = []
    for review in found:
        if isinstance(review, str):
            rows.append({"error": review})
            continue
        judgement = next(verdicts)
        rows.append(
            {"quality_score": judgement.score, **judgement.scores, "approved": judgement.approved,
             "issues": "; ".join(judgement.issues), "error": judgement.error or ""}
        )  # fmt: skip
    columns = ["quality_score", *CRITERIA, "approved", "issues", "error"]
    return pd.concat([texts.reset_index(drop=True), pd.DataFrame(rows, columns=columns)], axis=1)
