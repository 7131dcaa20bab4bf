"""Who may be texted and which events may be promoted on a date: every rule, its boundary and its reason."""

from __future__ import annotations

import datetime as dt

import pytest

from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.profiles.eligibility import event_exclusion_reasons, user_exclusion_reasons
from cucu_pipeline.profiles.standing import standing_as_of
from cucu_pipeline.sources.documents import EventDocument, MessageRecord, OrderDocument
from cucu_pipeline.sources.tables import normalize_documents, normalize_users
from cucu_pipeline_tests.conftest import event, member

DATE = dt.date(2024, 2, 10)


def reason_for(user: dict, messages: list[dict] = (), rules: CampaignRules | None = None, date: dt.date = DATE):
    rules = rules or CampaignRules()
    return reasons_for([user], messages, rules, date).iloc[0]


def reasons_for(users: list[dict], messages=(), rules=None, date=DATE, events=(), orders=()):
    """Each member's exclusion reason on the date, the way `qualified_users` computes it."""
    rules = rules or CampaignRules()
    users = normalize_users(users).frame
    records = normalize_documents(list(messages), MessageRecord).frame
    events = normalize_documents(list(events), EventDocument).frame
    orders = normalize_documents(list(orders), OrderDocument).frame
    standing = standing_as_of(users, records, orders, events, date, rules)
    users = users.assign(
        person_id=standing.people["person_id"].to_numpy(), last_active=standing.people["last_active"].to_numpy()
    )
    return user_exclusion_reasons(users, standing.by_person, date, rules).set_axis(users["id"])


def text(status="sent", record="rec1", **fields):
    return {"id": record, "fields": {"user_id": "u1", "status": status, **fields}}


def test_a_complete_member_with_no_recent_text_qualifies():
    assert reason_for(member("u1", "Ana", "Ruiz")) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"createdAt": None}, "missing_signup_date"),
        ({"createdAt": "2024-02-10T19:00:00Z"}, "not_signed_up_yet"),  # 11:00 Pacific, after the 10:00 reference
        ({"role": "admin"}, "team_member"),
        ({"smsOptOut": True}, "opted_out"),
        ({"interests": []}, "missing_interests"),
        ({"phone": None}, "missing_phone"),
        ({"email": None}, "missing_email"),
        ({"homeNeighborhood": ""}, "missing_home_neighborhood"),
        ({"occupation": None}, "missing_occupation"),
        ({"gender": None}, "missing_gender"),
        ({"relationshipStatus": None}, "missing_relationship_status"),
        ({"tableTypePreference": None}, "missing_table_type_preference"),
        ({"workNeighborhood": None}, "missing_work_neighborhood"),
        ({"phone": "555-0123"}, "invalid_phone"),
        ({"phone": "+44 20 7946 0958"}, "invalid_phone"),  # valid, but not a US number
    ],
)
def test_each_profile_rule_has_its_reason(changes, reason):
    assert reason_for(member("u1", "Ana", "Ruiz", **changes)) == reason


def test_the_first_failing_rule_is_the_primary_reason():
    assert reason_for(member("u1", "Ana", "Ruiz", role="ADMIN", phone=None, smsOptOut=True)) == "team_member"


def test_configured_team_members_are_excluded_by_id_or_email():
    assert reason_for(member("u1", "Ana", "Ruiz"), rules=CampaignRules(team_members=["U1"])) == "team_member"
    assert (
        reason_for(member("u1", "Ana", "Ruiz"), rules=CampaignRules(team_members=["ana.ruiz@email.com"]))
        == "team_member"
    )


@pytest.mark.parametrize(
    ("sent_on", "reason"),
    [("2024-02-04", "cooldown"), ("2024-02-03", None), ("2024-02-09", "cooldown")],
)
def test_cooldown_counts_pacific_days_since_the_last_text(sent_on, reason):
    # Default cooldown of 7 days: a text on Feb 3 allows the next one on Feb 10.
    assert reason_for(member("u1", "Ana", "Ruiz"), [text(sent_date=sent_on, created_date=sent_on)]) == reason


