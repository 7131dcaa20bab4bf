"""A deterministic generator of realistic San Francisco sample exports (members, events, orders, texts).

The data spans several years around today so that every campaign date in the window has history, upcoming events,
new, regular, dormant and churned members, recent texts (cooldowns), pending texts and opt-outs. A few records are
deliberately broken, as real exports are, to exercise the rejection counts.

    python -m cucu_pipeline.lib.sample_data --out data/raw --users 2000 --events 2500 --seed 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from bisect import bisect_right
from pathlib import Path

from bson import ObjectId, json_util

UTC = dt.timezone.utc
WINDOW_START = dt.datetime(2022, 1, 1, tzinfo=UTC)
WINDOW_END = dt.datetime(2027, 12, 31, tzinfo=UTC)

FIRST_NAMES = (
    "Sarah Mike Jenny Alex Priya Diego Mei Jamal Olivia Noah Ava Liam Sofia Mateo Hana Kenji Zara Omar Chloe Ethan "
    "Isabel Lucas Nina Raj Elena Marcus Aisha Leo Grace Daniel Yuki Carmen Theo Maya Samuel Fatima Julian Lena Kai Rosa"
).split()
LAST_NAMES = (
    "Chen Jones Kim Wong Patel Garcia Nguyen Johnson Smith Brown Rossi Lopez Tanaka Ali Martin Okafor Silva Cohen "
    "Park Murphy Singh Rivera Fischer Haddad Novak Costa Ito Baker Reyes Morgan"
).split()
NEIGHBORHOODS = (
    "Mission District", "SoMa", "Hayes Valley", "North Beach", "Marina", "Castro", "Noe Valley", "Inner Richmond",
    "Outer Sunset", "Potrero Hill", "Dogpatch", "Pacific Heights", "Nob Hill", "Russian Hill", "Bernal Heights",
    "Financial District",
)  # fmt: skip
VENUES = (
    ("The Vault", "Financial District"), ("Culinary Studio", "SoMa"), ("Mission Kitchen", "Mission District"),
    ("Hayes Street Loft", "Hayes Valley"), ("North Beach Cellar", "North Beach"), ("Dogpatch Commons", "Dogpatch"),
    ("Marina Garden Room", "Marina"), ("Castro Table", "Castro"), ("Noe Valley Pantry", "Noe Valley"),
    ("Clement Street Dumpling House", "Inner Richmond"), ("Sunset Supper Club", "Outer Sunset"),
    ("Potrero Test Kitchen", "Potrero Hill"), ("Pier 5 Loft", "Financial District"), ("Fillmore Parlor", "Pacific Heights"),
)  # fmt: skip
INTERESTS = (
    "hiking", "photography", "cooking", "wine", "jazz", "yoga", "startups", "climbing", "board games", "film",
    "running", "art", "travel", "live music", "baking", "cycling", "reading", "design", "gardening", "dancing",
)  # fmt: skip
CUISINES = ("Italian", "Thai", "Japanese", "Mexican", "Korean", "Chinese", "Indian", "French", "Mediterranean",
            "Vietnamese", "Ethiopian", "Peruvian")  # fmt: skip
ALLERGIES = ("vegetarian", "vegan", "gluten-free", "shellfish allergy", "nut allergy", "dairy-free")
OCCUPATIONS = (
    "Software Engineer", "Product Manager", "Designer", "Nurse", "Teacher", "Data Scientist", "Founder", "Lawyer",
    "Marketing Manager", "Architect", "Physician", "Consultant", "Writer", "Student", "Photographer",
    "Financial Analyst", "Chef", "Researcher",
)  # fmt: skip
GENDERS = ("Female", "Male", "Non-binary")
RELATIONSHIPS = ("Single", "In a relationship", "Married", "It's complicated")
TABLE_TYPES = ("Communal", "Small group", "Couples", "Singles")
AREA_CODES = ("415", "628", "510", "650")
# (name, categories, features, interests it appeals to)
EVENT_KINDS = (
    ("Italian Wine Tasting", ["Tasting", "Italian", "Wine"], ["Wine pairing", "Vegetarian options"], ["wine", "travel"]),
    ("Thai Cooking Class", ["Cooking Class", "Thai"], ["Hands-on", "Beginner friendly"], ["cooking"]),
    ("Farm to Table Dinner", ["Dinner", "Californian"], ["Communal table", "Vegetarian options"], ["gardening", "cooking"]),
    ("Dumpling Workshop", ["Cooking Class", "Chinese"], ["Hands-on", "Beginner friendly"], ["cooking", "baking"]),
    ("Natural Wine Night", ["Tasting", "Wine"], ["Wine pairing"], ["wine", "live music"]),
    ("Sourdough Masterclass", ["Cooking Class", "Baking"], ["Hands-on", "Vegan"], ["baking", "cooking"]),
    ("Taco Supper Club", ["Dinner", "Mexican"], ["Communal table", "BYOB"], ["live music", "travel"]),
    ("Sushi Rolling Class", ["Cooking Class", "Japanese", "Seafood"], ["Hands-on"], ["cooking", "travel"]),
    ("Mezcal Tasting", ["Tasting", "Mexican"], ["Small plates"], ["travel", "dancing"]),
    ("Pasta from Scratch", ["Cooking Class", "Italian"], ["Hands-on", "Vegetarian options"], ["cooking"]),
    ("Dim Sum Brunch", ["Brunch", "Chinese", "Seafood"], ["Communal table"], ["reading", "photography"]),
    ("Korean BBQ Night", ["Dinner", "Korean", "Steakhouse"], ["Communal table", "Gluten-free options"], ["board games"]),
    ("Vegan Feast", ["Dinner", "Vegan"], ["Vegan", "Gluten-free options"], ["yoga", "gardening"]),
    ("Singles Supper", ["Dinner", "Mediterranean"], ["Communal table", "Singles"], ["dancing", "film"]),
    ("Founders Dinner", ["Dinner", "French"], ["Small group"], ["startups", "design"]),
    ("Oysters & Bubbles", ["Tasting", "Seafood"], ["Wine pairing"], ["wine", "photography"]),
    ("Ethiopian Feast", ["Dinner", "Ethiopian"], ["Communal table", "Vegetarian options"], ["travel", "art"]),
    ("Jazz & Tapas Night", ["Dinner", "Spanish"], ["Live music", "Vegetarian options"], ["jazz", "live music"]),
)  # fmt: skip
DESCRIPTIONS = (
    "<p>Join us for <b>{name}</b> at {venue}. Meet new people over great food &amp; good conversation.</p>",
    "<div><h2>{name}</h2><p>A cozy night in {hood}: seasonal dishes, shared plates and new friends.</p></div>",
    "<p>No experience needed!<br/>Our host walks you through every step of {name}.</p><ul><li>Drinks included</li></ul>",
)
CAMPAIGNS = ("Seat The Newcomer", "Fill the Table", "Return to Table")


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _phone(rng: random.Random) -> str:
    digits = f"{rng.choice(AREA_CODES)}{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}{rng.randint(0, 9999):04d}"
    return rng.choice((f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"+1{digits}", f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", digits))


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
            "email": f"{first}.{last}{number}@{rng.choice(('gmail.com', 'yahoo.com', 'icloud.com', 'cuculi.test'))}".lower(),
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
            for field in rng.sample(("interests", "homeNeighborhood", "occupation", "gender", "relationshipStatus",
                                     "tableTypePreference", "workNeighborhood", "phone", "birthDay"), rng.randint(1, 2)):
                user[field] = [] if field == "interests" else ("" if rng.random() < 0.5 else None)
        if rng.random() < 0.03:
            user["phone"] = rng.choice(("555-0123", "12345", "+44 20 7946 0958", "call me"))
        if rng.random() < 0.03:
            user["smsOptOut"] = True
        users.append(user)
    return users


def generate_events(rng: random.Random, count: int, users: list[dict], hosts: int) -> list[dict]:
    """Events spread over the window; guests are members who had signed up by then, weighted by how social they are."""
    members = sorted((u for u in users[hosts:]), key=lambda u: u["createdAt"])
    signup_times = [u["createdAt"] for u in members]
    sociability = {u["id"]: rng.choice((0, 0, 1, 1, 2, 4, 8)) for u in members}
    # Some members stop coming after a while: their last possible event.
    active_until = {u["id"]: _between(rng, u["createdAt"], WINDOW_END) if rng.random() < 0.35 else WINDOW_END for u in members}
    events = []
    span = (WINDOW_END - WINDOW_START) / count
    for number in range(count):
        name, categories, features, _ = rng.choice(EVENT_KINDS)
        venue, hood = rng.choice(VENUES)
        day = WINDOW_START + span * number
        start = dt.datetime(day.year, day.month, day.day, rng.choice((1, 2, 3, 17, 19)), rng.choice((0, 30)), tzinfo=UTC)
        capacity = rng.choice((6, 8, 10, 12, 12, 16, 20, 24))
        fill = rng.choices((rng.uniform(0, 0.29), rng.uniform(0.3, 0.85), rng.uniform(0.86, 0.99), 1.0), (25, 45, 20, 10))[0]
        available = members[: bisect_right(signup_times, start)]
        guests: list[str] = []
        for _ in range(capacity * 6):
            if len(guests) >= round(capacity * fill) or not available:
                break
            member = rng.choice(available)
            if rng.random() * 8 < sociability[member["id"]] and start <= active_until[member["id"]] and member["email"] not in guests:
                guests.append(member["email"])
        invited = [rng.choice(available)["email"] for _ in range(rng.randint(0, 3))] if available else []
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
                "ownerId": users[rng.randrange(hosts)]["id"] if rng.random() < 0.8 else str(users[rng.randrange(hosts)]["_id"]),
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
            available = members[: bisect_right(signup_times, day)]
            upcoming = events[bisect_right(event_starts, day) : bisect_right(event_starts, day + dt.timedelta(days=30))]
            if not available or not upcoming:
                continue
            member, event = rng.choice(available), rng.choice(upcoming)
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
                "sent_date": _iso(created + dt.timedelta(hours=rng.randint(1, 48))) if status in ("sent", "opted_out") else None,
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
    messages[-1].pop("user_id"), messages[-1].pop("user_email")
    messages[-2]["created_date"], messages[-2]["sent_date"] = None, None
    messages[-2].pop("campaign_date", None)
    messages[-3]["sent_date"] = "soon"


def generate(users: int, events: int, seed: int = 7, messages_per_day: float = 3.0) -> dict[str, list]:
    rng = random.Random(seed)
    hosts = max(3, users // 75)
    user_docs = generate_users(rng, users, hosts)
    event_docs = generate_events(rng, events, user_docs, hosts)
    order_docs = generate_orders(rng, event_docs, user_docs)
    message_docs = generate_messages(rng, user_docs, event_docs, messages_per_day)
    _break_some(user_docs, event_docs, order_docs, message_docs)
    return {"users": user_docs, "events": event_docs, "orders": order_docs, "messages": message_docs}


def write_exports(collections: dict[str, list], out: Path) -> None:
    """Users as an Extended JSON array, events as plain JSON, orders as JSON Lines, messages as an Airtable export."""
    out.mkdir(parents=True, exist_ok=True)

    def extended(document: object) -> str:
        return json_util.dumps(document, json_options=json_util.RELAXED_JSON_OPTIONS)

    def array(lines: list[str]) -> str:  # one document per line: compact, yet diffs and greps well
        return "[\n" + ",\n".join(lines) + "\n]\n"

    (out / "users.json").write_text(array([extended(user) for user in collections["users"]]))
    (out / "events.json").write_text(array([json.dumps(event) for event in collections["events"]]))
    (out / "orders.json").write_text("".join(extended(order) + "\n" for order in collections["orders"]))
    (out / "messages.json").write_text(array([json.dumps(message) for message in collections["messages"]]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--messages-per-day", type=float, default=3.0)
    args = parser.parse_args(argv)
    collections = generate(args.users, args.events, args.seed, args.messages_per_day)
    write_exports(collections, args.out)
    print(", ".join(f"{len(docs)} {name}" for name, docs in collections.items()), f"written to {args.out}")


if __name__ == "__main__":
    main()
