"""Eight Saturdays in a row on the sample data, each date's texts sent before the next: what people receive, audited
independently of the rules that wrote it (docs/people.md: "Week after week")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.defs.resources import campaign_rules
from cucu_pipeline.sample_data.weeks import audit, prepare_data_dir, run_weeks, saturdays
from cucu_pipeline.sources.documents import EventDocument
from cucu_pipeline.sources.tables import normalize_documents, normalize_users
from cucu_pipeline_tests.conftest import SAMPLE_RAW, event, member

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service


def test_eight_saturdays_text_nobody_twice_nor_against_the_contact_policy(tmp_path):
    dates = saturdays(dt.date(2026, 6, 6), 8)
    prepare_data_dir(SAMPLE_RAW, tmp_path, dates[0], campaign_rules({}))
    report = run_weeks(tmp_path, dates)
    assert report.violations == dict.fromkeys(report.violations, []), report.summary()
    assert all(report.texts.values()) and sum(report.texts.values()) > 1500 and report.people_reached > 800
    # Never the phrasing of any of the person's last three texts (`phrasing_of_last_three_texts` above).
    # Nobody who ignores texts is texted every week: most people get one to three texts in eight weeks.
    assert sum(report.texts_per_person.values()) == report.people_reached
    assert sum(count for texts, count in report.texts_per_person.items() if texts >= 5) < 0.05 * report.people_reached


def _text(record: str, user: str, day: str, event_id: str = "e1", campaign: str = "Return to Table", **fields):
    return {"record_id": record, "user_id": user, "user_email": None, "user_phone": None, "event_id": event_id,
            "campaign": campaign, "status": "sent", "campaign_date": pd.Timestamp(day), "message": f"Cuculi: {record}",
            **fields}  # fmt: skip


AGAIN = "Cuculi: Bo, we'd love to see you again. {event} is Friday at 7pm. Come back: https://cucu.li/bookings/e1"


def test_the_audit_finds_every_kind_of_violation():
    users = normalize_users(
        [
            member("u1", "Ana", "Ruiz"),
            member("u2", "Ana", "Ruiz", email="ana@other.example", phone=member("u1", "Ana", "Ruiz")["phone"]),
            member("u3", "Bo", "Li", allergies=["gluten-free"]),
            member("u4", "Cy", "Ng"),
        ]
    ).frame
    events = normalize_documents(
        [
            event("e1", "Supper", "2026-07-30T03:00:00Z", []),
            event("e2", "Pasta from Scratch", "2026-07-30T03:00:00Z", []),
            event("e3", "Host's Supper", "2026-05-01T03:00:00Z", [], ownerId="u4"),
        ],
        EventDocument,
    ).frame
    records = pd.DataFrame(
        [
            _text("r1", "u1", "2026-07-04"),
            _text("r2", "u2", "2026-07-04", event_id="e2"),  # the same person, the same date
            _text("r3", "u1", "2026-07-09", event_id="e2"),  # 5 days later: within the cooldown
            _text("r4", "u3", "2026-07-11", event_id="e2", message=AGAIN.format(event="Pasta from Scratch")),  # pasta
            _text("r7", "u3", "2026-07-23", event_id="e1", message=AGAIN.format(event="Supper")),  # the same words
            _text("r5", "u4", "2026-07-11", campaign="Seat The Newcomer"),  # a host as a newcomer
            _text("r6", "u4", "2026-07-18", event_id="e1", message="Cuculi: r5"),  # e1 again, in the same words
            *[
                _text(f"c{n}", "u1", day, event_id=f"x{n}")
                for n, day in enumerate(["2026-07-16", "2026-07-23", "2026-07-30"])
            ],
        ]
    )
    dates = [dt.date(2026, 7, 4), dt.date(2026, 7, 9), dt.date(2026, 7, 11), dt.date(2026, 7, 16), dt.date(2026, 7, 18),
             dt.date(2026, 7, 23), dt.date(2026, 7, 30)]  # fmt: skip
    report = audit(records, users, events, dates, campaign_rules({}))
    assert report.violations == {
        "two_texts_on_a_date": ["r1", "r2"],
        "within_cooldown": ["r2", "r3"],  # r2 follows r1 by 0 days
        "invited_twice_to_one_event": ["r3", "r6"],
        "above_monthly_cap": ["c1", "c2"],  # r1, r2, r3, c0, c1, c2 within 30 days: the fifth and later
        "host_sent_newcomer_text": ["r5"],
        "diet_conflict": ["r4"],
        "phrasing_of_last_three_texts": ["r7"],
    }
    assert (report.repeated_texts, report.same_event_again) == (1, 2)  # r6; r3 after r2 and r6 after r5
