"""A deterministic generator of realistic San Francisco sample exports (members, events, orders, texts).

The data spans several years around today so that every campaign date in the window has history, upcoming events,
new, regular, dormant and churned members, recent texts (cooldowns), pending texts and opt-outs. A few records are
deliberately broken, as real exports are, to exercise the rejection counts.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right

from bson import ObjectId

from cucu_pipeline.core.dates import PACIFIC, utc_iso
from cucu_pipeline.sample_data.campaigns import simulate_campaigns
from cucu_pipeline.sample_data.vocabulary import (
    ALLERGIES,
    AREA_CODES,
    BLANKABLE_FIELDS,
    CAMPAIGNS,
    CUISINES,
    DESCRIPTIONS,
    EMAIL_DOMAINS,
    EVENT_KINDS,
    FIRST_NAMES,
    GENDERS,
    INTERESTS,
    LAST_NAMES,
    NEIGHBORHOODS,
    OCCUPATIONS,
    RELATIONSHIPS,
    START_TIMES,
    TABLE_TYPES,
    UTC,
    VENUES,
    WINDOW_END,
    WINDOW_START,
)


def _iso(instant: dt.datetime) -> str:
    return utc_iso(instant, timespec="milliseconds")


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _phone(rng: random.Random) -> str:
    digits = (
        f"{rng.choice(AREA_CODES)}{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}{rng.randint(0, 9999):04d}"
    )
    return rng.choice(
        (
            f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"+1{digits}",
            f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
            digits,
        )
    )


def _object_id(rng: random.Random) -> ObjectId:
    return ObjectId(bytes(rng.getrandbits(8) for _ in range(12)))


def generate_users(rng: random.Random, count: int, hosts: int) -> list[dict]:
    users = []
    for number in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        is_host = number < hosts
        role = "HOST" if is_host else rng.choices(("REGULAR", "POTENTIAL", "ADMIN"), (62, 35, 3))[0]
        user = {
            "_id": _object_id(rng),
            "id": f"user_{number:05d}",
            "firstName": first,
            "lastName": last,
            "email": f"{first}.{last}{number}@{rng.choice(EMAIL_DOMAINS)}".lower(),
            "phone": _phone(rng),
            "interests": rng.sample(INTERESTS, rng.randint(1, 4)),
            "homeNeighborhood": rng.choice(NEIGHBORHOODS),
            "workNeighborhood": rng.choice(NEIGHBORHOODS),
            "occupation": "Chef" if is_host else rng.choice(OCCUPATIONS),
            "gender": rng.choice(GENDERS),
            "relationshipStatus": rng.choice(RELATIONSHIPS),
            "tableTypePreference": rng.choice(TABLE_TYPES),
            "birthDay": dt.datetime(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28), tzinfo=UTC),
            "createdAt": _between(rng, WINDOW_START - dt.timedelta(days=365), WINDOW_END - dt.timedelta(days=30)),
            "role": role,
            "preferredCuisines": rng.sample(CUISINES, rng.randint(0, 3)),
            "allergies": rng.sample(ALLERGIES, 1) if rng.random() < 0.3 else [],
        }
        if is_host:
            user["createdAt"] = WINDOW_START - dt.timedelta(days=400)
        if rng.random() < 0.25:  # an incomplete profile: one or two of the nine fields never filled in
            for field in rng.sample(BLANKABLE_FIELDS, rng.randint(1, 2)):
                user[field] = [] if field == "interests" else ("" if rng.random() < 0.5 else None)
        if rng.random() < 0.03:
            user["phone"] = rng.choice(("555-0123", "12345", "+44 20 7946 0958", "call me"))
        if rng.random() < 0.03:
            user["smsOptOut"] = True
        users.append(user)
    return users


def _start_time(day: dt.datetime, kind: str, slot: int, shift: int) -> dt.datetime:
    """A start that fits the kind of event, in Pacific time, as a UTC instant; `slot` and `shift` are random draws."""
    times = START_TIMES[kind]
    hour, minute = times[(slot + shift) % len(times)]
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PACIFIC).astimezone(UTC)


def generate_events(rng: random.Random, count: int, users: list[dict], hosts: int) -> list[dict]:
    """Events spread over the window; guests are members who had signed up by then, weighted by how social they are."""
    members = sorted((u for u in users[hosts:]), key=lambda u: u["createdAt"])
    signup_times = [u["createdAt"] for u in members]
    sociability = {u["id"]: rng.choice((0, 0, 1, 1, 2, 4, 8)) for u in members}
    # Some members stop coming after a while: their last possible event.
    active_until = {
        u["id"]: _between(rng, u["createdAt"], WINDOW_END) if rng.random() < 0.35 else WINDOW_END for u in members
    }
    events = []
    span = (WINDOW_END - WINDOW_START) / count
    for number in range(count):
        name, categories, features, _ = rng.choice(EVENT_KINDS)
        venue, hood = rng.choice(VENUES)
        day = WINDOW_START + span * number
        start = _start_time(day, categories[0], rng.choice(range(5)), rng.choice((0, 1)))
        capacity = rng.choice((6, 8, 10, 12, 12, 16, 20, 24))
        fill = rng.choices(
            (rng.uniform(0, 0.29), rng.uniform(0.3, 0.85), rng.uniform(0.86, 0.99), 1.0), (25, 45, 20, 10)
        )[0]
        # The members signed up by then are a prefix of `members`: picking by index within it (the same random
        # draws as choosing from a copy of it) keeps generation linear in members and events.
        available = bisect_right(signup_times, start)
        guests: list[str] = []
        for _ in range(capacity * 6):
            if len(guests) >= round(capacity * fill) or not available:
                break
            member = members[rng.randrange(available)]
            if (
                rng.random() * 8 < sociability[member["id"]]
                and start <= active_until[member["id"]]
                and member["email"] not in guests
            ):
                guests.append(member["email"])
        invited = [members[rng.randrange(available)]["email"] for _ in range(rng.randint(0, 3))] if available else []
        events.append(
            {
                "_id": {"$oid": str(_object_id(rng))},
                "id": f"event_{number:05d}",
                "name": name,
                "startDate": _iso(start),
                "endDate": _iso(start + dt.timedelta(hours=rng.choice((2, 3)))),
                "type": "private" if rng.random() < 0.1 else "public",
                "eventStatus": "canceled" if rng.random() < 0.05 else rng.choice(("approved", "approved", "pending")),
                "maxParticipants": capacity,
                "minParticipants": max(2, capacity // 4),
                "participants": [g.upper() if rng.random() < 0.05 else g for g in guests],
                "invitedParticipants": invited,
                "ownerId": users[rng.randrange(hosts)]["id"]
                if rng.random() < 0.8
                else str(users[rng.randrange(hosts)]["_id"]),
                "venueName": venue,
                "neighborhood": hood,
                "categories": categories,
                "features": features,
                "description": rng.choice(DESCRIPTIONS).format(name=name, venue=venue, hood=hood),
            }
        )
    return events


def generate_orders(rng: random.Random, events: list[dict], users: list[dict]) -> list[dict]:
    by_email = {u["email"]: u for u in users}
    orders = []
    for event in events:
        start = dt.datetime.fromisoformat(event["startDate"])
        price = rng.choice((35, 45, 65, 85, 120))
        for email in event["participants"]:
            member = by_email.get(email.lower())
            if member is None or rng.random() < 0.3:
                continue
            orders.append(
                {
                    "_id": _object_id(rng),
                    "user_id": member["id"] if rng.random() < 0.9 else str(member["_id"]),
                    "event_id": event["id"],
                    "amount": price,
                    "date": start - dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 12)),
                    "status": rng.choices(("paid", "refunded", "canceled"), (88, 8, 4))[0],
                }
            )
    return orders


def generate_messages(rng: random.Random, users: list[dict], events: list[dict], per_day: float) -> list[dict]:
    """Texts over the window: mostly sent within two days, a few never sent (pending), failed or answered STOP."""
    members = sorted(users, key=lambda u: u["createdAt"])
    signup_times = [u["createdAt"] for u in members]
    event_starts = [dt.datetime.fromisoformat(e["startDate"]) for e in events]
    messages = []
    day = WINDOW_START
    while day < WINDOW_END:
        for _ in range(int(per_day) + (rng.random() < per_day % 1)):
            available = bisect_right(signup_times, day)  # a prefix of `members`, picked by index as above
            upcoming = events[bisect_right(event_starts, day) : bisect_right(event_starts, day + dt.timedelta(days=30))]
            if not available or not upcoming:
                continue
            member, event = members[rng.randrange(available)], rng.choice(upcoming)
            created = day + dt.timedelta(hours=rng.randint(14, 20))
            status = rng.choices(("sent", "queued", "failed", "opted_out"), (96, 0.5, 3, 0.5))[0]
            message = {
                "user_id": member["id"],
                "user_name": f"{member['firstName']} {member['lastName']}",
                "user_email": member["email"],
                "user_phone": member.get("phone"),
                "event_id": event["id"],
                "event_name": event["name"],
                "event_date": event["startDate"],
                "message": f"Cuculi: Hi {member['firstName']}! {event['name']} has a seat for you. https://cucu.li/bookings/{event['id']}",
                "campaign": rng.choice(CAMPAIGNS),
                "status": status,
                "created_date": _iso(created),
                "sent_date": _iso(created + dt.timedelta(hours=rng.randint(1, 48)))
                if status in ("sent", "opted_out")
                else None,
            }
            if rng.random() < 0.5:  # texts queued by this pipeline carry their campaign date and key
                campaign_day = day.astimezone(dt.timezone(dt.timedelta(hours=-8))).date().isoformat()
                message.update(campaign_date=campaign_day, message_key=f"{campaign_day}:{member['id']}")
            messages.append(message)
        day += dt.timedelta(days=1)
    return messages


def _break_some(users: list[dict], events: list[dict], orders: list[dict], messages: list[dict]) -> None:
    """The bad records real exports contain; each is rejected with a counted reason, never a crash."""
    users[-1].pop("id"), users[-1].pop("_id")
    users[-2]["id"] = users[-3]["id"]
    users[-4]["email"] = "not-an-email"
    users[-5]["email"] = "sam@@example"
    users[-6]["createdAt"] = "last tuesday"
    users[-7]["interests"] = 42
    users[-8]["birthDay"] = {"$date": "someday"}
    users.append(None)
    events[-1].pop("id"), events[-1].pop("_id")
    events[-2]["id"] = events[-3]["id"]
    events[-4]["startDate"] = "2026-13-45T25:00:00Z"
    events[-5]["maxParticipants"] = "twelve"
    events[-6]["startDate"] = None
    orders[-1].pop("_id")
    orders[-2]["date"] = "yesterday-ish"
    orders[-3]["amount"] = "a lot"
    messages[-1].pop("user_id"), messages[-1].pop("user_email"), messages[-1].pop("user_phone", None)
    messages[-2]["created_date"], messages[-2]["sent_date"] = None, None
    messages[-2].pop("campaign_date", None)
    messages[-3]["sent_date"] = "soon"


def _people_as_they_are(users: list[dict], messages: list[dict]) -> None:
    """People, not records (docs/people.md): a few members who signed up twice (the phone written another way, the
    email in capitals), and replies Twilio recorded with the sender's number only: a stop in plain words, and a STOP
    later lifted by START."""
    reachable = [user for user in users if isinstance(user, dict) and user.get("id") and user.get("phone")]
    members = reachable[:: max(1, len(reachable) // 4)][:4]
    for number, member in enumerate(members):
        digits = "".join(char for char in str(member["phone"]) if char.isdigit())[-10:]
        again = {key: value for key, value in member.items() if key != "_id"}
        again |= {"id": f"{member['id']}_again{number}", "phone": f"({digits[:3]}) {digits[3:6]} {digits[6:]}"}
        again["email"] = f" {str(member['email']).upper()} "
        users.append(again)
    replies = [
        (members[0], "Please stop texting me", "2025-05-01T18:00:00Z"),
        (members[1], "STOP", "2025-05-02T18:00:00Z"),
        (members[1], "start", "2025-05-03T18:00:00Z"),
    ]
    for member, text, at in replies[: 3 if len(members) > 1 else 0]:
        messages.append({"user_phone": member["phone"], "message": text, "status": "received", "created_date": at})


def generate(users: int, events: int, seed: int = 7, messages_per_day: float = 3.0) -> dict[str, list]:
    rng = random.Random(seed)
    hosts = max(3, users // 75)
    user_docs = generate_users(rng, users, hosts)
    event_docs = generate_events(rng, events, user_docs, hosts)
    order_docs = generate_orders(rng, event_docs, user_docs)
    message_docs = generate_messages(rng, user_docs, event_docs, messages_per_day)
    _break_some(user_docs, event_docs, order_docs, message_docs)
    campaign_records, campaign_orders = simulate_campaigns(seed, user_docs, event_docs)
    message_docs.extend(campaign_records)
    order_docs.extend(campaign_orders)
    _people_as_they_are(user_docs, message_docs)
    return {"users": user_docs, "events": event_docs, "orders": order_docs, "messages": message_docs}
