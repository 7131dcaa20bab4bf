"""What the members' texts read like on sample dates, with the local writer and judge:
`python -m cucu_pipeline.sample_data.copy_report --dates 2024-07-04 2025-06-15 2025-12-20 2026-02-10 2026-12-02`
(docs/quality.md: "Measured").

Each date runs the graph up to `matched_messages` on a fresh copy of the sample data and reads every text against
its member and event: the shared taste used where one exists, bare texts, Fill the Table texts with social proof or
"a few more" at 0 guests (or 10+ seats open), the judge's scores and the share below the threshold, and how many
phrasing families were used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import dagster as dg
import pandas as pd

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE
from cucu_pipeline.campaign.writing.attempts import publishable
from cucu_pipeline.campaign.writing.briefs import body_of
from cucu_pipeline.campaign.writing.composer import composer_for
from cucu_pipeline.campaign.writing.phrasings import BARE_FAMILY, FEW_SEATS, phrasing_family
from cucu_pipeline.core.dates import parse_campaign_date
from cucu_pipeline.definitions import build_assets
from cucu_pipeline.defs.resources import build_resources, campaign_rules

SOCIAL_PROOF = re.compile(r"\b(guests? (is|are) in|\d+ guests? in|join them|one more|a few more)\b", re.IGNORECASE)


SOURCES = ("enriched_users", "enriched_events", "raw_users", "raw_events")


def date_report(sample: Path, day: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(sample, Path(folder) / "raw")
        environ = {"CUCU_DATA_DIR": folder}
        result = dg.materialize(
            build_assets(environ), selection="*matched_messages", resources=build_resources(environ), partition_key=day
        )
        outputs = {name: result.output_for_node(name) for name in (*SOURCES, "matched_messages")}
    return texts_report(outputs, day)


def texts_report(outputs: dict[str, pd.DataFrame], day: str) -> dict:
    """The date's texts read against their members and events (`outputs`: the run's values by asset name)."""
    rules = campaign_rules({})
    composer = composer_for(*(outputs[name] for name in SOURCES), parse_campaign_date(day), rules)
    texts = publishable(outputs["matched_messages"])
    facts = [composer.facts(user, event) for user, event in zip(texts["user_id"], texts["event_id"])]
    bodies = [body_of(text, rules.brand) for text in texts["message"]]
    hooked = [(fact.hook, body) for fact, body in zip(facts, bodies) if fact.hook]
    crowded = [
        body
        for fact, body in zip(facts, bodies)
        if fact.campaign == FILL_THE_TABLE and (fact.participant_count == 0 or fact.spots_left >= FEW_SEATS)
    ]
    families = Counter(phrasing_family(body) for body in bodies)
    return {
        "date": day,
        "texts": len(texts),
        "with_shared_taste": len(hooked),
        "shared_taste_used": sum(hook.lower() in body.lower() for hook, body in hooked),
        "bare_texts": families[BARE_FAMILY],
        "fill_texts_crowd_words_wrongly": sum(bool(SOCIAL_PROOF.search(body)) for body in crowded),
        "families_used": len(families),
        "quality_score_mean": round(float(texts["quality_score"].mean()), 2),
        "below_threshold": int((texts["quality_score"] < rules.quality_threshold).sum()),
        "needs_review": int(texts["needs_review"].sum()),
        "issues": dict(Counter(i.split(":")[0] for found in texts["quality_issues"] for i in found)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", nargs="+", default=[str(dt.date.today())])
    parser.add_argument("--sample", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    reports = pd.DataFrame([date_report(args.sample, day) for day in args.dates])
    print(reports.to_string(index=False))
    hooked, used = reports["with_shared_taste"].sum(), reports["shared_taste_used"].sum()
    print(f"shared taste used: {used} of {hooked} ({used / max(hooked, 1):.1%})")


if __name__ == "__main__":
    main()
