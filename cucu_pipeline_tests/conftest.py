"""Shared fixtures: a hand-checked small world (Sarah's worked example, in MongoDB shape) and a
private copy of the bundled sample exports for asset runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.defs import resources
from cucu_pipeline.sources.documents import EventDocument, MessageRecord, OrderDocument
from cucu_pipeline.sources.tables import normalize_documents, normalize_users

REPO = Path(__file__).resolve().parents[1]
SAMPLE_RAW = REPO / "data" / "raw"
SARAH_DATE = dt.date(2024, 2, 10)
# What the reliability tests measured (faults injected, runs survived, records lost, duplicates, bad documents
# tried): printed after every test run, and quoted in docs/reliability.md.
RELIABILITY: Counter[str] = Counter()


class WorkerFigures:
    """Under pytest-xdist each worker counts its own tests' figures and hands them to the controller, which prints
    their sum (https://pytest-xdist.readthedocs.io/en/stable/how-to.html#creating-one-session-fixture)."""

    def pytest_testnodedown(self, node, error) -> None:
        RELIABILITY.update(node.workeroutput.get("reliability", {}))


# The tests replay sample dates from 2024 to 2026 as each was lived, publishing on its own morning: with the
# production clock (`now`) every one of them would be a backfill that queues nothing. The tests of backfills set
# `CUCU_SEND_CLOCK=now` themselves (cucu_pipeline_tests/defs/test_backfill_queue.py).
REPLAYED = "campaign_date"


def pytest_configure(config) -> None:
    if config.pluginmanager.hasplugin("xdist"):  # the xdist hook exists only with the plugin
        config.pluginmanager.register(WorkerFigures())
    resources.DEFAULT_SEND_CLOCK = REPLAYED  # in this process, for environments a test builds without the setting
    os.environ.setdefault("CUCU_SEND_CLOCK", REPLAYED)  # and in the CLI runs and daemons the tests start


def pytest_sessionfinish(session) -> None:
    if hasattr(session.config, "workeroutput"):  # an xdist worker
        session.config.workeroutput["reliability"] = dict(RELIABILITY)


def pytest_terminal_summary(terminalreporter) -> None:
    if RELIABILITY:
        terminalreporter.write_line(
            "reliability: " + ", ".join(f"{name} {count}" for name, count in RELIABILITY.items())
        )


def reconfigured(resource: dg.ConfigurableResource, **changes) -> dg.ConfigurableResource:
    """The resource with some fields changed. Pydantic's `model_copy` would not do: Dagster builds the run's resource
    from the configuration the object was created with."""
    return type(resource)(**{**resource._get_non_default_public_field_values(), **changes})


def production_environment(monkeypatch, data_dir: Path, claude_url: str, airtable_url: str) -> dict[str, str]:
    """Both production clients pointed at the fakes. The variables are set in the process environment too: secrets
    reach the resources only through it (`dg.EnvVar`)."""
    environ = {
        "CUCU_DATA_DIR": str(data_dir),
        "ANTHROPIC_API_KEY": "sk-test",
        "ANTHROPIC_BASE_URL": claude_url,
        "AIRTABLE_API_KEY": "patTEST",
        "AIRTABLE_BASE_ID": "appB",
        "AIRTABLE_TABLE": "Messages",
        "AIRTABLE_ENDPOINT_URL": airtable_url,
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ


def _digits(id_: str) -> tuple[str, str, str]:
    number = f"{int(hashlib.md5(id_.encode()).hexdigest(), 16) % 10**6:06d}"
    return number[0], number[1], f"{int(number[2:]) % 10000:04d}"


def member(id_: str, first: str, last: str, **fields) -> dict:
    document = {
        "_id": {"$oid": hashlib.md5(id_.encode()).hexdigest()[:24]},
        "id": id_,
        "firstName": first,
        "lastName": last,
        "email": f"{first}.{last}@email.com".lower(),
        # One phone per member: records sharing a phone are one person (docs/people.md: "People").
        "phone": "(415) 2{}{}-{}".format(*_digits(id_)),
        "interests": ["cooking"],
        "homeNeighborhood": "Mission District",
        "workNeighborhood": "SOMA",
        "occupation": "Designer",
        "gender": "Female",
        "relationshipStatus": "Single",
        "tableTypePreference": "communal",
        "birthDay": "1990-01-01T00:00:00.000Z",
        "createdAt": "2023-01-01T00:00:00.000Z",
        "role": "REGULAR",
    }
    document.update(fields)
    return document


def event(id_: str, name: str, start: str, participants: list[str], **fields) -> dict:
    document = {
        "id": id_,
        "name": name,
        "startDate": start,
        "endDate": None,
        "type": "public",
        "eventStatus": "approved",
        "maxParticipants": 10,
        "participants": participants,
        "invitedParticipants": [],
        "ownerId": "host_mario",
        "venueName": "The Vault",
        "neighborhood": "Financial District",
        "categories": ["Dinner"],
        "features": [],
        "description": "<p>Dinner</p>",
    }
    document.update(fields)
    return document


SARAH = "sarah.chen@email.com"
MIKE = "mike.jones@email.com"
JENNY = "jenny.kim@email.com"
ALEX = "alex.wong@email.com"


def sarah_documents() -> dict[str, list]:
    """Sarah's worked example (checked by hand), as MongoDB documents and Airtable records.

    Campaign date 2024-02-10. Events start in the Pacific evening (03:00Z the next UTC day); one future event and
    one later order and message must never leak into history.
    """
    users = [
        member(
            "user_001",
            "Sarah",
            "Chen",
            phone="+1 415-555-0123",
            interests=["hiking", "photography", "cooking"],
            preferredCuisines=["Italian", "Thai", "Japanese"],
            allergies=["vegetarian"],
            occupation="Software Engineer",
            birthDay={"$date": "1991-06-15T00:00:00Z"},
            createdAt={"$date": "2023-11-01T18:00:00Z"},
        ),
        member("user_002", "Mike", "Jones"),
        member("user_003", "Jenny", "Kim"),
        member("user_004", "Alex", "Wong"),
        member("host_mario", "Chef", "Mario", role="HOST"),
        member("host_ploy", "Chef", "Ploy", role="HOST"),
    ]
    events = [
        event(
            "event_001",
            "Italian Wine Tasting",
            "2024-01-16T03:00:00.000Z",
            [SARAH, MIKE, JENNY],
            categories=["Tasting", "Wine"],
        ),
        event(
            "event_002",
            "Thai Cooking Class",
            "2024-01-23T03:00:00.000Z",
            [SARAH.upper(), MIKE],
            ownerId="host_ploy",
            venueName="Culinary Studio",
            categories=["Cooking Class"],
        ),
        event("event_003", "Farm to Table Dinner", "2024-02-06T03:00:00.000Z", [SARAH, JENNY, ALEX]),
        # After the reference instant: a booking Sarah made, and an invitation.
        event(
            "event_004",
            "Dumpling Workshop",
            "2024-02-15T03:00:00.000Z",
            [SARAH, MIKE, JENNY],
            invitedParticipants=[SARAH],
        ),
        event("event_005", "Canceled Supper", "2024-01-30T03:00:00.000Z", [SARAH, MIKE], eventStatus="canceled"),
    ]
    orders = [
        {
            "id": "order_001",
            "user_id": "user_001",
            "event_id": "event_001",
            "amount": 75.0,
            "date": "2024-01-10",
            "status": "paid",
        },
        {
            "id": "order_002",
            "user_id": "user_001",
            "event_id": "event_002",
            "amount": 85.0,
            "date": "2024-01-18",
            "status": "paid",
        },
        {
            "id": "order_003",
            "user_id": "user_001",
            "event_id": "event_003",
            "amount": 60.0,
            "date": "2024-01-30",
            "status": "refunded",
        },
        {
            "id": "order_004",
            "user_id": "user_001",
            "event_id": "event_004",
            "amount": 90.0,
            "date": "2024-02-11",
            "status": "paid",
        },
    ]
    messages = [
        {
            "id": "rec001",
            "createdTime": "2024-01-24T20:00:00.000Z",
            "fields": {
                "user_id": "user_001",
                "status": "sent",
                "sent_date": "2024-01-25",
                "created_date": "2024-01-24",
            },
        },
        {
            "id": "rec002",
            "createdTime": "2024-02-10T08:00:00.000Z",
            "fields": {"user_id": "user_001", "status": "queued", "created_date": "2024-02-10"},
        },
        {
            "id": "rec003",
            "createdTime": "2024-02-12T17:00:00.000Z",
            "fields": {
                "user_id": "user_001",
                "status": "sent",
                "campaign_date": "2024-02-12",
                "sent_date": "2024-02-12",
            },
        },
    ]
    return {"users": users, "events": events, "orders": orders, "messages": messages}


def tables(documents: dict[str, list]) -> dict[str, pd.DataFrame]:
    return {
        "users": normalize_users(documents["users"]).frame,
        "events": normalize_documents(documents["events"], EventDocument).frame,
        "orders": normalize_documents(documents["orders"], OrderDocument).frame,
        "messages": normalize_documents(documents["messages"], MessageRecord).frame,
    }


@pytest.fixture
def rules() -> CampaignRules:
    return CampaignRules()


@pytest.fixture
def sarah_world() -> dict[str, pd.DataFrame]:
    return tables(sarah_documents())


@pytest.fixture
def sample_data_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled exports: runs may create `airtable.sqlite` beside them."""
    shutil.copytree(SAMPLE_RAW, tmp_path / "raw")
    return tmp_path


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home
