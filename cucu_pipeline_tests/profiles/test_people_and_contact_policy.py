"""A member record is not a person: one text per person, and a contact policy that backs off (docs/people.md: "People",
"The contact policy")."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.profiles.people import People, person_ids
from cucu_pipeline.sources.tables import normalize_users
from cucu_pipeline_tests.conftest import event, member
from cucu_pipeline_tests.profiles.test_eligibility import reasons_for

DATE = dt.date(2024, 2, 10)


def test_records_sharing_a_phone_written_two_ways_or_an_email_are_one_person_transitively():
    users = normalize_users(
        [
            member("u3", "Ana", "Ruiz", phone="+1 415-555-0101", email="ana@home.example"),
            member("u1", "Ana", "Ruiz", phone="(415) 555 0101", email="ana@work.example"),
            member("u7", "Ana", "R", phone="(415) 555-0177", email=" ANA@work.example "),  # joined through u1's email
            member("u2", "Bo", "Li"),
        ]
    ).frame
    assert person_ids(users).tolist() == ["u1", "u1", "u1", "u2"]


def test_gmail_addresses_that_reach_one_mailbox_are_one_person_and_other_providers_keep_their_dots():
    users = normalize_users(
        [
            member("u1", "Jane", "Doe", email="jane.doe+cuculi@gmail.com"),
            member("u2", "Jane", "Doe", email="JaneDoe@gmail.com"),
            member("u3", "Jane", "Doe", email="j.a.n.e.d.o.e@googlemail.com"),
            member("u4", "Jo", "Lee", email="jo.lee@example.com"),
            member("u5", "Jo", "Lee", email="jolee@example.com"),  # dots matter outside Gmail
            member("u6", "Jo", "Lee", email="jo.lee+news@example.com"),  # and so may a tag
        ]
    ).frame
    assert person_ids(users).tolist() == ["u1", "u1", "u1", "u4", "u5", "u6"]
    messages = pd.DataFrame({"user_id": [None], "user_email": ["Jane.Doe+texts@Gmail.com "], "user_phone": [None]})
    assert People.of(users).of_records(messages).tolist() == ["u1"]


def test_a_person_with_two_records_gets_one_text_from_the_most_recently_active_record():
    old = member("u1", "Ana", "Ruiz", phone="+1 415-555-0101", createdAt="2023-01-01T00:00:00Z")
    new = member("u2", "Ana", "Ruiz", phone="(415) 555 0101", email="ana@new.example", createdAt="2023-05-01T00:00:00Z")
    assert reasons_for([old, new]).to_dict() == {"u1": "duplicate_person", "u2": None}
    # Attending an event since makes the older record the more recently active one.
    dinner = event("e1", "Supper", "2024-01-20T03:00:00Z", [old["email"]])
    assert reasons_for([old, new], events=[dinner]).to_dict() == {"u1": None, "u2": "duplicate_person"}


def test_a_duplicate_that_fails_a_rule_of_its_own_leaves_the_other_record_to_be_texted():
    broken = member("u1", "Ana", "Ruiz", phone="+1 415-555-0101", occupation=None, createdAt="2023-09-01T00:00:00Z")
    whole = member("u2", "Ana", "Ruiz", phone="(415) 555 0101", email="ana@new.example")
    assert reasons_for([broken, whole]).to_dict() == {"u1": "missing_occupation", "u2": None}


def test_the_cooldown_and_pending_texts_of_one_record_hold_every_record_of_the_person():
    one = member("u1", "Ana", "Ruiz", phone="+1 415-555-0101")
    two = member("u2", "Ana", "Ruiz", phone="(415) 555 0101", email="ana@new.example")
    sent = _text("u1", "2024-02-07")
    assert reasons_for([one, two], [sent]).to_dict() == {"u1": "cooldown", "u2": "cooldown"}
    queued = {"id": "q", "fields": {"user_email": "ana@new.example", "status": "queued", "created_date": "2024-02-08"}}
    assert set(reasons_for([one, two], [queued]).to_dict().values()) == {"pending_queued_message"}


def _text(user: str, day: str, record: str | None = None, event_id: str = "e1") -> dict:
    fields = {"user_id": user, "status": "sent", "sent_date": f"{day}T18:00:00Z", "created_date": f"{day}T17:00:00Z"}
    return {"id": record or f"rec{user}{day}", "fields": {**fields, "event_id": event_id}}


def _order(user: str, day: str) -> dict:
    return {
        "id": f"o{day}",
        "user_id": user,
        "event_id": "e9",
        "amount": 40,
        "date": f"{day}T20:00:00Z",
        "status": "paid",
    }


@pytest.mark.parametrize(
    ("sent_on", "days_since_last", "reason"),
    [
        # One unanswered text: the base cooldown of 7 days.
        (["2024-02-03"], 7, None),
        # Two in a row: 14 days after the second.
        (["2024-01-20", "2024-01-27"], 14, None),
        (["2024-01-20", "2024-01-28"], 13, "fatigue_backoff"),
        (["2024-01-20", "2024-01-28"], 13, "fatigue_backoff"),
        # Three in a row: 28 days; four: 56, the cap, which five do not exceed.
        (["2023-11-20", "2023-12-01", "2024-01-13"], 28, None),
        (["2023-11-20", "2023-12-01", "2024-01-14"], 27, "fatigue_backoff"),
        (["2023-09-01", "2023-10-01", "2023-11-01", "2023-12-16"], 56, None),
        (["2023-08-01", "2023-09-01", "2023-10-01", "2023-11-01", "2023-12-17"], 55, "fatigue_backoff"),
        (["2023-08-01", "2023-09-01", "2023-10-01", "2023-11-01", "2023-12-16"], 56, None),
    ],
)
def test_each_unanswered_text_in_a_row_doubles_the_next_cooldown_up_to_56_days(sent_on, days_since_last, reason):
    assert (DATE - dt.date.fromisoformat(sent_on[-1])).days == days_since_last
    texts = [_text("u1", day) for day in sent_on]
    assert reasons_for([member("u1", "Ana", "Ruiz")], texts).iloc[0] == reason


def test_a_booking_within_the_window_resets_the_backoff_and_one_after_it_does_not():
    texts = [_text("u1", day) for day in ("2023-12-01", "2024-01-06", "2024-01-27")]
    ana = member("u1", "Ana", "Ruiz")
    assert reasons_for([ana], texts).iloc[0] == "fatigue_backoff"  # three unanswered: 28 days
    # A booking two days after the last text: back to the base cooldown (14 days ago > 7).
    assert reasons_for([ana], texts, orders=[_order("u1", "2024-01-29")]).iloc[0] is None
    # A booking after the window of the last text closed (and before the reference) does not answer it.
    assert reasons_for([ana], texts, orders=[_order("u1", "2024-02-05")]).iloc[0] == "fatigue_backoff"


def test_the_backoff_is_configurable_and_off_with_a_factor_of_one():
    texts = [_text("u1", day) for day in ("2024-01-20", "2024-01-28")]
    off = CampaignRules(backoff_factor=1)
    assert reasons_for([member("u1", "Ana", "Ruiz")], texts, rules=off).iloc[0] is None


def test_at_most_four_texts_in_thirty_days_whatever_the_cooldown():
    rules = CampaignRules(backoff_factor=1, cooldown_days=1)
    texts = [_text("u1", day) for day in ("2024-01-12", "2024-01-20", "2024-01-28", "2024-02-05")]
    assert reasons_for([member("u1", "Ana", "Ruiz")], texts, rules=rules).iloc[0] == "monthly_cap"
    # The first of them 30 days back falls out of the window.
    texts[0] = _text("u1", "2024-01-11")
    assert reasons_for([member("u1", "Ana", "Ruiz")], texts, rules=rules).iloc[0] is None
    assert (
        reasons_for(
            [member("u1", "Ana", "Ruiz")], texts, rules=rules.model_copy(update={"max_texts_per_window": 3})
        ).iloc[0]
        == "monthly_cap"
    )


def test_holdouts_count_like_texts_for_the_backoff_and_the_cap():
    held = [
        {"id": f"h{day}", "fields": {"user_id": "u1", "status": "holdout", "campaign_date": day}}
        for day in ("2024-01-20", "2024-01-28")
    ]
    assert reasons_for([member("u1", "Ana", "Ruiz")], held).iloc[0] == "fatigue_backoff"
