"""Who attended what, with whom: the past attendances of members and the guests they keep meeting (docs/assets.md:
"Profile rules"). Only events that started before the reference instant and were not canceled are history; a member
was there when the event lists their email or when they paid for it (an order placed before the reference instant).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cucu_pipeline.core.dates import iso_day
from cucu_pipeline.core.frames import lists_by
from cucu_pipeline.profiles.eligibility import is_canceled
from cucu_pipeline.profiles.member_directory import by_email, canonical_member_ids
from cucu_pipeline.profiles.standing import paid_orders

_EVENT_FIELDS = ["id", "name", "start_date", "venue_name", "owner_id", "categories", "features"]


def past_attendance(
    events: pd.DataFrame, reference: pd.Timestamp, orders: pd.DataFrame, users: pd.DataFrame
) -> pd.DataFrame:
    """One row per (past event, participant email): events that started before the reference and were not canceled,
    with their participants and the members who paid for them (a paid seat is a seat taken, listed or not)."""
    past = events[(events["start_date"] < reference) & ~is_canceled(events)]
    listed = past[[*_EVENT_FIELDS, "participants"]].rename(columns={"participants": "email"}).explode("email")
    paid = paid_orders(orders, reference)
    emails = users.drop_duplicates("id").set_index("id")["email"]
    payers = pd.DataFrame(
        {
            "id": paid["event_id"].to_numpy(),
            "email": canonical_member_ids(paid["user_id"], users).map(emails).to_numpy(),
        }
    )
    rows = pd.concat([listed, past[_EVENT_FIELDS].merge(payers, on="id")], ignore_index=True)
    rows = rows.dropna(subset=["email"]).drop_duplicates(["id", "email"])
    return rows.rename(columns={"id": "event_id", "name": "event_name"})


def member_attendance(
    attendance: pd.DataFrame, base: pd.DataFrame, users: pd.DataFrame, names: pd.Series
) -> pd.DataFrame:
    """The members' own past attendances, most recent first, with the host's name and a history item."""
    mine = attendance.merge(base[["email"]].rename_axis("member_id").reset_index(), on="email")
    mine = mine.sort_values(["member_id", "start_date"], ascending=[True, False], kind="stable")
    mine["host_name"] = canonical_member_ids(mine["owner_id"], users).map(names)
    mine["history_item"] = [
        {
            "id": event_id,
            "name": name,
            "date": day,
            "venue": venue,
            "host": host,
            "categories": list(categories),
            "features": list(features),
        }
        # Lists, not the columns: iterating an Arrow-backed column boxes each value through pandas.
        for event_id, name, day, venue, host, categories, features in zip(
            mine["event_id"].tolist(),
            mine["event_name"].tolist(),
            iso_day(mine["start_date"]).tolist(),
            mine["venue_name"].tolist(),
            mine["host_name"].where(mine["host_name"].notna(), None).tolist(),
            mine["categories"].tolist(),
            mine["features"].tolist(),
        )
    ]
    return mine


def friends(
    mine: pd.DataFrame, attendance: pd.DataFrame, users: pd.DataFrame, names: pd.Series, index: pd.Index
) -> pd.Series:
    """Members who shared two or more past events with the member: `"First Last (n)"`, most shared first."""
    shared = _shared_events(mine, attendance)
    shared["friend"] = shared["friend_email"].map(by_email(users, names.reindex(users["id"])))
    shared = shared.dropna(subset=["friend"]).sort_values(
        ["member_id", "shared", "friend"], ascending=[True, False, True], kind="stable"
    )
    shared["label"] = shared["friend"].astype(str) + " (" + shared["shared"].astype(str) + ")"
    return lists_by(shared, "member_id", "label", index)


def _shared_events(mine: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """Per member and other guest (by email) with two or more past events in common: how many, ordered by member
    and email. Counted on integer codes: grouping the pairs' strings took a second at 100k members."""
    count = len(mine)
    events, _ = pd.factorize(pd.concat([mine["event_id"], attendance["event_id"]], ignore_index=True))
    emails, email_values = pd.factorize(pd.concat([mine["email"], attendance["email"]], ignore_index=True), sort=True)
    members, member_values = pd.factorize(mine["member_id"], sort=True)
    together = pd.DataFrame({"member": members, "event": events[:count], "email": emails[:count]}).merge(
        pd.DataFrame({"event": events[count:], "friend": emails[count:]}), on="event"
    )
    together = together[together["friend"] != together["email"]]
    pairs, shared = np.unique(
        together["member"].to_numpy(np.int64) * len(email_values) + together["friend"], return_counts=True
    )
    pairs, shared = pairs[shared >= 2], shared[shared >= 2]
    return pd.DataFrame(
        {
            "member_id": np.asarray(member_values, dtype=object)[pairs // len(email_values)],
            "friend_email": np.asarray(email_values, dtype=object)[pairs % len(email_values)],
            "shared": shared,
        }
    )
