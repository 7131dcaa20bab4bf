"""One measured run: the daily job (every asset and its checks) in this process, for one campaign date, executed
as a launched run executes it.

Run as `python -m benchmarks.measure --data-dir D --date YYYY-MM-DD` (one process per run, so peak RSS is
this run's own); prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from benchmarks import REPLAYED
from cucu_pipeline.core.parquet import frame_to_table, table_to_frame
from cucu_pipeline.definitions import ASSETS, build_defs
from cucu_pipeline.defs.schedules import daily_campaign_job


def steps_in(*groups: str) -> list[str]:
    """The graph's steps that compute the assets of these groups (one step may compute several assets)."""
    return [asset.node_def.name for asset in ASSETS if set(asset.group_names_by_key.values()) & set(groups)]


# The assets each step computes, in their order (`contact_standing` computes three).
STEP_ASSETS = {asset.node_def.name: sorted(key.path[-1] for key in asset.keys) for asset in ASSETS}
PROFILE_STAGE = steps_in("sources", "profiles")  # raw_* -> enriched_*
CAMPAIGN_STAGE = ["event_matches", "matched_messages"]  # matching with the seat allocation, the writer and the checks
# Dagster's default filesystem IO manager, which the Parquet storage replaced, pickles with protocol 4.
DAGSTER_PICKLE_PROTOCOL = 4


def _timed(step, *arguments) -> tuple[float, object]:
    started = time.perf_counter()
    value = step(*arguments)
    return time.perf_counter() - started, value


def _load_parquet(path: Path):
    return table_to_frame(pq.read_table(path))


def _store_parquet(frame, path: Path) -> None:
    pq.write_table(frame_to_table(frame), path)


def _store_pickle(frame, path: Path) -> None:
    with path.open("wb") as file:
        pickle.dump(frame, file, DAGSTER_PICKLE_PROTOCOL)


def _load_pickle(path: Path):
    with path.open("rb") as file:
        return pickle.load(file)


def storage_seconds(storage: Path, campaign_date: str) -> dict[str, dict[str, float]]:
    """Per asset: seconds to load its stored Parquet file for the date and to store it again, and the same for the
    pickle Dagster's default IO manager would write, each through a file in the storage folder."""
    seconds = {}
    for path in sorted(storage.glob(f"*/{campaign_date}.parquet")):
        parquet_load, frame = _timed(_load_parquet, path)
        parquet_store, _ = _timed(_store_parquet, frame, path)
        pickled = path.with_suffix(".pickle")
        pickle_store, _ = _timed(_store_pickle, frame, pickled)
        pickle_load, _ = _timed(_load_pickle, pickled)
        pickled.unlink()
        seconds[path.parent.name] = {
            "parquet_store": parquet_store,
            "parquet_load": parquet_load,
            "pickle_store": pickle_store,
            "pickle_load": pickle_load,
        }
    return seconds


class ResidentMemory(threading.Thread):
    """Samples this process's resident memory (`VmRSS`, Linux) twice a second, to tell which step set the peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []  # (Unix time, MiB)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            status = Path("/proc/self/status").read_text()
            kib = int(status.split("VmRSS:")[1].split()[0])
            self.samples.append((time.time(), kib / 1024))

    def peak_between(self, start: float, end: float) -> float:
        """The highest sample taken between `start` and `end`; for a step shorter than the sampling interval, the
        last sample before it ended."""
        during = [mib for at, mib in self.samples if start <= at <= end]
        return max(during or [mib for at, mib in self.samples if at <= end][-1:] or [0.0])


def _step_peaks(logs: list[dg.EventLogEntry], memory: ResidentMemory) -> dict[str, float]:
    """Per step, the highest resident memory sampled while it ran (what the run held before it included)."""
    started, peaks = {}, {}
    for entry in logs:
        if entry.is_dagster_event and entry.dagster_event_type == dg.DagsterEventType.STEP_START:
            started[entry.step_key] = entry.timestamp
        elif entry.is_dagster_event and entry.dagster_event_type == dg.DagsterEventType.STEP_SUCCESS:
            peaks[entry.step_key] = memory.peak_between(started[entry.step_key], entry.timestamp)
    return peaks


def daily_job() -> dg.JobDefinition:
    """The daily job on the data in `CUCU_DATA_DIR`, the date replayed as lived, every other setting at its default
    (reconstructed by name in
    the run, as a launched run loads it)."""
    return build_defs({"CUCU_DATA_DIR": os.environ["CUCU_DATA_DIR"], **REPLAYED}).resolve_job_def(
        daily_campaign_job.name
    )


def measure(data_dir: Path, campaign_date: str) -> dict:
    """Seconds, rows and peak resident memory per asset step, wall seconds and peak RSS of the daily job's run for
    `campaign_date`, and the seconds of its asset check steps."""
    (data_dir / "airtable.sqlite").unlink(missing_ok=True)  # every run starts from the exported texts
    os.environ["CUCU_DATA_DIR"] = str(data_dir)
    memory = ResidentMemory()
    memory.start()
    started = time.perf_counter()
    with dg.DagsterInstance.ephemeral() as instance:
        # As a launched run executes it: `materialize` (`execute_in_process`) would also keep every step's output in
        # memory until the run ends, for its result to return them; a launched run lets each go once it is stored.
        job = dg.reconstructable(daily_job)
        with dg.execute_job(job, instance, tags={"dagster/partition": campaign_date}) as result:
            wall = time.perf_counter() - started
            memory.stopped.set()
            logs = instance.all_logs(result.run_id)
            steps, materializations = result.get_step_success_events(), result.get_asset_materialization_events()
            job_name = result.job_def.name
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the run's own; Linux reports KiB
    step_seconds = {event.step_key: event.event_specific_data.duration_ms / 1000 for event in steps}
    # The job's asset checks run as steps of their own (drift, the publishing deadline): hundredths of a second each.
    seconds = {step: value for step, value in step_seconds.items() if step in STEP_ASSETS}
    metadata = {event.asset_key.path[-1]: event.materialization.metadata for event in materializations}
    matching, texts = metadata["event_matches"], metadata["matched_messages"]
    return {
        "job": job_name,
        "seconds": seconds,
        "rows": {asset: int(values["dagster/row_count"].value) for asset, values in metadata.items()},
        "allocation_seconds": float(matching["allocation_seconds"].value),
        "texts_per_open_seat_max": float(matching["texts_per_open_seat_max"].value),
        "one_segment_share": float(texts["one_segment_share"].value),
        "cost_per_1000_texts_usd": float(texts["cost_per_1000_texts_usd"].value),
        "wall_seconds": wall,
        "storage_seconds": storage_seconds(data_dir / "assets", campaign_date),
        "peak_rss_mib": peak_rss_mib,
        "step_peak_rss_mib": {step: mib for step, mib in _step_peaks(logs, memory).items() if step in STEP_ASSETS},
        "asset_check_seconds": sum(step_seconds.values()) - sum(seconds.values()),
    }


def definitions_load_seconds(repeat: int) -> float:
    """Median wall seconds of a fresh process that loads the definitions: what every CLI command, sensor tick and
    run process pays before its first step."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import cucu_pipeline.definitions"], check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--date", required=True)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.data_dir, args.date)))


if __name__ == "__main__":
    main()
