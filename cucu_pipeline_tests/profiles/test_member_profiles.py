"""Enriched member profiles: the Sarah golden case field by field, point-in-time, and the status rules."""

from __future__ import annotations

import pandas as pd
import pytest

from cucu_pipeline.campaign.matching.campaigns import member_campaigns
from cucu_pipeline.core import parallel
from cucu_pipeline.profiles.eligibility import event_exclusion_reasons, is_canceled, user_exclusion_reasons
from cucu_pipeline.profiles.member_profiles import enrich_users
from cucu_pipeline.profiles.standing import standing_as_of
from cucu_pipeline_tests.conftest import SARAH_DATE, event, sarah_documents, tables

PROFILE_FIELDS = """id name first_name email phone interests cuisine_preferences dietary_restrictions
table_type_preference relationship_status occupation gender home_neighborhood work_neighborhood role age person_id
event_count last_event_date days_since_last_event days_since_signup historical_event_names event_history
venue_history event_hosts events_hosted hosted_event_names favorite_event_types average_events_per_month
invited_event_names friends
total_orders total_spend last_order_date has_queued_messages queued_message_count has_sent_messages
total_messages_sent last_message_sent_date days_since_last_message can_send_new_message is_new_user
has_never_attended_events hasnt_attended_in_60_days signed_up_online recently_attended_last_week is_on_team
primary_status engagement_tier user_segment personalization_score has_enough_fields_to_personalize
should_request_more_details summary""".split()


def enrich(world, rules, date=SARAH_DATE, members=None):
    users = world["users"]
    members = users if members is None else members
    qualified_events = world["events"][event_exclusion_reasons(world["events"], date, rules).isna()]
    standing = standing_as_of(users, world["messages"], world["orders"], world["events"], date, rules)
    return enrich_users(
        members,
        users,
        world["events"],
        world["orders"],
        standing.people,
        standing.by_person,
        qualified_events,
        date,
        rules,
    ).set_index("id", drop=False)


@pytest.fixture
def sarah(sarah_world, rules) -> pd.Series:
    return enrich(sarah_world, rules).loc["user_001"]


def test_every_spec_field_is_present(sarah_world, rules):
    assert set(PROFILE_FIELDS) <= set(enrich(sarah_world, rules).columns)


def test_sarah_identity_and_profile(sarah):
    assert sarah["name"] == "Sarah Chen" and sarah["first_name"] == "Sarah"
    assert sarah["email"] == "sarah.chen@email.com"
    assert sarah["phone"] == "+14155550123"
    assert sarah["interests"] == ["hiking", "photography", "cooking"]
    assert sarah["cuisine_preferences"] == ["Italian", "Thai", "Japanese"]
    assert sarah["dietary_restrictions"] == ["vegetarian"]
    assert sarah["age"] == 32  # born 1991-06-15, not yet 33 on 2024-02-10
    assert sarah["home_neighborhood"] == "Mission District" and sarah["work_neighborhood"] == "SOMA"


def test_sarah_event_history_is_point_in_time(sarah):
    # The Feb 15 booking and the canceled supper are not history; the Feb 5 evening event is 5 Pacific days back.
    assert sarah["event_count"] == 3
    assert sarah["last_event_date"] == pd.Timestamp("2024-02-06T03:00:00Z")
    assert sarah["days_since_last_event"] == 5
    assert sarah["days_since_signup"] == 101  # 2023-11-01 10:00 Pacific
    assert sarah["historical_event_names"] == ["Farm to Table Dinner", "Thai Cooking Class", "Italian Wine Tasting"]
    assert [(item["id"], item["name"], item["date"], item["venue"]) for item in sarah["event_history"]] == [
        ("event_003", "Farm to Table Dinner", "2024-02-05", "The Vault"),
        ("event_002", "Thai Cooking Class", "2024-01-22", "Culinary Studio"),
        ("event_001", "Italian Wine Tasting", "2024-01-15", "The Vault"),
    ]
    # What a text may say of each: who hosted it and its kind (docs/assets.md: "Profile rules").
    assert sarah["event_history"][0]["host"] == "Chef Mario" and list(sarah["event_history"][0]["categories"]) == [
        "Dinner"
    ]
    assert sarah["venue_history"] == ["The Vault", "Culinary Studio"]
    assert sarah["event_hosts"] == ["Chef Mario", "Chef Ploy"]
    assert sarah["favorite_event_types"] == ["Cooking Class", "Dinner", "Tasting"]  # one each: alphabetical
    assert sarah["friends"] == ["Jenny Kim (2)", "Mike Jones (2)"]  # Alex shared one event only
    assert sarah["invited_event_names"] == ["Dumpling Workshop"]
    assert sarah["average_events_per_month"] == pytest.approx(3 / (101 / 30.44), abs=0.01)


