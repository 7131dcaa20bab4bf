"""Benchmark the graph at scale: `python -m cucu_pipeline.bench --users 100000 --events 30000`.

Generates data with the package's generator (cached by size and seed), materializes the whole graph in local mode
in-process for one campaign date, once per repeat in a fresh process, and reports medians: seconds per asset, rows
per asset, peak RSS, the two stage targets, and the scaling from the baseline size (10% of the members and events)
to the full size. Writes `report.json` and `report.md` to `--out`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from cucu_pipeline.lib.sample_data import generate, write_exports

PROFILE_STAGE = ["raw_users", "raw_events", "raw_orders", "raw_messages", "qualified_users", "qualified_events",
                 "enriched_users", "enriched_events"]  # fmt: skip
CAMPAIGN_STAGE = ["event_matches", "matched_messages"]  # matching, the local writer and the nine checks
TARGETS = {"raw_to_enriched_seconds": 20.0, "matching_writer_checks_seconds": 30.0, "peak_rss_mib": 2048.0,
           "scaling_10x_members": 12.0}  # fmt: skip


def cached_data(cache: Path, users: int, events: int, seed: int) -> Path:
    folder = cache / f"users{users}-events{events}-seed{seed}"
    if not (folder / "raw" / "messages.json").exists():  # written last: a complete export
        write_exports(generate(users, events, seed), folder / "raw")
    return folder


def measured(data_dir: Path, date: str, repeat: int) -> dict:
    """Medians over `repeat` runs, each in its own process."""
    runs = []
    for _ in range(repeat):
        command = [sys.executable, "-m", "cucu_pipeline.bench.measure", "--data-dir", str(data_dir), "--date", date]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    seconds = {asset: statistics.median(run["seconds"][asset] for run in runs) for asset in runs[0]["seconds"]}
    return {
        "seconds": seconds,
        "rows": runs[0]["rows"],
        "raw_to_enriched_seconds": statistics.median(sum(run["seconds"][a] for a in PROFILE_STAGE) for run in runs),
        "matching_writer_checks_seconds": statistics.median(sum(run["seconds"][a] for a in CAMPAIGN_STAGE) for run in runs),
        "all_assets_seconds": statistics.median(sum(run["seconds"].values()) for run in runs),
        "wall_seconds": statistics.median(run["wall_seconds"] for run in runs),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        "runs": len(runs),
    }


def report(args: argparse.Namespace, sizes: dict[str, dict]) -> dict:
    full, baseline = sizes["full"], sizes["baseline"]
    figures = {
        "raw_to_enriched_seconds": full["raw_to_enriched_seconds"],
        "matching_writer_checks_seconds": full["matching_writer_checks_seconds"],
        "peak_rss_mib": full["peak_rss_mib"],
        "scaling_10x_members": full["all_assets_seconds"] / baseline["all_assets_seconds"],
    }
    return {
        "machine": {"cpus": len(os.sched_getaffinity(0)), "python": platform.python_version(), "platform": platform.platform()},
        "campaign_date": args.date,
        "sizes": sizes,
        "targets": {name: {"measured": round(value, 2), "target": TARGETS[name], "met": value <= TARGETS[name]}
                    for name, value in figures.items()},  # fmt: skip
    }


def markdown(result: dict) -> str:
    sizes = result["sizes"]
    lines = [f"Campaign date {result['campaign_date']}; {result['machine']['cpus']} CPUs, Python "
             f"{result['machine']['python']}; medians of {sizes['full']['runs']} runs, each in a fresh process.", "",
             "| target | measured | limit | met |", "|---|---|---|---|"]  # fmt: skip
    lines += [f"| {name} | {t['measured']} | {t['target']} | {'yes' if t['met'] else 'NO'} |" for name, t in result["targets"].items()]
    lines += ["", "| asset | " + " | ".join(f"{s['users']:,} members: s | rows" for s in sizes.values()) + " |",
              "|---|" + "---|---|" * len(sizes)]  # fmt: skip
    for asset in sizes["full"]["seconds"]:
        cells = [f"{s['seconds'][asset]:.2f} | {s['rows'][asset]:,}" for s in sizes.values()]
        lines.append(f"| {asset} | " + " | ".join(cells) + " |")
    lines += ["", "| size | all assets s | wall s | peak RSS MiB |", "|---|---|---|---|"]
    lines += [f"| {s['users']:,} members / {s['events']:,} events | {s['all_assets_seconds']:.1f} | "
              f"{s['wall_seconds']:.1f} | {s['peak_rss_mib']:.0f} |" for s in sizes.values()]  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--date", default="2025-06-15", help="campaign date (the generated data spans 2022-2027)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("data/bench"), help="generated data, by size and seed")
    parser.add_argument("--out", type=Path, default=Path("data/bench"))
    args = parser.parse_args(argv)
    sizes = {}
    for name, scale in (("baseline", 0.1), ("full", 1.0)):
        users, events = round(args.users * scale), round(args.events * scale)
        data_dir = cached_data(args.cache, users, events, args.seed)
        sizes[name] = {"users": users, "events": events, **measured(data_dir, args.date, args.repeat)}
    result = report(args, sizes)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "report.md").write_text(markdown(result))
    print(markdown(result), end="")


if __name__ == "__main__":
    main()
