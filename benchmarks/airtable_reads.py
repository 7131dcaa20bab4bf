"""Airtable requests of one run's reads and writes by the length of the history the Messages table holds.

Run as `python -m benchmarks.airtable_reads --per-day 700` (prints one JSON object): a fake Airtable on
127.0.0.1 holding a week, then a year, of sent texts, each with yesterday's mirror in storage, and a run's calls to
the `airtable` resource (`raw_messages`, the queue's review, publishing the date's texts, the review again,
`campaign_outcomes`). A run should cost the same whatever the table's age (docs/airtable.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile

from upath import UPath

from cucu_pipeline.campaign.publishing.records import message_key
from cucu_pipeline.clients.airtable import AirtableMessageStore
from cucu_pipeline.clients.airtable_mirror import Mirror, save
from cucu_pipeline_tests.fakes.airtable import FakeAirtable

CAMPAIGN_DATE = dt.date(2025, 6, 15)
LINK = "Cuculi: a seat at the table for you. https://cucu.li/bookings/e1"


def history(days: int, per_day: int) -> list[dict]:
    """`per_day` sent texts on each of the `days` days before the campaign date, in Airtable's shape."""
    records = []
    for number in range(days * per_day):
        day = (CAMPAIGN_DATE - dt.timedelta(days=1 + number % days)).isoformat()
        fields = {
            "message_key": f"{day}:h{number}",
            "campaign_date": day,
            "user_id": f"h{number}",
            "status": "sent",
            "message": LINK,
            "sent_date": f"{day}T18:00:00.000Z",
        }
        records.append({"id": f"rec{number:010d}", "createdTime": f"{day}T17:00:00.000Z", "fields": fields})
    return records


def the_dates_texts(count: int) -> list[dict]:
    return [
        {
            "message_key": message_key(CAMPAIGN_DATE, f"u{number}"),
            "campaign_date": CAMPAIGN_DATE.isoformat(),
            "user_id": f"u{number}",
            "message": LINK,
            "status": "queued",
            "created_date": f"{CAMPAIGN_DATE}T17:00:00.000Z",
        }
        for number in range(count)
    ]


def requests_per_run(days: int, per_day: int, texts: int) -> tuple[int, list[tuple[str, str]]]:
    """Requests one run sends with `days` of history, and what publishing did to each of the date's texts."""
    fake = FakeAirtable(history(days, per_day))
    with tempfile.TemporaryDirectory() as folder, fake.serve() as url:
        mirror = UPath(folder) / "airtable_mirror"
        save(mirror / "messages.parquet", Mirror(list(fake.records), dt.datetime.now(dt.UTC) - dt.timedelta(hours=20)))
        store = AirtableMessageStore(
            api_key="patBENCH", base_id="appBench", table_name="Messages", endpoint_url=url,
            requests_per_second=500, retry_backoff_seconds=0.01, mirror_url=str(mirror),
        )  # fmt: skip
        store.fetch_records()  # raw_messages
        store.fetch_queued()  # the queue's review before publishing
        outcomes = store.publish(the_dates_texts(texts), CAMPAIGN_DATE, 7)
        store.fetch_queued()  # and after
        store.fetch_records()  # campaign_outcomes
    return store.requests_made(), sorted((outcome.message_key, outcome.outcome) for outcome in outcomes)


def measure(per_day: int, texts: int) -> dict:
    week, week_outcomes = requests_per_run(7, per_day, texts)
    year, year_outcomes = requests_per_run(365, per_day, texts)
    return {
        "records_per_day": per_day,
        "texts": texts,
        "requests_1_week": week,
        "requests_1_year": year,
        "records_1_year": 365 * per_day,
        "full_listing_requests_1_year": -(-365 * per_day // 100),
        "same_outcomes": week_outcomes == year_outcomes,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=700, help="texts a day in the history (700: 255,500 a year)")
    parser.add_argument("--texts", type=int, default=800, help="texts the run publishes")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.per_day, args.texts)))


if __name__ == "__main__":
    main()
