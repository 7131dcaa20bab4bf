"""Run the campaign week after week on the sample data, as the team would, and audit what people received:
`python -m cucu_pipeline.sample_data.weeks --start 2026-06-06 --weeks 8` (docs/people.md: "Week after week").

Each date materializes the graph up to `published_messages` into a fresh data folder, then its queued texts are
marked sent an hour after the reference instant, as the team would before the next date. The sample's message
history is kept up to the first date only: its simulated records of later dates would be texts nobody sent yet.

The audit reads the Airtable store and the sources as of each date, independently of the rules that produced the
texts: nobody texted twice on a date or within the base cooldown, nobody invited to one event twice within the invite
memory, nobody above the cap of texts per window, no host sent a newcomer text, no member sent to an event whose words
conflict with their diet, nobody sent the phrasing family of any of their last three texts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import tempfile
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd

from cucu_pipeline.campaign.matching.campaigns import SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.matching.diet import event_conflicts, member_restrictions
from cucu_pipeline.campaign.writing.briefs import body_of
from cucu_pipeline.campaign.writing.library import line_of
from cucu_pipeline.core.dates import utc_iso
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.definitions import build_assets
from cucu_pipeline.defs.resources import REPLAYED, build_resources, campaign_rules
from cucu_pipeline.profiles.people import People

CAMPAIGN_ASSETS = "*published_messages"  # the graph up to publishing; what the texts caused is another read
CONTACTED = ("sent", "holdout")
# The exclusions of `qualified_users` and `event_matches` the report shows per date: the contact policy at work.
POLICY_COUNTS = {
    "qualified_users": ("excluded_cooldown", "excluded_fatigue_backoff", "excluded_monthly_cap"),
    "event_matches": ("excluded_pairs_already_invited",),
}


@dataclass
class WeeksReport:
    dates: list[dt.date]
    texts: dict[str, int]  # per date: texts sent
    holdouts: dict[str, int]  # per date: members held out
    people_reached: int  # distinct people texted over the run
    texts_per_person: dict[int, int]  # how many people got 1, 2, 3... texts
    repeated_texts: int  # texts word for word the person's previous text
    same_event_again: int  # texts for the event of the person's previous text
    violations: dict[str, list[str]] = field(default_factory=dict)  # per rule: what broke it (ids only)
    policy: dict[str, dict[str, int]] = field(default_factory=dict)  # per date: the contact policy's exclusions

    def summary(self) -> str:
        lines = [
            f"{day}: {self.texts[str(day)]} texts, {self.holdouts[str(day)]} held out"
            + "".join(f", {name} {count}" for name, count in self.policy.get(str(day), {}).items())
            for day in self.dates
        ]
        spread = ", ".join(f"{count} people got {n}" for n, count in sorted(self.texts_per_person.items()))
        lines += [f"people reached: {self.people_reached}; {spread}"]
        lines += [
            f"texts identical to the person's previous text: {self.repeated_texts}; "
            f"for the event of their previous text: {self.same_event_again}"
        ]
        lines += [f"{rule}: {len(found)} violations {found[:5]}" for rule, found in self.violations.items()]
        return "\n".join(lines)


def prepare_data_dir(sample: Path, data_dir: Path, first_date: dt.date, rules: CampaignRules) -> None:
    """The sample's exports, with the message history as it stood at the first date's reference instant."""
    raw = data_dir / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in ("users.json", "events.json", "orders.json"):
        (raw / name).write_bytes((sample / name).read_bytes())
    cutoff = rules.reference_instant(first_date)
    messages = json.loads((sample / "messages.json").read_text())
    kept = [message for message in messages if _before(message, first_date, cutoff)]
    (raw / "messages.json").write_text(json.dumps(kept))


def _before(message: object, first_date: dt.date, cutoff: pd.Timestamp) -> bool:
    if not isinstance(message, dict):
        return True  # a malformed record stays, for the source to reject and count
    if message.get("campaign_date"):
        return str(message["campaign_date"]) < first_date.isoformat()
    stamp = pd.to_datetime(message.get("created_date") or message.get("sent_date"), utc=True, errors="coerce")
    return pd.isna(stamp) or stamp < cutoff


def mark_sent(store: Path, campaign_date: dt.date, rules: CampaignRules) -> int:
    """The team sends the date's queued texts an hour after the reference instant."""
    sent_at = utc_iso(rules.reference_instant(campaign_date) + pd.Timedelta(hours=1))
    with closing(sqlite3.connect(store)) as connection, connection:
        return connection.execute(
            "UPDATE messages SET status = 'sent', sent_date = ? WHERE campaign_date = ? AND status = 'queued'",
            (sent_at, campaign_date.isoformat()),
        ).rowcount


