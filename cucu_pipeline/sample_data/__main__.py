"""Write the sample exports: `python -m cucu_pipeline.sample_data --out data/raw --users 2000 --events 2500 --seed 7`.

Users as an Extended JSON array, events as plain JSON, orders as JSON Lines, messages as an Airtable export.
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

from bson import json_util

from cucu_pipeline.sample_data.generator import generate


def write_exports(collections: dict[str, list], out: Path) -> None:
    """Users as an Extended JSON array, events as plain JSON, orders as JSON Lines, messages as an Airtable export."""
    out.mkdir(parents=True, exist_ok=True)

    # What `json_util.dumps` writes, character for character: its hook turns each date and ObjectId into Extended
    # JSON, and the C encoder writes the rest (json_util converts every value of every document in Python first).
    bson_value = functools.partial(json_util.default, json_options=json_util.RELAXED_JSON_OPTIONS)

    def extended(document: object) -> str:
        return json.dumps(document, default=bson_value)

    def array(lines: list[str]) -> str:  # one document per line: compact, yet diffs and greps well
        return "[\n" + ",\n".join(lines) + "\n]\n"

    (out / "users.json").write_text(array([extended(user) for user in collections["users"]]))
    (out / "events.json").write_text(array([json.dumps(event) for event in collections["events"]]))
    (out / "orders.json").write_text("".join(extended(order) + "\n" for order in collections["orders"]))
    (out / "messages.json").write_text(array([json.dumps(message) for message in collections["messages"]]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the sample exports.")
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--messages-per-day", type=float, default=3.0)
    args = parser.parse_args(argv)
    collections = generate(args.users, args.events, args.seed, args.messages_per_day)
    write_exports(collections, args.out)
    print(", ".join(f"{len(docs)} {name}" for name, docs in collections.items()), f"written to {args.out}")


if __name__ == "__main__":
    main()
