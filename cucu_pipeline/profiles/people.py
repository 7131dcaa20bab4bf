"""A member record is not a person (docs/people.md: "People"): records that share a phone (E.164) or a mailbox (an
email trimmed and lower-cased; a Gmail address without its dots and `+tag`, `sources/emails.py`) belong to one
person, transitively. A person's id is the smallest member id among their records, so it
stays the same whichever record is read first.

The records and their shared phones and emails form a graph whose connected components are the people: scipy finds
them in one pass, linear in members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cucu_pipeline.core.frames import positions_in
from cucu_pipeline.sources.emails import mailbox_keys
from cucu_pipeline.sources.phones import phone_keys


def person_ids(users: pd.DataFrame) -> pd.Series:
    """Per member (aligned with `users`): the id of the person the record belongs to."""
    count = len(users)
    if count == 0:
        return pd.Series([], index=users.index, dtype=object)
    phones, _ = pd.factorize(users["phone_e164"])
    emails, _ = pd.factorize(mailbox_keys(users["email"]))
    # Nodes: the members, then one per distinct phone, then one per distinct email; an edge joins a member to each.
    member = np.arange(count)
    has_phone, has_email = phones >= 0, emails >= 0
    rows = np.concatenate([member[has_phone], member[has_email]])
    columns = np.concatenate([count + phones[has_phone], count + phones.max() + 1 + emails[has_email]])
    size = count + phones.max() + 1 + emails.max() + 1
    from scipy.sparse import coo_matrix  # imported where used: scipy adds 0.1 s to every load of the definitions
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, columns)), shape=(size, size))
    components, component = connected_components(graph, directed=False)
    # The smallest id per component, on integer codes in sorted order: a string `groupby.min` runs in Python.
    codes, ids = pd.factorize(users["id"], sort=True)
    smallest = np.full(components, len(ids), dtype=np.int64)
    np.minimum.at(smallest, component[:count], codes)
    return pd.Series(np.asarray(ids, dtype=object)[smallest[component[:count]]], index=users.index, dtype=object)


@dataclass(frozen=True)
class People:
    """Every way a record elsewhere names a person: a member id (or MongoDB `_id`), an email, a phone."""

    users: pd.DataFrame
    person: pd.Series  # aligned with `users`

    @classmethod
    def of(cls, users: pd.DataFrame) -> People:
        return cls(users, person_ids(users))

    @classmethod
    def of_table(cls, people: pd.DataFrame) -> People:
        """From the `people` asset (`id`, `mongo_id`, `person_id`): enough for `of_members`, which is all a step
        after the people were resolved needs; `of_records` reads emails and phones and needs `of`."""
        return cls(people, people["person_id"])

    def _by(self, values: pd.Series, *columns: str, key=lambda column: column) -> pd.Series:
        """The person whose record holds each of `values` in one of `columns` (both read through `key`), the first
        column winning where two hold one value; missing (NaN) where none does."""
        values = key(values)
        keys = pd.concat([key(self.users[column]) for column in columns], ignore_index=True)
        persons = np.concatenate([*([self.person.to_numpy(dtype=object)] * len(columns)), [np.nan]])
        found = persons[positions_in(values, keys)]  # position -1: the NaN at the end
        return pd.Series(found, index=values.index, name=values.name, dtype=object)

    def of_members(self, member_ids: pd.Series) -> pd.Series:
        """The person of each member id (or `_id`); missing when no member has it. An id wins over another
        member's `_id`: ids come first."""
        return self._by(member_ids, "id", "mongo_id")

    def of_records(self, records: pd.DataFrame) -> pd.Series:
        """The person each message record is about: by its member id, else its email, else its phone (an inbound
        reply from Twilio carries only the sender's number). A record naming nobody known keeps its `user_id`."""
        by_member = self.of_members(records["user_id"])
        by_email = self._by(records["user_email"], "email", key=mailbox_keys)
        by_phone = self._by(phone_keys(records["user_phone"]), "phone_e164")
        return by_member.fillna(by_email).fillna(by_phone).fillna(records["user_id"]).astype(object)


def last_activity(users: pd.DataFrame, events: pd.DataFrame, orders: pd.DataFrame, reference: pd.Timestamp):
    """Per member (aligned with `users`): their latest sign-up, attended event start or order before the reference,
    the record a person is texted from when several of theirs qualify."""
    past = events.loc[events["start_date"] < reference, ["start_date", "participants"]].explode("participants")
    attended = past.dropna().groupby("participants")["start_date"].max()
    ordered = orders.loc[orders["date"] < reference].groupby("user_id")["date"].max()
    latest = pd.DataFrame(
        {
            "signed_up": users["created_at"].where(users["created_at"] < reference),
            # `reindex`, not `map`: pandas cannot map onto an empty datetime series.
            "attended": attended.reindex(users["email"]).set_axis(users.index),
            "ordered": ordered.reindex(users["id"]).set_axis(users.index),
        },
        index=users.index,
    )
    return latest.max(axis=1)