def run_weeks(data_dir: Path, dates: list[dt.date]) -> WeeksReport:
    """Materialize each date in turn (texts marked sent before the next) and audit the result under the rules the
    runs used."""
    environ = {"CUCU_DATA_DIR": str(data_dir), **REPLAYED}
    assets, resources, rules = build_assets(environ), build_resources(environ), campaign_rules(environ)
    sources, policy = {}, {}
    for day in dates:
        result = dg.materialize(assets, selection=CAMPAIGN_ASSETS, resources=resources, partition_key=day.isoformat())
        if not result.success:
            raise RuntimeError(f"the campaign run for {day} failed")
        sources = {name: result.output_for_node(name) for name in ("raw_users", "raw_events")}
        policy[str(day)] = {
            name.removeprefix("excluded_"): int(getattr(metadata.get(name), "value", 0))
            for asset, names in POLICY_COUNTS.items()
            for metadata in [result.asset_materializations_for_node(asset)[0].metadata]
            for name in names
        }
        mark_sent(data_dir / "airtable.sqlite", day, rules)
    report = audit(_records(data_dir / "airtable.sqlite"), sources["raw_users"], sources["raw_events"], dates, rules)
    report.policy = policy
    return report


def _records(store: Path) -> pd.DataFrame:
    with closing(sqlite3.connect(store)) as connection:
        frame = pd.read_sql_query(
            "SELECT record_id, user_id, user_email, user_phone, event_id, campaign, status, campaign_date, message "
            "FROM messages",
            connection,
        )
    frame["campaign_date"] = pd.to_datetime(frame["campaign_date"], errors="coerce")
    return frame


def audit(
    records: pd.DataFrame, users: pd.DataFrame, events: pd.DataFrame, dates: list[dt.date], rules: CampaignRules
) -> WeeksReport:
    """What people received over the run, and every rule a text of the run broke."""
    people = People.of(users)
    status = records["status"].fillna("").str.lower()
    contacts = records[status.isin(CONTACTED) & records["campaign_date"].notna()].copy()
    contacts["person_id"] = people.of_records(contacts)
    contacts = contacts.sort_values(["person_id", "campaign_date"], kind="stable")
    in_run = contacts["campaign_date"].dt.date.isin(dates)
    run = contacts[in_run]
    texts = run[run["status"].str.lower() == "sent"]
    report = WeeksReport(
        dates=dates,
        texts={str(day): int((texts["campaign_date"].dt.date == day).sum()) for day in dates},
        holdouts={
            str(day): int(((run["status"] == "holdout") & (run["campaign_date"].dt.date == day)).sum()) for day in dates
        },
        people_reached=int(texts["person_id"].nunique()),
        texts_per_person=dict(sorted(Counter(texts.groupby("person_id").size().tolist()).items())),
        repeated_texts=_same_as_previous(contacts, in_run, "message"),
        same_event_again=_same_as_previous(contacts, in_run, "event_id"),
    )
    gaps = contacts.groupby("person_id")["campaign_date"].diff().dt.days
    report.violations = {
        "two_texts_on_a_date": _ids(run[run.duplicated(["person_id", "campaign_date"], keep=False)]),
        "within_cooldown": _ids(run[gaps[in_run].lt(rules.cooldown_days)]),
        "invited_twice_to_one_event": _ids(_repeat_invitations(contacts, in_run, rules.reinvite_after_days)),
        "above_monthly_cap": _ids(_above_cap(contacts, in_run, rules)),
        "host_sent_newcomer_text": _ids(_hosts_as_newcomers(run, people, events, rules)),
        "diet_conflict": _ids(_diet_conflicts(run, users, events)),
        "phrasing_of_last_three_texts": _ids(_phrasing_of_last_three(contacts, in_run, rules.brand)),
    }
    return report


