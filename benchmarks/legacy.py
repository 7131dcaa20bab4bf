"""The old scripts' steps 1-4, re-implemented as the V2 pipeline document describes them, for comparison only.

Plain dicts from the JSON exports; every qualified member scans every event for their email (event history and
friends) and every qualified event for invitations: the cost grows with members x events. Not on the product path.
Run as `python -m benchmarks.legacy --data-dir D --date YYYY-MM-DD`; prints one JSON object of seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import time
from collections import Counter
from pathlib import Path

REQUIRED_FIELDS = (
    "interests phone email homeNeighborhood occupation gender relationshipStatus tableTypePreference workNeighborhood"
).split()
HTML_TAG = re.compile(r"<[^>]+>")
BAD_RECORD = (TypeError, AttributeError, KeyError, ValueError)  # a wrong type in the generated data's bad records


def _load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as file:
        return [document for document in json.load(file) if isinstance(document, dict)]  # the old scripts crashed


def _id(document: dict) -> str:
    value = document.get("id") or document.get("_id")
    return value["$oid"] if isinstance(value, dict) else str(value)


def _iso_text(value) -> str:
    """The ISO string of a date field; the exports are Extended JSON, the old scripts read plain strings."""
    value = value.get("$date") if isinstance(value, dict) else value
    return value if isinstance(value, str) else ""


def parse_iso_date(value) -> dt.datetime | None:
    value = _iso_text(value)
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def calculate_age(birthday, now: dt.datetime) -> int | None:
    born = parse_iso_date(birthday)
    if born is None:
        return None
    return now.year - born.year - ((now.month, now.day) < (born.month, born.day))


def step1_user_selection(users: list[dict], messages: list[dict]) -> list[dict]:
    messaged = {str((m.get("fields") or m).get("user_id")) for m in messages}
    qualified = []
    for user in users:
        if _id(user) in messaged:
            continue
        if all(user.get(name) for name in REQUIRED_FIELDS):
            qualified.append(user)
    return qualified


def step2_event_selection(events: list[dict], now: dt.datetime) -> list[dict]:
    qualified = []
    for event in events:
        start = parse_iso_date(event.get("startDate"))
        if start is None or start <= now or event.get("type") != "public" or event.get("eventStatus") == "canceled":
            continue
        try:
            if len(event.get("participants") or []) < (event.get("maxParticipants") or 0):
                qualified.append(event)
        except BAD_RECORD:  # the old scripts stopped at the first bad record; skipping it keeps the comparison going
            continue
    return qualified


def _full_name(user: dict) -> str:
    return f"{user.get('firstName') or ''} {user.get('lastName') or ''}".strip()


def step3_user_profile_enrich(qualified_users, all_events, all_users, qualified_events, now) -> list[dict]:
    users_by_id = {_id(user): user for user in all_users}
    users_by_email = {user.get("email"): user for user in all_users if user.get("email")}
    enriched = []
    for user in qualified_users:
        try:
            enriched.append(_user_profile(user, all_events, qualified_events, users_by_id, users_by_email, now))
        except BAD_RECORD:
            continue
    return enriched


def _user_profile(user, all_events, qualified_events, users_by_id, users_by_email, now) -> dict:
    email = user.get("email")
    # associate_user_events: the user's email in each event's participants, for every event.
    user_events = [event for event in all_events if email in (event.get("participants") or [])]
    user_events.sort(key=lambda event: _iso_text(event.get("startDate")), reverse=True)
    hosts = []
    for event in user_events:
        host = users_by_id.get(str(event.get("ownerId")))
        if host and _full_name(host) not in hosts:
            hosts.append(_full_name(host))
    invited = [event.get("name") for event in qualified_events if email in (event.get("invitedParticipants") or [])]
    shared = Counter(p for event in user_events for p in (event.get("participants") or []) if p != email)
    friends = [
        f"{_full_name(users_by_email[p])} ({count})"
        for p, count in shared.most_common()
        if count >= 2 and p in users_by_email
    ]
    last = parse_iso_date(user_events[0].get("startDate")) if user_events else None
    signup = parse_iso_date(user.get("createdAt"))
    profile = {
        "id": _id(user),
        "name": _full_name(user),
        "email": email,
        "interests": user.get("interests") or [],
        "age": calculate_age(user.get("birthDay"), now),
        "event_count": len(user_events),
        "days_since_last_event": (now - last).days if last else None,
        "days_since_signup": (now - signup).days if signup else None,
        "historical_event_names": [event.get("name") for event in user_events],
        "event_hosts": hosts,
        "invited_event_names": invited,
        "friends": friends,
    }
    profile["summary"] = (
        f"{profile['name']}, {profile['age']}, {user.get('occupation')} in {user.get('homeNeighborhood')}, "
        f"likes {', '.join(profile['interests'])}; {profile['event_count']} events, hosts {', '.join(hosts[:3])}, "
        f"friends {', '.join(friends[:3])}, invited to {', '.join(invited[:3])}."
    )
    return profile


def step4_event_enrich(qualified_events: list[dict], all_users: list[dict], now: dt.datetime) -> list[dict]:
    users_by_id = {_id(user): user for user in all_users}
    users_by_email = {user.get("email"): user for user in all_users if user.get("email")}
    enriched = []
    for event in qualified_events:
        try:
            enriched.append(_event_profile(event, users_by_id, users_by_email, now))
        except BAD_RECORD:
            continue
    return enriched


def _event_profile(event, users_by_id, users_by_email, now) -> dict:
    participants = [users_by_email[p] for p in (event.get("participants") or []) if p in users_by_email]
    ages = [age for age in (calculate_age(p.get("birthDay"), now) for p in participants) if age is not None]
    count, capacity = len(event.get("participants") or []), event.get("maxParticipants") or 0
    host = users_by_id.get(str(event.get("ownerId")))
    start = parse_iso_date(event.get("startDate"))
    profile = {
        "id": _id(event),
        "name": event.get("name"),
        "day_of_week": start.strftime("%A") if start else None,
        "participant_count": count,
        "host_name": _full_name(host) if host else None,
        "common_occupations": [
            o for o, _ in Counter(p.get("occupation") for p in participants if p.get("occupation")).most_common(5)
        ],
        "common_interests": [
            i for i, _ in Counter(i for p in participants for i in p.get("interests") or []).most_common(5)
        ],
        "average_age": round(sum(ages) / len(ages)) if ages else None,
        "has_low_occupancy": bool(capacity) and (count / capacity < 0.3 or (count < 3 and capacity >= 10)),
        "participant_names": [
            f"{_full_name(p)} ({p['occupation']})" if p.get("occupation") else _full_name(p) for p in participants
        ],
        "description": " ".join(HTML_TAG.sub("", event.get("description") or "").split()),
    }
    profile["summary"] = (
        f"{profile['name']} on {profile['day_of_week']}, {count}/{capacity}, {profile['description'][:200]}"
    )
    return profile


def run(data_dir: Path, campaign_date: dt.date) -> dict:
    """Seconds per step and rows out, loading the exports as the old scripts did."""
    now = dt.datetime.combine(campaign_date, dt.time(17), tzinfo=dt.UTC)  # 10:00 Pacific in summer
    seconds, started = {}, time.perf_counter()
    users, events = _load(data_dir / "raw" / "users.json"), _load(data_dir / "raw" / "events.json")
    messages = _load(data_dir / "raw" / "messages.json")
    seconds["load"] = time.perf_counter() - started
    step = time.perf_counter()
    qualified_users = step1_user_selection(users, messages)
    qualified_events = step2_event_selection(events, now)
    seconds["steps_1_2"] = time.perf_counter() - step
    step = time.perf_counter()
    enriched_users = step3_user_profile_enrich(qualified_users, events, users, qualified_events, now)
    seconds["step_3"] = time.perf_counter() - step
    step = time.perf_counter()
    enriched_events = step4_event_enrich(qualified_events, users, now)
    seconds["step_4"] = time.perf_counter() - step
    return {
        "seconds": seconds,
        "total_seconds": time.perf_counter() - started,
        "rows": {
            "qualified_users": len(qualified_users),
            "qualified_events": len(qualified_events),
            "enriched_users": len(enriched_users),
            "enriched_events": len(enriched_events),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--date", required=True)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.data_dir, dt.date.fromisoformat(args.date))))


if __name__ == "__main__":
    main()
