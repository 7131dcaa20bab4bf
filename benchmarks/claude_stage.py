"""The Claude stage against a fake Messages API on 127.0.0.1 that answers after a set latency.

The graph runs up to `event_matches` on the local stand-ins; then the first `members` matched members go through the
production writer and judge (concurrent calls, checks, one regeneration, a judgement per text) and, for the price
comparison, through one Message Batch each. Run as
`python -m benchmarks.claude_stage --data-dir D --date YYYY-MM-DD`; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import dagster as dg
import pandas as pd

from benchmarks import REPLAYED
from cucu_pipeline.campaign.writing.attempts import publishable
from cucu_pipeline.campaign.writing.composer import composer_for
from cucu_pipeline.campaign.writing.costs import campaign_cost
from cucu_pipeline.campaign.writing.drafting import produce_messages
from cucu_pipeline.clients.claude import ClaudeWriter
from cucu_pipeline.core.dates import parse_campaign_date
from cucu_pipeline.definitions import ASSETS
from cucu_pipeline.defs.resources import build_resources
from cucu_pipeline_tests.fakes.messages_api import FakeMessagesAPI

UPSTREAM = dg.AssetSelection.groups("sources", "profiles") | dg.AssetSelection.assets("event_matches")


def _per_message(messages: pd.DataFrame) -> dict:
    sent = max(1, len(publishable(messages)))
    input_tokens = messages[["input_tokens", "cache_read_tokens", "cache_write_tokens"]].to_numpy().sum()
    return {
        "messages": sent,
        "status": messages["status"].value_counts().to_dict(),
        "calls_per_message": float(messages["calls"].sum() / sent),
        "judge_calls_per_message": float(messages["judge_calls"].sum() / sent),
        "judge_cost_per_1000_messages_usd": float(messages["judge_cost_usd"].sum() / sent * 1000),
        "input_tokens_per_message": float(input_tokens / sent),
        "output_tokens_per_message": float(messages["output_tokens"].sum() / sent),
        "cost_per_1000_messages_usd": float(messages["cost_usd"].sum() / sent * 1000),
    }


def measure(
    data_dir: Path, campaign_date: str, members: int, concurrency: int, latency: float, flawed_share: float
) -> dict:
    resources = build_resources({"CUCU_DATA_DIR": str(data_dir), "CUCU_MODE": "local", **REPLAYED})
    with dg.DagsterInstance.ephemeral() as instance:
        upstream = dg.materialize_to_memory(  # the values stay in memory: no storage resource
            ASSETS,
            selection=UPSTREAM,
            resources={key: resource for key, resource in resources.items() if key != "io_manager"},
            partition_key=campaign_date,
            instance=instance,
        )
    tables = {
        name: upstream.output_for_node(name)
        for name in ("enriched_users", "enriched_events", "raw_users", "raw_events", "event_matches")
    }
    rules = resources["campaign_rules"]
    composer = composer_for(
        tables["enriched_users"],
        tables["enriched_events"],
        tables["raw_users"],
        tables["raw_events"],
        parse_campaign_date(campaign_date),
        rules,
    )
    matches = tables["event_matches"]
    matched = matches[matches["event_id"] != ""].head(members)
    fake = FakeMessagesAPI(latency=latency, flawed_share=flawed_share, batch_polls_until_ended=2)
    with fake.serve() as url:
        writer = ClaudeWriter(api_key="bench-no-key", base_url=url, max_concurrency=concurrency, batch_above_members=-1)
        started = time.perf_counter()
        concurrent = produce_messages(matched, composer, writer)
        seconds = time.perf_counter() - started
    # A fresh API for the batch: its first request writes the prompt cache again, as the concurrent run's did.
    with FakeMessagesAPI(latency=latency, flawed_share=flawed_share, batch_polls_until_ended=2).serve() as url:
        batch_writer = ClaudeWriter(
            api_key="bench-no-key", base_url=url, batch_above_members=0, batch_poll_seconds=0.05
        )
        batched = produce_messages(matched, composer, batch_writer)
    standard, batch = _per_message(concurrent), _per_message(batched)
    cost = campaign_cost(concurrent, rules.sms_segment_usd)
    return {
        "members": len(matched),
        "concurrency": concurrency,
        "latency_seconds": latency,
        "flawed_first_drafts": flawed_share,
        "seconds": seconds,
        "max_calls_in_flight": fake.max_in_flight,
        "concurrent": standard,
        "batch": batch,
        "batch_saving": 1 - batch["cost_per_1000_messages_usd"] / standard["cost_per_1000_messages_usd"],
        "one_segment_share": cost.one_segment_share,
        "sms_and_claude_per_1000_texts_usd": cost.per_1000_texts_usd,
        "sms_and_claude_per_1000_texts_batch_usd": campaign_cost(batched, rules.sms_segment_usd).per_1000_texts_usd,
    }


def claude_markdown(claude: dict) -> list[str]:
    """The Claude stage: time, then calls, tokens and cost per text with single calls and Message Batches."""
    lines = [
        "",
        f"Claude stage, {claude['members']:,} members, concurrency {claude['concurrency']}, fake API latency "
        f"{claude['latency_seconds']} s, {claude['flawed_first_drafts']:.0%} of first drafts flawed: "
        f"{claude['seconds']:.1f} s.",
        "",
        "| mode | calls / message (judge) | input tokens / message | output tokens / message | USD per 1,000 messages"
        " (judge) |",
        "|---|---|---|---|---|",
    ]
    for mode in ("concurrent", "batch"):
        figures = claude[mode]
        lines.append(
            f"| {mode} | {figures['calls_per_message']:.2f} ({figures['judge_calls_per_message']:.2f}) | "
            f"{figures['input_tokens_per_message']:,.0f} | {figures['output_tokens_per_message']:,.0f} | "
            f"{figures['cost_per_1000_messages_usd']:.2f} ({figures['judge_cost_per_1000_messages_usd']:.2f}) |"
        )
    lines.append(
        f"\nMessage Batches save {claude['batch_saving']:.0%}. With Claude, {claude['one_segment_share']:.1%} of texts "
        f"are one segment; SMS + Claude cost {claude['sms_and_claude_per_1000_texts_usd']:.2f} USD per 1,000 texts "
        f"with single calls, {claude['sms_and_claude_per_1000_texts_batch_usd']:.2f} with Message Batches."
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds the fake API takes per answer")
    parser.add_argument("--flawed", type=float, default=0.1, help="share of first drafts with a wrong fact")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.data_dir, args.date, args.members, args.concurrency, args.latency, args.flawed)))


if __name__ == "__main__":
    main()