def _same_as_previous(contacts: pd.DataFrame, in_run: pd.Series, column: str) -> int:
    """Texts of the run whose `column` equals the person's previous text's."""
    sent = contacts[contacts["status"].str.lower() == "sent"]
    previous = sent.groupby("person_id")[column].shift()
    return int((in_run[sent.index] & sent[column].eq(previous)).sum())


def _phrasing_of_last_three(contacts: pd.DataFrame, in_run: pd.Series, brand: str) -> pd.DataFrame:
    """Texts of the run on the library line of one of the person's three previous texts (the template writer's
    lines; Claude's own words have none)."""
    sent = contacts[contacts["status"].str.lower() == "sent"]
    family = sent["message"].fillna("").map(lambda text: line_of(body_of(text, brand)))
    by_person = family.groupby(sent["person_id"])
    repeated = pd.concat([family.eq(by_person.shift(back)) for back in (1, 2, 3)], axis=1).any(axis=1)
    return sent[in_run[sent.index] & family.notna() & repeated]


def _ids(rows: pd.DataFrame) -> list[str]:
    return sorted(rows["record_id"].astype(str).unique().tolist())


def _repeat_invitations(contacts: pd.DataFrame, in_run: pd.Series, days: int) -> pd.DataFrame:
    previous = contacts.groupby(["person_id", "event_id"])["campaign_date"].diff().dt.days
    return contacts[in_run & previous.lt(days)]


def _above_cap(contacts: pd.DataFrame, in_run: pd.Series, rules: CampaignRules) -> pd.DataFrame:
    window = f"{rules.text_cap_window_days}D"
    counts = (
        contacts.assign(one=1).set_index("campaign_date").groupby("person_id")["one"].rolling(window).sum().to_numpy()
    )
    return contacts[in_run.to_numpy() & (counts > rules.max_texts_per_window)]


def _hosts_as_newcomers(run: pd.DataFrame, people: People, events: pd.DataFrame, rules: CampaignRules):
    newcomer = run[run["campaign"] == SEAT_THE_NEWCOMER]
    hosted = events.assign(person_id=people.of_members(events["owner_id"])).dropna(subset=["person_id"])
    first_hosted = hosted.groupby("person_id")["start_date"].min()
    starts = first_hosted.reindex(newcomer["person_id"]).set_axis(newcomer.index)
    references = pd.to_datetime(
        newcomer["campaign_date"].map(lambda day: rules.reference_instant(day.date())), utc=True
    )
    return newcomer[starts.notna() & (starts < references)]


def _diet_conflicts(run: pd.DataFrame, users: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    conflicts, _ = event_conflicts(events)
    keeps = member_restrictions(users.rename(columns={"allergies": "dietary_restrictions"}))
    member_row = pd.Series(np.arange(len(users)), index=users["id"].to_numpy())
    event_row = pd.Series(np.arange(len(events)), index=events["id"].to_numpy())
    known = run["user_id"].isin(member_row.index) & run["event_id"].isin(event_row.index)
    rows = run[known]
    clash = (keeps[member_row[rows["user_id"]].to_numpy()] & conflicts[event_row[rows["event_id"]].to_numpy()]).any(1)
    return rows[clash]


def saturdays(start: dt.date, weeks: int) -> list[dt.date]:
    return [start + dt.timedelta(weeks=week) for week in range(weeks)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the campaign week after week on the sample data and audit it.")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 6, 6))
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--sample", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    dates = saturdays(args.start, args.weeks)
    with tempfile.TemporaryDirectory() as folder:
        prepare_data_dir(args.sample, Path(folder), dates[0], campaign_rules({}))
        report = run_weeks(Path(folder), dates)
    print(report.summary())
    raise SystemExit(1 if any(report.violations.values()) else 0)


if __name__ == "__main__":
    main()
