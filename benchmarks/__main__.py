"""Benchmark the graph at scale: `python -m benchmarks --users 100000 --events 30000`.

Generates data with the package's generator (cached by size and seed), materializes the whole graph in local mode
in-process for one campaign date, once per repeat in a fresh process, and reports medians: seconds per asset, rows
per asset, peak RSS, the two stage targets, and the scaling from the baseline size (10% of the members and events)
to the full size. Also: the old scripts' quadratic steps 1-4 against this project's raw -> enriched stage at the
legacy size, the whole graph on the bundled sample data through the `dagster` CLI, and the Claude stage against a
fake Messages API (concurrent calls, then one Message Batch). Writes `report.json` and `report.md` to `--out`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import SAMPLE_DATA
from benchmarks.claude_stage import claude_markdown
from benchmarks.measure import CAMPAIGN_STAGE, PROFILE_STAGE, STEP_ASSETS, definitions_load_seconds
from cucu_pipeline.core.dates import PACIFIC
from cucu_pipeline.sample_data.__main__ import write_exports
from cucu_pipeline.sample_data.generator import generate

# The README's first command, after its set-up (`-m` instead of the project's [tool.dg]: any working folder).
README_COMMAND = "launch --job daily_campaign -m cucu_pipeline.definitions".split()
# name: (limit, True when the measured figure must stay at or below it, False when at or above)
TARGETS = {
    "raw_to_enriched_seconds": (20.0, True),
    "matching_writer_checks_seconds": (30.0, True),
    "peak_rss_mib": (2048.0, True),
    "all_assets_seconds": (25.0, True),  # the full size's steps, summed
    "scaling_10x_members": (12.0, True),
    "million_peak_rss_mib": (8192.0, True),  # with --million: ten times the full size
    "scaling_to_million": (11.0, True),
    "legacy_ratio": (20.0, False),
    "cli_sample_data_seconds": (30.0, True),
    "definitions_load_seconds": (2.0, True),
    "claude_1000_members_seconds": (150.0, True),  # two calls a text: the writer's and the judge's
    "claude_calls_per_message": (2.4, True),  # the writer's (with regenerations) and the judge's
    "sms_and_claude_per_1000_texts_usd": (14.0, True),
    "sms_and_claude_per_1000_texts_batch_usd": (11.0, True),
    "one_segment_share": (0.9, False),
    "claude_one_segment_share": (0.9, False),
    "parquet_to_pickle_storage_seconds": (1.0, True),
    "airtable_requests_year_to_week": (3.0, True),  # a run with a year of history against one with a week
}
AIRTABLE_FIGURES = ("requests_1_week", "requests_1_year", "records_1_year")
STORAGE_STEPS = ("parquet_store", "parquet_load", "pickle_store", "pickle_load")


def cached_data(cache: Path, users: int, events: int, seed: int) -> Path:
    folder = cache / f"users{users}-events{events}-seed{seed}"
    if not (folder / "raw" / "messages.json").exists():  # written last: a complete export
        write_exports(generate(users, events, seed), folder / "raw")
    return folder


def _json_run(module: str, *arguments: str) -> dict:
    """One measurement in a fresh process; its last line of output is a JSON object."""
    output = subprocess.run(
        [sys.executable, "-m", module, *arguments], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measured(data_dir: Path, date: str, repeat: int) -> dict:
    """Medians over `repeat` runs, each in its own process."""
    runs = [_json_run("benchmarks.measure", "--data-dir", str(data_dir), "--date", date) for _ in range(repeat)]
    seconds = {asset: statistics.median(run["seconds"][asset] for run in runs) for asset in runs[0]["seconds"]}
    storage = {
        asset: {step: statistics.median(run["storage_seconds"][asset][step] for run in runs) for step in STORAGE_STEPS}
        for asset in runs[0]["storage_seconds"]
    }
    return {
        "seconds": seconds,
        "rows": runs[0]["rows"],
        "raw_to_enriched_seconds": statistics.median(sum(run["seconds"][a] for a in PROFILE_STAGE) for run in runs),
        "matching_writer_checks_seconds": statistics.median(
            sum(run["seconds"][a] for a in CAMPAIGN_STAGE) for run in runs
        ),
        "all_assets_seconds": statistics.median(sum(run["seconds"].values()) for run in runs),
        "wall_seconds": statistics.median(run["wall_seconds"] for run in runs),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        "step_peak_rss_mib": {step: max(run["step_peak_rss_mib"][step] for run in runs) for step in seconds},
        "storage_seconds": storage,
        **{f"{step}_seconds": sum(asset[step] for asset in storage.values()) for step in STORAGE_STEPS},
        "allocation_seconds": statistics.median(run["allocation_seconds"] for run in runs),
        "asset_check_seconds": statistics.median(run["asset_check_seconds"] for run in runs),
        # The same on every run (the graph is deterministic): read from the first.
        **{
            name: runs[0][name]
            for name in ("job", "texts_per_open_seat_max", "one_segment_share", "cost_per_1000_texts_usd")
        },
        "runs": len(runs),
    }


def cli_sample_seconds(repeat: int) -> float:
    """Median wall seconds of the README's command on the bundled sample data, today's date, a fresh instance each
    time (a copy of the sample data, so the checkout's own store is untouched)."""
    today = dt.datetime.now(PACIFIC).date()
    dagster = shutil.which("dg") or str(Path(sys.executable).with_name("dg"))
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            shutil.copytree(SAMPLE_DATA, Path(home) / "raw")
            environ = {**os.environ, "DAGSTER_HOME": home, "CUCU_DATA_DIR": home, "CUCU_MODE": "local"}
            started = time.perf_counter()
            command = [dagster, *README_COMMAND, "--partition", today.isoformat()]
            subprocess.run(command, check=True, capture_output=True, env=environ)
            runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def report(args, sizes: dict, legacy: dict, cli_seconds: float, claude: dict, load: float, airtable: dict) -> dict:
    full, baseline = sizes["full"], sizes["baseline"]
    figures = {
        "raw_to_enriched_seconds": full["raw_to_enriched_seconds"],
        "matching_writer_checks_seconds": full["matching_writer_checks_seconds"],
        "peak_rss_mib": full["peak_rss_mib"],
        "all_assets_seconds": full["all_assets_seconds"],
        "scaling_10x_members": full["all_assets_seconds"] / baseline["all_assets_seconds"],
        "legacy_ratio": legacy["total_seconds"] / sizes["legacy"]["raw_to_enriched_seconds"],
        "cli_sample_data_seconds": cli_seconds,
        "definitions_load_seconds": load,
        "claude_1000_members_seconds": claude["seconds"],
        "claude_calls_per_message": claude["concurrent"]["calls_per_message"],
        "sms_and_claude_per_1000_texts_usd": claude["sms_and_claude_per_1000_texts_usd"],
        "sms_and_claude_per_1000_texts_batch_usd": claude["sms_and_claude_per_1000_texts_batch_usd"],
        "one_segment_share": full["one_segment_share"],
        "claude_one_segment_share": claude["one_segment_share"],
        "parquet_to_pickle_storage_seconds": (full["parquet_store_seconds"] + full["parquet_load_seconds"])
        / (full["pickle_store_seconds"] + full["pickle_load_seconds"]),
        "airtable_requests_year_to_week": airtable["requests_1_year"] / airtable["requests_1_week"],
    }
    if "million" in sizes:
        figures["million_peak_rss_mib"] = sizes["million"]["peak_rss_mib"]
        figures["scaling_to_million"] = sizes["million"]["all_assets_seconds"] / full["all_assets_seconds"]
    return {
        "machine": {
            "cpus": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "campaign_date": args.date,
        "sizes": sizes,
        "legacy": legacy,
        "claude": claude,
        "airtable": airtable,
        "targets": {
            name: {
                "measured": round(value, 2),
                "target": TARGETS[name][0],
                "met": value <= TARGETS[name][0] if TARGETS[name][1] else value >= TARGETS[name][0],
            }
            for name, value in figures.items()
        },
    }


def markdown(result: dict) -> str:
    sizes = result["sizes"]
    lines = [
        f"Campaign date {result['campaign_date']}; {result['machine']['cpus']} CPUs, Python "
        f"{result['machine']['python']}; medians of {sizes['full']['runs']} runs, each in a fresh process.",
        "",
        "| target | measured | limit | met |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {t['measured']} | {'≤' if TARGETS[name][1] else '≥'} {t['target']} | "
        f"{'yes' if t['met'] else 'NO'} |"
        for name, t in result["targets"].items()
    ]
    legacy = result["legacy"]
    lines += [
        "",
        f"Old steps 1-4 at {sizes['legacy']['users']:,} members / {sizes['legacy']['events']:,} events: "
        f"{legacy['total_seconds']:.1f} s (one run) against {sizes['legacy']['raw_to_enriched_seconds']:.1f} s "
        f"for raw -> enriched here.",
    ]
    lines += claude_markdown(result["claude"])
    week, year, records = (result["airtable"][key] for key in AIRTABLE_FIGURES)
    lines.append(
        f"Airtable requests of a run: {week} with a week of history, {year} with a year ({records:,} records)."
    )
    grown = [sizes["full"], sizes["million"]] if "million" in sizes else []  # each step's growth to ten times
    lines += [
        "",
        "| asset | "
        + " | ".join(f"{s['users']:,} members: s | rows" for s in sizes.values())
        + " |"
        + (" growth × |" if grown else ""),
        "|---|" + "---|---|" * len(sizes) + ("---|" if grown else ""),
    ]
    for asset in sizes["full"]["seconds"]:
        cells = [
            f"{s['seconds'][asset]:.2f} | " + " + ".join(f"{s['rows'][name]:,}" for name in STEP_ASSETS[asset])
            for s in sizes.values()
        ]
        cells += [f"{grown[1]['seconds'][asset] / grown[0]['seconds'][asset]:.1f}"] if grown else []
        lines.append(f"| {asset} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| size | all assets s | wall s | peak RSS MiB | seat allocation s | max texts per open seat "
        "| one-segment share | SMS USD per 1,000 texts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s['users']:,} members / {s['events']:,} events | {s['all_assets_seconds']:.1f} | "
        f"{s['wall_seconds']:.1f} | {s['peak_rss_mib']:.0f} | {s['allocation_seconds']:.2f} | "
        f"{s['texts_per_open_seat_max']:.2f} | {s['one_segment_share']:.1%} | {s['cost_per_1000_texts_usd']:.2f} |"
        for s in sizes.values()
    ]
    return "\n".join([*lines, *storage_markdown(sizes["full"])]) + "\n"


def storage_markdown(full: dict) -> list[str]:
    """Per asset, the seconds to store and load its value as Parquet and as Dagster's default pickle."""
    lines = [
        "",
        f"Storing and loading each asset's value at {full['users']:,} members: Parquet (this project) against the "
        "pickles of Dagster's default IO manager, seconds.",
        "",
        "| asset | Parquet store | Parquet load | pickle store | pickle load |",
        "|---|---|---|---|---|",
    ]
    totals = {step: full[f"{step}_seconds"] for step in STORAGE_STEPS}
    return lines + [
        f"| {asset} | " + " | ".join(f"{steps[step]:.3f}" for step in STORAGE_STEPS) + " |"
        for asset, steps in [*full["storage_seconds"].items(), ("all assets", totals)]
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--date", default="2025-06-15", help="campaign date (the generated data spans 2022-2027)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("data/bench"), help="generated data, by size and seed")
    parser.add_argument("--out", type=Path, default=Path("data/bench"))
    parser.add_argument("--legacy-users", type=int, default=40_000, help="the old algorithm's size (events in ratio)")
    parser.add_argument("--claude-members", type=int, default=1000)
    parser.add_argument("--airtable-per-day", type=int, default=700, help="texts a day in the Airtable history")
    parser.add_argument("--claude-concurrency", type=int, default=16)
    parser.add_argument("--claude-latency", type=float, default=1.0, help="seconds the fake Messages API takes")
    parser.add_argument("--million", action="store_true", help="also ten times the full size (about an hour)")
    args = parser.parse_args(argv)
    sizes, folders = {}, {}
    scales = [("baseline", round(args.users * 0.1)), ("legacy", args.legacy_users), ("full", args.users)]
    for name, users in scales + ([("million", args.users * 10)] if args.million else []):
        events = round(args.events * users / args.users)
        folders[name] = cached_data(args.cache, users, events, args.seed)
        sizes[name] = {"users": users, "events": events, **measured(folders[name], args.date, args.repeat)}
    # The old algorithm runs once: at 40,000 members it takes minutes.
    legacy = _json_run("benchmarks.legacy", "--data-dir", str(folders["legacy"]), "--date", args.date)
    claude_options = {"members": args.claude_members, "concurrency": args.claude_concurrency}
    claude_options |= {"latency": args.claude_latency, "data-dir": folders["legacy"], "date": args.date}
    claude = _json_run("benchmarks.claude_stage", *(f"--{k}={v}" for k, v in claude_options.items()))
    load = definitions_load_seconds(args.repeat)
    airtable = _json_run("benchmarks.airtable_reads", "--per-day", str(args.airtable_per_day))
    result = report(args, sizes, legacy, cli_sample_seconds(args.repeat), claude, load, airtable)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "report.md").write_text(markdown(result))
    print(markdown(result), end="")


if __name__ == "__main__":
    main()