def test_a_paid_order_for_a_past_event_counts_as_having_been_there(rules):
    """Listed or not, a member who paid for an event that has started was there; an unpaid order is no seat."""
    documents = sarah_documents()
    documents["events"].append(event("event_009", "Ethiopian Feast", "2024-01-05T03:00:00Z", []))
    documents["orders"] += [
        {"id": "order_paid", "user_id": "user_001", "event_id": "event_009", "amount": 50.0, "date": "2024-01-02",
         "status": "paid"},
        {"id": "order_open", "user_id": "user_002", "event_id": "event_009", "amount": 50.0, "date": "2024-01-02",
         "status": "pending"},
    ]  # fmt: skip
    profiles = enrich(tables(documents), rules)
    assert profiles.loc["user_001", "event_count"] == 4
    assert profiles.loc["user_001", "historical_event_names"][-1] == "Ethiopian Feast"
    assert "Ethiopian Feast" not in list(profiles.loc["user_002", "historical_event_names"])


def test_sarah_orders_count_paid_orders_before_the_date_only(sarah):
    assert sarah["total_orders"] == 2
    assert sarah["total_spend"] == 160.0
    assert sarah["last_order_date"] == pd.Timestamp("2024-01-18T08:00:00Z")


def test_sarah_messages_ignore_later_texts(sarah):
    assert sarah["has_queued_messages"] and sarah["queued_message_count"] == 1
    assert sarah["has_sent_messages"] and sarah["total_messages_sent"] == 1  # the Feb 12 text is the future
    assert sarah["last_message_sent_date"] == "2024-01-25"
    assert sarah["days_since_last_message"] == 16
    # The qualification rules win over the worked example: a text still pending means no new one.
    assert not sarah["can_send_new_message"]


def test_sarah_statuses_and_score(sarah):
    assert not sarah["is_new_user"] and not sarah["has_never_attended_events"]
    assert sarah["hasnt_attended_in_60_days"] is False or not sarah["hasnt_attended_in_60_days"]
    assert sarah["recently_attended_last_week"]
    assert not sarah["signed_up_online"] and not sarah["is_on_team"]
    assert sarah["primary_status"] == "active_recent"
    assert sarah["engagement_tier"] == "high"
    assert sarah["user_segment"] == "active_regular"
    assert sarah["personalization_score"] == 100
    assert sarah["has_enough_fields_to_personalize"] and not sarah["should_request_more_details"]


def test_sarah_summary_reads_like_a_brief_and_holds_no_contact_details(sarah):
    summary = sarah["summary"]
    for fact in (
        "Sarah",
        "32-year-old",
        "Software Engineer",
        "Mission District",
        "vegetarian",
        "3 events",
        "Farm to Table Dinner",
        "5 days ago",
        "Has met 2 hosts",
        "2 regular friends",
        "Dumpling Workshop",
    ):
        assert fact in summary
    assert "@" not in summary and "555" not in summary and "415" not in summary
    # Other members (hosts met, friends) are counted, never named: the summary goes to Claude and to the reviewers.
    assert "Chef Mario" not in summary and "Jenny" not in summary and "Mike" not in summary


def test_sarah_is_not_qualified_while_a_text_is_pending(sarah_world, rules):
    users, messages, orders = sarah_world["users"], sarah_world["messages"], sarah_world["orders"]
    standing = standing_as_of(users, messages, orders, sarah_world["events"], SARAH_DATE, rules)
    users = users.assign(person_id=standing.people["person_id"].to_numpy(), last_active=users["created_at"])
    reasons = user_exclusion_reasons(users, standing.by_person, SARAH_DATE, rules)
    assert reasons[users["id"] == "user_001"].item() == "pending_queued_message"


