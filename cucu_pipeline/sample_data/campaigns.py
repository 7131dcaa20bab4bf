"""Past campaigns with a known truth: arms, holdout records, texts the team sent, and the bookings that followed
(docs/configuration.md: "Sample data").

Every simulated date assigns `MEMBERS_PER_DAY` members, each matched to an upcoming event under one campaign, to the
default experiment's arms with the pipeline's own assignment. The team sends `SENT_SHARE` of the variants' texts. A
member books the invited event within the attribution window with probability `ORGANIC[campaign]`, plus
`UPLIFT[campaign][arm]` when the text was sent, and books some other event with probability `OTHER_BOOKING`
whatever the arm. So the true lift by assignment of an arm in a campaign is `SENT_SHARE × UPLIFT[campaign][arm]`.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right

import pandas as pd
from bson import ObjectId

from cucu_pipeline.core.dates import reference_instant, utc_iso
from cucu_pipeline.experiments.arms import DEFAULT_EXPERIMENT, HOLDOUT, assign_arms, parse_experiment
from cucu_pipeline.sample_data.vocabulary import CAMPAIGNS

SIMULATED_FROM = dt.date(2025, 10, 1)
SIMULATED_UNTIL = dt.date(2027, 12, 1)
MEMBERS_PER_DAY = 16
MEMBERS_PER_CAMPAIGN_SLOT = 50  # small exports assign at most one member in 50 a day, so the cooldown leaves room
SEND_HOUR = 10  # the default reference hour: the simulated texts go out that morning
WINDOW = dt.timedelta(days=7)  # the default attribution window
SENT_SHARE = 0.92
OPT_OUT_SHARE = 0.004
OTHER_BOOKING = 0.05
ORGANIC = {"Seat The Newcomer": 0.02, "Fill the Table": 0.03, "Return to Table": 0.04}
UPLIFT = {
    "Seat The Newcomer": {"warm": 0.06, "playful": 0.08},
    "Fill the Table": {"warm": 0.08, "playful": 0.12},
    "Return to Table": {"warm": 0.10, "playful": 0.14},
}
SEGMENTS = ("first_timer", "active_regular", "dormant", "churned", "new_app_user", "new_online_signup")
EXPERIMENT = parse_experiment(DEFAULT_EXPERIMENT, holdout_percent=10)


def true_lift(outcomes: pd.DataFrame, arm: str) -> float:
    """The lift by assignment the simulation built into `arm` (invited-event bookings), for the campaign mix of the
    arm's members in `outcomes`."""
    members = outcomes[outcomes["arm"] == arm]
    return float(SENT_SHARE * members["campaign"].map(lambda campaign: UPLIFT[campaign][arm]).mean())


def _booking(rng: random.Random, member: dict, event: dict, opens: dt.datetime) -> dict:
    """A paid order placed within the window and before the event, early rather than late, as replies to a text are."""
    closes = min(opens + WINDOW, dt.datetime.fromisoformat(event["startDate"]) - dt.timedelta(hours=1))
    placed = opens + (closes - opens) * max(rng.random() ** 2, 1e-6)
    return {
        "_id": ObjectId(bytes(rng.getrandbits(8) for _ in range(12))),
        "user_id": member["id"],
        "event_id": event["id"],
        "amount": rng.choice((35, 45, 65, 85, 120)),
        "date": placed,
        "status": "paid",
    }


def _record(member: dict, event: dict, campaign: str, arm: str, day: dt.date, opens: dt.datetime) -> dict:
    return {
        "message_key": f"{day.isoformat()}:{member['id']}",
        "campaign_date": day.isoformat(),
        "user_id": member["id"],
        "user_name": f"{member['firstName']} {member['lastName']}",
        "user_email": member["email"],
        "event_id": event["id"],
        "event_name": event["name"],
        "event_date": event["startDate"],
        "campaign": campaign,
        "experiment": EXPERIMENT.name,
        "arm": arm,
        "created_date": utc_iso(opens),
    }


def _outcome(rng: random.Random, record: dict, member: dict, event: dict, others: list[dict], opens: dt.datetime):
    """The record's status and the orders that followed it."""
    campaign, arm = record["campaign"], record["arm"]
    sent = arm != HOLDOUT and rng.random() < SENT_SHARE
    if arm == HOLDOUT:
        record["status"] = HOLDOUT
    elif sent:
        record["status"] = "opted_out" if rng.random() < OPT_OUT_SHARE else "sent"
        record["sent_date"] = utc_iso(opens + dt.timedelta(minutes=rng.randint(5, 90)))
        record |= {
            "message": f"Cuculi: {member['firstName']}, a seat at {event['name']} is yours. Reply STOP to opt out"
        }
        record |= {"segments": 1, "writing_cost_usd": 0.0048}
    else:
        record["status"] = "skipped"
    orders = []
    if rng.random() < ORGANIC[campaign] + (UPLIFT[campaign][arm] if sent else 0.0):
        orders.append(_booking(rng, member, event, opens))
    if rng.random() < OTHER_BOOKING:
        orders.append(_booking(rng, member, rng.choice(others), opens))
    return orders


def _promotable(event: dict) -> bool:
    """A public, approved event with a readable start (the broken sample records are left out)."""
    try:
        dt.datetime.fromisoformat(event["startDate"])
    except (KeyError, TypeError, ValueError):
        return False
    return bool(event.get("id")) and event["type"] == "public" and event["eventStatus"] == "approved"


def simulate_campaigns(seed: int, users: list[dict], events: list[dict]) -> tuple[list[dict], list[dict]]:
    """Airtable records and paid orders of the simulated campaign dates."""
    rng = random.Random(seed)
    members = sorted(
        (
            user
            for user in users
            if isinstance(user, dict)
            and user.get("id")
            and not user.get("smsOptOut")
            and isinstance(user.get("createdAt"), dt.datetime)
        ),
        key=lambda user: user["createdAt"],
    )
    signups = [user["createdAt"] for user in members]
    upcoming = sorted(filter(_promotable, events), key=lambda event: event["startDate"])
    starts = [dt.datetime.fromisoformat(event["startDate"]) for event in upcoming]
    records, orders = [], []
    for offset in range((SIMULATED_UNTIL - SIMULATED_FROM).days + 1):
        day = SIMULATED_FROM + dt.timedelta(days=offset)
        opens = reference_instant(day, SEND_HOUR).to_pydatetime()
        # The members signed up by then are a prefix of `members`: sampling their positions draws the same members
        # as sampling a copy of the prefix, without a copy a day (quadratic at a million members).
        available = bisect_right(signups, opens)
        soon = upcoming[bisect_right(starts, opens + dt.timedelta(days=2)) : bisect_right(starts, opens + 4 * WINDOW)]
        if not soon:  # small test exports have days with nothing to promote
            continue
        picked = rng.sample(range(available), min(MEMBERS_PER_DAY, available // MEMBERS_PER_CAMPAIGN_SLOT))
        chosen = [members[position] for position in picked]
        matches = [(member, rng.choice(soon), rng.choice(CAMPAIGNS)) for member in chosen]
        frame = pd.DataFrame({"user_id": [m["id"] for m, _, _ in matches], "campaign": [c for _, _, c in matches]})
        for (member, event, campaign), arm in zip(matches, assign_arms(frame, EXPERIMENT, day)):
            record = _record(member, event, campaign, arm, day, opens) | {"user_segment": rng.choice(SEGMENTS)}
            orders.extend(_outcome(rng, record, member, event, soon, opens))
            records.append(record)
    return records, orders
