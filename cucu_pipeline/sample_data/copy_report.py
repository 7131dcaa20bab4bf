"""What the members' texts read like on sample dates, with the local writer and judge (docs/quality.md: "Measured"):
`python -m cucu_pipeline.sample_data.copy_report --dates 2024-07-04 2025-06-15 2025-12-20 2026-02-10 2026-09-15
2026-12-01 2026-12-07`.

Each date runs the graph up to `matched_messages` on a fresh copy of the sample data and reads every text against
its member and event, the member's past read here from the raw events and orders (participants and paid orders of
events before the date), not from the writer's profile: claims about the member's past it does not support,
"dinner" for a non-dinner, hunger words for a tasting of drinks alone, texts that state a specific reason, the
shared taste used outside the event's name, the most used line's share, texts without a call to action, and the
judge's scores (the most common score's share).
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

from cucu_pipeline.campaign.checks.history import false_history
from cucu_pipeline.campaign.reasons.history import Attended, MemberHistory
from cucu_pipeline.campaign.writing.attempts import publishable
from cucu_pipeline.campaign.writing.briefs import body_of
from cucu_pipeline.campaign.writing.composer import composer_for
from cucu_pipeline.core.dates import PACIFIC, parse_campaign_date
from cucu_pipeline.definitions import build_assets
from cucu_pipeline.defs.resources import build_resources, campaign_rules
from cucu_pipeline.quality.rubric import Review
from cucu_pipeline.quality.signals import skeleton, stated

SOURCES = ("enriched_users", "enriched_events", "raw_users", "raw_events")
READ = (*SOURCES, "raw_orders", "matched_messages")
DINNER_WORDS = re.compile(r"\b(dinner|supper)s?\b")
HUNGER_WORDS = re.compile(r"\b(hungry|hunger|appetite|eat|eats|eating|feast|fork|bites?|delicious|tasty)\b")
DRINKS = re.compile(r"\b(wine|mezcal|bubbles|cocktails?|sake|beer)\b")
FOOD = re.compile(r"\b(oysters?|plates|tapas|food|dinner|feast)\b")
CALL = re.compile(
    r"\b(save|grab|claim|join|come|pull up|book|pick|take|make it|welcome back|yours|say hi|reserve|bring|snag|"
    r"count you in|say yes|rejoin|be first|be among|accept|meet|start here|see you|get)\b[^.!?]*:$"
)


def date_report(sample: Path, day: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(sample, Path(folder) / "raw")
        environ = {"CUCU_DATA_DIR": folder}
        result = dg.materialize(
            build_assets(environ), selection="*matched_messages", resources=build_resources(environ), partition_key=day
        )
        outputs = {name: result.output_for_node(name) for name in READ}
    return texts_report(outputs, day)


def attended(users: pd.DataFrame, events: pd.DataFrame, orders: pd.DataFrame, reference) -> dict[str, MemberHistory]:
    """Each member's past events, by member id, from the raw tables: listed as a participant (by email) or a paid
    order, events that started before `reference` and were not canceled."""
    past = events[(events["start_date"] < reference) & events["event_status"].fillna("").str.lower().ne("canceled")]
    listed = (
        past[["id", "participants"]]
        .explode("participants")
        .merge(users[["id", "email"]].rename(columns={"id": "user_id", "email": "participants"}), on="participants")
    )
    paid = orders[(orders["status"].fillna("").str.lower().str.strip() == "paid") & (orders["date"] < reference)]
    pairs = pd.concat([listed[["user_id", "id"]], paid[["user_id", "event_id"]].rename(columns={"event_id": "id"})])
    pairs = pairs.drop_duplicates().merge(past[["id", "name", "start_date", "categories"]], on="id")
    pairs = pairs.sort_values("start_date", ascending=False)
    return {
        user: MemberHistory(
            tuple(
                Attended(name, start.tz_convert(PACIFIC).date(), None, tuple(categories))
                for name, start, categories in zip(rows["name"], rows["start_date"], rows["categories"])
            )
        )
        for user, rows in pairs.groupby("user_id")
    }


def texts_report(outputs: dict[str, pd.DataFrame], day: str) -> dict:
    """The date's texts read against their members and events (`outputs`: the run's values by asset name)."""
    rules, campaign_date = campaign_rules({}), parse_campaign_date(day)
    composer = composer_for(*(outputs[name] for name in SOURCES), campaign_date, rules)
    texts = publishable(outputs["matched_messages"])
    events = outputs["raw_events"].set_index("id")
    histories = attended(
        outputs["raw_users"], outputs["raw_events"], outputs["raw_orders"], rules.reference_instant(campaign_date)
    )
    rows = []
    for user, event_id, message in zip(texts["user_id"], texts["event_id"], texts["message"]):
        facts, event, body = composer.facts(user, event_id), events.loc[event_id], body_of(message, rules.brand)
        said = body.lower().replace(facts.name.lower(), " ")  # the event's name is no reason; its host is
        said = said.replace(facts.venue.lower(), " ") if facts.venue else said
        own = said.replace(facts.host.lower(), " ") if facts.host else said
        food = "Tasting" not in event["categories"] or bool(
            FOOD.search(" ".join([event["name"], *event["features"]]).lower())
        )
        history = histories.get(user, MemberHistory())
        rows.append(
            {
                "unsupported_history": bool(false_history(body.lower(), own, history, facts.name, facts.host)),
                "dinner_for_non_dinner": "Dinner" not in event["categories"] and bool(DINNER_WORDS.search(own)),
                "hunger_for_drinks": not food
                and bool(DRINKS.search(event["name"].lower()))
                and bool(HUNGER_WORDS.search(own)),
                "states_a_reason": any(stated(dict(r.slots), r.kind, said) for r in facts.reasons),
                "has_taste": bool(facts.hook),
                "taste_used": bool(facts.hook) and facts.hook.lower() in own,
                "call_to_action": bool(CALL.search(body.strip().lower())),
                "skeleton": skeleton(Review(composer.brief(user, [event_id]), facts, body)),
            }
        )  # fmt: skip
    read = pd.DataFrame(rows)
    lines = Counter(line for line in texts["line"] if line)
    scores = texts["quality_score"].round(2).value_counts(normalize=True)
    return {
        "date": day,
        "texts": len(texts),
        "unsupported_history_claims": int(read["unsupported_history"].sum()),
        "dinner_for_non_dinner": int(read["dinner_for_non_dinner"].sum()),
        "hunger_for_drinks_only": int(read["hunger_for_drinks"].sum()),
        "states_a_reason_share": round(float(read["states_a_reason"].mean()), 3),
        "with_shared_taste": int(read["has_taste"].sum()),
        "shared_taste_used_share": round(float(read["taste_used"].sum() / max(read["has_taste"].sum(), 1)), 3),
        "top_line_share": round(max(lines.values(), default=0) / max(len(texts), 1), 3),
        "top_skeleton_share": round(read["skeleton"].value_counts(normalize=True).iloc[0], 3) if len(read) else 0.0,
        "without_call_to_action": int((~read["call_to_action"]).sum()),
        "lead_reasons": dict(Counter(texts["lead_reason"])),
        "quality_score_mean": round(float(texts["quality_score"].mean()), 2),
        "top_score_share": round(float(scores.iloc[0]), 3) if len(scores) else 0.0,
        "below_threshold": int((texts["quality_score"] < rules.quality_threshold).sum()),
        "needs_review": int(texts["needs_review"].sum()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", nargs="+", default=[str(dt.date.today())])
    parser.add_argument("--sample", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    reports = pd.DataFrame([date_report(args.sample, day) for day in args.dates])
    print(reports.drop(columns=["lead_reasons"]).to_string(index=False))
    for day, leads in zip(reports["date"], reports["lead_reasons"]):
        print(day, dict(sorted(leads.items(), key=lambda item: -item[1])))


if __name__ == "__main__":
    main()