def test_history_before_any_event_is_empty(sarah_world, rules):
    early = enrich(sarah_world, rules, date=pd.Timestamp("2024-01-01").date()).loc["user_001"]
    assert early["event_count"] == 0 and early["friends"] == [] and early["total_orders"] == 0
    assert early["primary_status"] == "never_attended" and early["user_segment"] == "first_timer"
    assert pd.isna(early["days_since_last_event"]) and pd.isna(early["hasnt_attended_in_60_days"])
    assert not early["has_sent_messages"]


@pytest.mark.parametrize(
    ("role", "created", "date", "status", "segment"),
    [
        ("POTENTIAL", "2024-02-01T18:00:00Z", "2024-02-10", "new_user", "new_online_signup"),
        ("POTENTIAL", "2023-01-01T18:00:00Z", "2024-02-10", "signed_up_online", "first_timer"),
        ("REGULAR", "2023-01-01T18:00:00Z", "2024-02-10", "never_attended", "first_timer"),
    ],
)
def test_members_without_history(role, created, date, status, segment, rules):
    documents = sarah_documents()
    documents["users"].append(
        {
            **documents["users"][1],
            "id": "user_new",
            "_id": None,
            "email": "new@x.com",
            "role": role,
            "createdAt": created,
        }
    )
    profile = enrich(tables(documents), rules, date=pd.Timestamp(date).date()).loc["user_new"]
    assert (profile["primary_status"], profile["user_segment"]) == (status, segment)
    assert profile["has_never_attended_events"] and profile["engagement_tier"] == "low"


def test_dormant_and_churned_members(sarah_world, rules):
    later = enrich(sarah_world, rules, date=pd.Timestamp("2024-05-01").date()).loc["user_001"]
    # By May the Feb 14 (Pacific) workshop is history too: 77 Pacific days before May 1.
    assert later["event_count"] == 4 and later["days_since_last_event"] == 77
    assert later["primary_status"] == "dormant_60_days" and later["user_segment"] == "dormant"
    assert later["hasnt_attended_in_60_days"] and later["engagement_tier"] == "medium"
    much_later = enrich(sarah_world, rules, date=pd.Timestamp("2024-09-01").date()).loc["user_001"]
    assert much_later["user_segment"] == "churned" and much_later["engagement_tier"] == "low"


def test_a_host_counts_what_they_hosted_and_is_never_a_newcomer(sarah_world, rules):
    profiles = enrich(sarah_world, rules)
    events = sarah_world["events"]
    past = events[(events["start_date"] < rules.reference_instant(SARAH_DATE)) & ~is_canceled(events)]
    hosted = past.groupby("owner_id").size()
    for host in ("host_mario", "host_ploy"):
        profile = profiles.loc[host]
        assert profile["events_hosted"] == hosted.get(host, 0) > 0 and profile["event_count"] == 0
        assert len(profile["hosted_event_names"]) == profile["events_hosted"]
        assert f"has hosted {profile['events_hosted']} event" in profile["summary"]
        assert profile["primary_status"] != "never_attended" and profile["user_segment"] != "first_timer"
    assert member_campaigns(profiles.loc[["host_mario", "host_ploy"]]).isna().all()  # Fill the Table only
    assert member_campaigns(profiles.loc[["user_004"]]).tolist() == ["Seat The Newcomer"]


def test_summaries_written_on_every_core_are_the_summaries_written_here(sarah_world, rules, monkeypatch):
    """At scale the summaries are shared among forked children (`core.parallel`); forced here, each member keeps
    their own summary, in order."""
    alone = enrich(sarah_world, rules)
    monkeypatch.setattr(parallel, "MIN_SHARE", 1)
    monkeypatch.setattr(parallel, "usable_cores", lambda: 3)
    shared = enrich(sarah_world, rules)
    assert alone["summary"].nunique() == len(alone) > 3
    pd.testing.assert_series_equal(alone["summary"], shared["summary"])
