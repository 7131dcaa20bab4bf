"""Lookups over all members: display names and the many ways other collections refer to a member."""

from __future__ import annotations

import pandas as pd

from cucu_pipeline.profiles.people import People


def full_names(users: pd.DataFrame) -> pd.Series:
    """`First Last` per member id (first name alone when the last is unknown)."""
    first = users["first_name"].fillna("")
    last = users["last_name"].fillna("")
    names = (first + " " + last).str.strip()
    return pd.Series(names.where(names != "", None).to_numpy(), index=users["id"].to_numpy())


def canonical_member_ids(references: pd.Series, users: pd.DataFrame) -> pd.Series:
    """Member ids for references that may be the `id` or the MongoDB `_id` of a member (missing when unknown)."""
    return People(users, users["id"]).of_members(references)  # each record its own "person": the id it names


def by_email(users: pd.DataFrame, values: pd.Series) -> pd.Series:
    """`values` (aligned with `users`) re-keyed by email, for joining participant lists."""
    keyed = pd.Series(values.to_numpy(), index=users["email"].to_numpy())
    return keyed[keyed.index.notna() & ~keyed.index.duplicated()]