def test_cooldown_is_configurable_and_forever_is_the_old_rule():
    texts = [text(sent_date="2023-01-01", created_date="2023-01-01")]
    assert reason_for(member("u1", "Ana", "Ruiz"), texts) is None
    assert reason_for(member("u1", "Ana", "Ruiz"), texts, rules=CampaignRules(cooldown_days=100_000)) == "cooldown"


def test_texts_of_the_partition_itself_and_of_later_dates_never_count():
    own = text(campaign_date="2024-02-10", created_date="2024-02-10T16:00:00Z")
    later = text(record="rec2", campaign_date="2024-02-12", sent_date="2024-02-12")
    assert reason_for(member("u1", "Ana", "Ruiz"), [own, later]) is None


def test_queued_texts_block_until_sent():
    queued = text(status="queued", created_date="2023-12-01")
    assert reason_for(member("u1", "Ana", "Ruiz"), [queued]) == "pending_queued_message"
    # Sent after the reference instant: still pending as of the date.
    sent_late = text(created_date="2024-02-01", sent_date="2024-02-11T01:00:00Z")
    assert reason_for(member("u1", "Ana", "Ruiz"), [sent_late]) == "pending_queued_message"
    failed = text(status="failed", created_date="2024-02-09")
    assert reason_for(member("u1", "Ana", "Ruiz"), [failed]) is None


def test_texts_are_attributed_by_email_when_they_carry_no_member_id():
    record = {"id": "rec1", "fields": {"user_email": "ANA.RUIZ@email.com", "status": "sent", "sent_date": "2024-02-08"}}
    assert reason_for(member("u1", "Ana", "Ruiz"), [record]) == "cooldown"


def test_a_stop_reply_excludes_the_member_on_every_date_including_earlier_ones():
    stop = text(status="Opted Out", created_date="2024-03-01")
    assert reason_for(member("u1", "Ana", "Ruiz"), [stop]) == "opted_out"
    assert reason_for(member("u1", "Ana", "Ruiz"), [stop], date=dt.date(2024, 2, 1)) == "opted_out"


def event_reason(rules: CampaignRules | None = None, **changes):
    rules = rules or CampaignRules()
    events = normalize_documents([event("e1", "Supper", "2024-02-15T03:00:00Z", ["a@x.com"], **changes)], EventDocument)
    return event_exclusion_reasons(events.frame, DATE, rules).iloc[0]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        ({"startDate": None}, "missing_start_date"),
        ({"startDate": "2024-02-10T18:00:00Z"}, "already_started"),  # exactly the reference instant
        ({"startDate": "2024-02-10T18:00:01Z"}, None),
        ({"startDate": "2024-03-11T18:00:01Z"}, "beyond_horizon"),
        ({"type": "private"}, "not_public"),
        ({"eventStatus": "canceled"}, "canceled"),
        ({"maxParticipants": None}, "missing_capacity"),
        ({"maxParticipants": 1}, "full"),
        ({"maxParticipants": 2}, None),
    ],
)
def test_each_event_rule_has_its_reason(changes, reason):
    assert event_reason(**changes) == reason


def test_the_horizon_is_configurable():
    assert event_reason(CampaignRules(event_horizon_days=2), startDate="2024-02-13T03:00:00Z") == "beyond_horizon"


@pytest.mark.parametrize(("days_before", "reason"), [(6, "cooldown"), (7, None)])
def test_a_held_out_member_is_under_the_cooldown_like_a_texted_one_and_not_pending(days_before, reason):
    day = (DATE - dt.timedelta(days=days_before)).isoformat()
    holdout = text("holdout", campaign_date=day, message_key=f"{day}:u1", arm="holdout")
    assert reason_for(member("u1", "Ana", "Ruiz"), [holdout]) == reason
