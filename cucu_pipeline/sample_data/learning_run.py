"""Does the split learn? Run the campaign week after week on the sample data with planted booking rates:
`python -m cucu_pipeline.sample_data.learning_run --weeks 6 --rate "Fill the Table:playful=0.25,warm=0.10"`
(docs/experiments.md: "Allocation that learns"; `--learning off` gives the fixed split on the same members).

Each date materializes the graph up to `published_messages` (its `arm_allocation` first) in a fresh data folder, as
`weeks.py` does; its queued texts are then marked sent, and each member texted books the invited event a day later
with the planted probability of their campaign and arm (`--rate`, each `campaign:arm=rate`; every other pair books at
`--base-rate`). The draw is a hash of (member, date): the same member on the same date books or not in every run,
with learning on or off. The experiment is named `--experiment`, so the sample's own past texts (another experiment)
teach it nothing, and the holdout books nothing beyond the sample's own orders. Prints per date and campaign each
arm's share of the members, P(best), posterior and planted bookings; then the totals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pandas as pd

from cucu_pipeline.core.dates import utc_iso
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.definitions import build_assets
from cucu_pipeline.defs.resources import REPLAYED, build_resources, campaign_rules
from cucu_pipeline.experiments.arms import HOLDOUT, unit_hash
from cucu_pipeline.sample_data.weeks import CAMPAIGN_ASSETS, mark_sent, prepare_data_dir, saturdays

EXPERIMENT = "learning_run"


@dataclass
class LearningRun:
    dates: list[dt.date]
    allocations: dict[str, pd.DataFrame] = field(default_factory=dict)  # per date: `arm_allocation`
    assigned: dict[str, pd.DataFrame] = field(default_factory=dict)  # per date: members per campaign and arm
    bookings: dict[str, pd.DataFrame] = field(default_factory=dict)  # per date: texts `sent` and `booked` per arm

    def total_bookings(self) -> int:
        return int(sum(frame["booked"].sum() for frame in self.bookings.values()))

    def variant_shares(self, campaign: str) -> pd.DataFrame:
        """Per date, each arm's share of the campaign's members as assigned (variants of the non-holdout ones)."""
        rows = {}
        for day, counts in self.assigned.items():
            members = counts[counts["campaign"] == campaign].set_index("arm")["members"]
            texted = members.drop(HOLDOUT, errors="ignore")
            rows[day] = {HOLDOUT: members.get(HOLDOUT, 0) / max(members.sum(), 1), **(texted / max(texted.sum(), 1))}
        return pd.DataFrame(rows).T.fillna(0.0)

    def summary(self) -> str:
        lines = []
        for day in map(str, self.dates):
            lines.append(f"{day}")
            table = self.allocations[day].merge(self.assigned[day], on=["campaign", "arm"], how="left")
            table = table.merge(self.bookings[day], on=["campaign", "arm"], how="left")
            table = table.fillna({"members": 0, "sent": 0, "booked": 0})
            for row in table.to_dict("records"):
                posterior = (
                    ""
                    if row["arm"] == HOLDOUT
                    else f" P(best) {row['p_best']:.2f}, rate {row['posterior_mean']:.1%} "
                    f"[{row['posterior_low']:.1%}, {row['posterior_high']:.1%}] from {row['texts']} texts,"
                    f" {int(row['sent'])} sent, {int(row['booked'])} booked"
                )
                lines.append(
                    f"  {row['campaign']:<18} {row['arm']:<8} share {row['share']:.1%}, "
                    f"{int(row['members'])} members;{posterior}"
                )
        lines.append(f"bookings planted over the run: {self.total_bookings()}")
        return "\n".join(lines)


def parse_rates(specs: list[str]) -> dict[tuple[str, str], float]:
    """`campaign:arm=rate,arm=rate` each -> {(campaign, arm): rate}."""
    rates = {}
    for spec in specs:
        campaign, _, arms = spec.partition(":")
        for part in arms.split(","):
            arm, _, rate = part.partition("=")
            rates[campaign.strip(), arm.strip()] = float(rate)
    return rates


def plant_bookings(
    data_dir: Path, day: dt.date, rates: dict[tuple[str, str], float], base_rate: float, rules: CampaignRules
) -> pd.DataFrame:
    """For each text of `day` marked sent, a paid order of the invited event a day after the reference instant when
    the member's draw falls under the planted rate; the orders join the sample's. Texts and bookings per arm."""
    with closing(sqlite3.connect(data_dir / "airtable.sqlite")) as connection:
        sent = pd.read_sql_query(
            "SELECT user_id, event_id, campaign, arm FROM messages WHERE campaign_date = ? AND status = 'sent'",
            connection,
            params=(day.isoformat(),),
        )
    rate = [rates.get((campaign, arm), base_rate) for campaign, arm in zip(sent["campaign"], sent["arm"])]
    draws = [unit_hash("booking", user, day) for user in sent["user_id"]]
    sent["planted"] = [draw < limit for draw, limit in zip(draws, rate)]
    placed = utc_iso(rules.reference_instant(day) + pd.Timedelta(days=1))
    with (data_dir / "raw" / "orders.json").open("a") as orders:
        for row in sent[sent["planted"]].to_dict("records"):
            order = {"_id": f"planted_{day:%Y%m%d}_{row['user_id']}", "user_id": row["user_id"], "amount": 60}
            orders.write(json.dumps(order | {"event_id": row["event_id"], "date": placed, "status": "paid"}) + "\n")
    return (
        sent.groupby(["campaign", "arm"])["planted"]
        .agg(sent="size", booked="sum")
        .reset_index()
        .astype({"sent": int, "booked": int})
    )


def run_learning(
    data_dir: Path,
    dates: list[dt.date],
    rates: dict[tuple[str, str], float],
    base_rate: float = 0.1,
    learning: bool = True,
) -> LearningRun:
    """Materialize each date in turn with these planted rates, marking its texts sent and planting their bookings
    before the next."""
    environ = {
        "CUCU_DATA_DIR": str(data_dir),
        "CUCU_EXPERIMENT": f"{EXPERIMENT}:warm=1,playful=1",
        "CUCU_LEARNING": "on" if learning else "off",
        **REPLAYED,
    }
    assets, resources, rules = build_assets(environ), build_resources(environ), campaign_rules(environ)
    run = LearningRun(dates)
    for day in dates:
        result = dg.materialize(assets, selection=CAMPAIGN_ASSETS, resources=resources, partition_key=day.isoformat())
        if not result.success:
            raise RuntimeError(f"the campaign run for {day} failed")
        messages = result.output_for_node("matched_messages")
        run.allocations[str(day)] = result.output_for_node("arm_allocation")
        run.assigned[str(day)] = messages.groupby(["campaign", "arm"]).size().rename("members").reset_index()
        mark_sent(data_dir / "airtable.sqlite", day, rules)
        run.bookings[str(day)] = plant_bookings(data_dir, day, rates, base_rate, rules)
    return run


def learning_run(sample: Path, dates: list[dt.date], rates, base_rate: float, learning: bool) -> LearningRun:
    """`run_learning` in a fresh copy of the sample's exports."""
    with tempfile.TemporaryDirectory() as folder:
        prepare_data_dir(sample, Path(folder), dates[0], campaign_rules({}))
        return run_learning(Path(folder), dates, rates, base_rate, learning)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the campaign week after week with planted booking rates.")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 6, 6))
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--rate", action="append", default=[], help="campaign:arm=rate,arm=rate (repeatable)")
    parser.add_argument("--base-rate", type=float, default=0.1, help="the planted rate of every other text")
    parser.add_argument("--learning", choices=("on", "off"), default="on")
    parser.add_argument("--sample", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    run = learning_run(
        args.sample, saturdays(args.start, args.weeks), parse_rates(args.rate), args.base_rate, args.learning == "on"
    )
    print(run.summary())


if __name__ == "__main__":
    main()
