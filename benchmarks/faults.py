"""A date, its re-run and the next date against a fake Airtable holding a year of history: without faults, then under
10% faults of every kind, each run timed (docs/airtable.md).

Run as `python -m benchmarks.faults` (prints one JSON object; about 10 minutes): each run's seconds both
ways and their ratio (the target is 2 at most), the Airtable requests and the faults injected, and whether every
text was written exactly once. The Airtable client keeps its production settings (5 requests a second, a 30-second
read timeout, waits of 0, 4, 8, 16 and 32 s between attempts) but its address, and starts from yesterday's mirror as
a running deployment would; a stalled answer is held past the read timeout. The local writer stands in for Claude,
so the figures are Airtable's alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import dagster as dg
from upath import UPath

from benchmarks import REPLAYED, SAMPLE_DATA
from benchmarks.airtable_reads import CAMPAIGN_DATE, history
from cucu_pipeline.clients.airtable import AirtableMessageStore
from cucu_pipeline.clients.airtable_mirror import Mirror, save
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.fakes.airtable import FakeAirtable
from cucu_pipeline_tests.fakes.faults import AIRTABLE_KINDS, BODY_FAULTS, FaultPlan

KINDS = (*AIRTABLE_KINDS, *BODY_FAULTS)
STALL_SECONDS = 35.0  # past the client's 30-second read timeout
DATES = [CAMPAIGN_DATE, CAMPAIGN_DATE, CAMPAIGN_DATE + dt.timedelta(days=1)]  # a date, its re-run, the next date


def three_runs(rate: float, per_day: int) -> dict:
    """The three runs on a fresh copy of the sample data and a table holding a year of `per_day` sent texts."""
    faults = FaultPlan(rate=rate, kinds=KINDS, seed=3, stall_seconds=STALL_SECONDS)
    fake = FakeAirtable(history(365, per_day), faults=faults)
    seconds, requests, written = [], [], set()
    with tempfile.TemporaryDirectory() as folder, fake.serve() as url:
        shutil.copytree(SAMPLE_DATA, Path(folder) / "raw")
        resources = build_resources({"CUCU_DATA_DIR": folder, **REPLAYED})
        mirror = UPath(folder) / "assets" / "airtable_mirror"
        save(mirror / "messages.parquet", Mirror(list(fake.records), dt.datetime.now(dt.UTC) - dt.timedelta(hours=20)))
        resources["airtable"] = AirtableMessageStore(
            api_key="patBENCH", base_id="appBench", table_name="Messages", endpoint_url=url, mirror_url=str(mirror)
        )
        for day in DATES:
            started, asked = time.perf_counter(), len(fake.requests)
            result = dg.materialize(ASSETS, resources=resources, partition_key=day.isoformat())
            seconds.append(round(time.perf_counter() - started, 1))
            requests.append(len(fake.requests) - asked)  # the run's own copy of the resource counts them too
            published = result.output_for_node("published_messages")
            written |= set(published.loc[published["outcome"].isin(["created", "updated"]), "message_key"])
        keys = Counter(record["fields"].get("message_key") for record in fake.records)
    days = {day.isoformat() for day in DATES}
    stored = {key for key in keys if key and key.split(":")[0] in days}
    return {
        "seconds": seconds,
        "requests": requests,
        "faults_injected": faults.total,
        "written_exactly_once": stored == written and all(keys[key] == 1 for key in stored),
    }


def measure(per_day: int, rate: float) -> dict:
    clean, faulty = three_runs(0.0, per_day), three_runs(rate, per_day)
    ratios = [round(slow / fast, 2) for slow, fast in zip(faulty["seconds"], clean["seconds"])]
    return {"records": 365 * per_day, "fault_rate": rate, "fault_free": clean, "under_faults": faulty, "ratios": ratios}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=700, help="texts a day in the history (700: 255,500 a year)")
    parser.add_argument("--rate", type=float, default=0.1, help="the share of requests that fail")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.per_day, args.rate)))


if __name__ == "__main__":
    main()
