"""Where each person stands with the campaign on a date (docs/people.md: "The contact policy"): texts queued and sent,
consent, and the contact policy that backs off.

- **Cooldown that backs off**: the cooldown after a text (or holdout) is `cooldown_days` (7); each further text in a
  row that brought no booking within its attribution window multiplies it by `backoff_factor`: 7 -> 14 -> 28 days
  after the first, second and third unanswered text in a row, up to `max_cooldown_days` (56). A booking resets it.
  A text counts as unanswered until a booking arrives.
- **Monthly cap**: at most `max_texts_per_window` (4) texts or holdouts in any `text_cap_window_days` (30).
- **Invite memory**: `recent_invitations` lists the events each person was invited to in the last
  `reinvite_after_days` (60), which matching never offers them again.

Everything is keyed by person, so a person's records share one history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cucu_pipeline.core.dates import PACIFIC_TZ_NAME
from cucu_pipeline.core.frames import lists_by
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.profiles.consent import revoked_consent
from cucu_pipeline.profiles.message_history import message_history
from cucu_pipeline.profiles.people import People, last_activity

CONTACTS = ("sent", "queued", "held_out")  # what the cooldown, the backoff and the cap count


def paid_orders(orders: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Orders with status `paid` placed before the reference instant: the only ones that count as bookings."""
    return orders[orders["status"].fillna("").str.strip().str.lower().eq("paid") & (orders["date"] < reference)]


def paid_bookings(orders: pd.DataFrame, people: People, reference: pd.Timestamp) -> pd.DataFrame:
    """Paid orders placed before the reference instant, as (`person_id`, `at`)."""
    paid = paid_orders(orders, reference)
    bookings = pd.DataFrame({"person_id": people.of_members(paid["user_id"]), "at": paid["date"]})
    return bookings.dropna().sort_values("at", kind="stable")


def _contacts(history: pd.DataFrame) -> pd.DataFrame:
    """One row per person and contact day (two records of one person on one day are one contact)."""
    contacts = history.loc[history["status_as_of"].isin(CONTACTS), ["person_id", "contact_day"]]
    return contacts.dropna().drop_duplicates().sort_values(["person_id", "contact_day"], kind="stable")


def _booked_after(contacts: pd.DataFrame, bookings: pd.DataFrame, rules: CampaignRules) -> np.ndarray:
    """Per contact: whether the person booked within its attribution window (known before the reference)."""
    opens = (contacts["contact_day"] + pd.Timedelta(hours=rules.send_hour)).dt.tz_localize(PACIFIC_TZ_NAME)
    left = contacts.assign(
        person_id=contacts["person_id"].astype(object), opens=opens.dt.tz_convert("UTC"), row=np.arange(len(contacts))
    ).sort_values("opens")
    right = pd.DataFrame(
        {"person_id": bookings["person_id"].astype(object), "opens": bookings["at"].astype(left["opens"].dtype)}
    )
    right["next_booking"] = right["opens"]
    matched = pd.merge_asof(
        left, right, on="opens", by="person_id", direction="forward", allow_exact_matches=False
    ).sort_values("row")
    return (matched["next_booking"] <= matched["opens"] + pd.Timedelta(days=rules.attribution_days)).to_numpy()


def person_standing(
    messages: pd.DataFrame, history: pd.DataFrame, bookings: pd.DataFrame, campaign_date: dt.date, rules: CampaignRules
) -> pd.DataFrame:
    """Per person (`messages` and `history` carry `person_id`): queued and sent counts, the last text and contact,
    how they revoked consent (None while they consent), the unanswered streak, the cooldown that now applies and the
    contacts within the cap window.

    Consent is not point-in-time: the latest consent event on record applies to every date, backfills too."""
    sent = history[history["status_as_of"] == "sent"]
    contacts = _contacts(history)
    contacts = contacts.assign(booked=_booked_after(contacts, bookings, rules))
    last_booked = contacts.loc[contacts["booked"]].groupby("person_id")["contact_day"].max()
    booked_on = pd.Series(last_booked.reindex(contacts["person_id"]).to_numpy(), index=contacts.index)
    since_booking = booked_on.isna() | (contacts["contact_day"] > booked_on)
    days_ago = (pd.Timestamp(campaign_date) - contacts["contact_day"]).dt.days
    standing = pd.DataFrame(
        {
            "queued_message_count": (history["status_as_of"] == "queued").groupby(history["person_id"]).sum(),
            "total_messages_sent": sent.groupby("person_id").size(),
            "last_message_sent_date": sent.groupby("person_id")["contact_day"].max(),
            "last_contact_day": contacts.groupby("person_id")["contact_day"].max(),
            "unanswered_streak": since_booking.groupby(contacts["person_id"]).sum(),
            "contacts_in_cap_window": days_ago.lt(rules.text_cap_window_days).groupby(contacts["person_id"]).sum(),
        }
    )
    standing["recent_texts"] = recent_texts(sent, standing.index)
    revoked = revoked_consent(messages, messages["person_id"])
    standing = standing.reindex(standing.index.union(revoked.index))
    standing["opt_out_source"] = revoked.reindex(standing.index)
    for count in ("queued_message_count", "total_messages_sent", "unanswered_streak", "contacts_in_cap_window"):
        standing[count] = standing[count].fillna(0).astype(int)
    growth = np.power(rules.backoff_factor, (standing["unanswered_streak"] - 1).clip(lower=0, upper=16))
    cap = max(rules.max_cooldown_days, rules.cooldown_days)
    standing["cooldown_days"] = np.minimum(rules.cooldown_days * growth, cap).astype(int)
    return standing.rename_axis("person_id")


RECENT_TEXTS = 3  # a member never gets the phrasing of any of their last three texts


def recent_texts(sent: pd.DataFrame, people: pd.Index) -> pd.Series:
    """The texts each person got, newest first, at most `RECENT_TEXTS`: what the next text must not echo."""
    dated = sent[sent["message"].notna() & sent["message"].astype(bool)]
    # The record id breaks ties: the store's listing order changes as runs write, the answer must not.
    newest = dated.sort_values(["contact_day", "sent_date", "record_id"], ascending=False, kind="stable")
    return lists_by(newest.groupby("person_id", sort=False).head(RECENT_TEXTS), "person_id", "message", people)


def recent_invitations(history: pd.DataFrame, campaign_date: dt.date, days: int) -> pd.DataFrame:
    """(`person_id`, `event_id`) of every invitation (text or holdout) in the last `days` days before the date."""
    recent = history["status_as_of"].isin(CONTACTS) & (
        (pd.Timestamp(campaign_date) - history["contact_day"]).dt.days.lt(days)
    )
    return history.loc[recent, ["person_id", "event_id"]].dropna().drop_duplicates().reset_index(drop=True)


@dataclass(frozen=True)
class Standing:
    """The message table read as of a date, by person: what the `people`, `message_history` and `person_standing`
    assets store."""

    people: pd.DataFrame  # per member record: `id`, `mongo_id`, `person_id`, `last_active`
    history: pd.DataFrame  # messages before the date, with `person_id`, `status_as_of` and `contact_day`
    by_person: pd.DataFrame  # `person_standing`, indexed by `person_id`


def standing_as_of(
    users: pd.DataFrame,
    messages: pd.DataFrame,
    orders: pd.DataFrame,
    events: pd.DataFrame,
    campaign_date: dt.date,
    rules: CampaignRules,
) -> Standing:
    """Who each member record and each message is about, the history as of the date and each person's standing."""
    people = People.of(users)
    reference = rules.reference_instant(campaign_date)
    attributed = messages.assign(person_id=people.of_records(messages))
    history = message_history(attributed, campaign_date, reference, events)
    bookings = paid_bookings(orders, people, reference)
    records = pd.DataFrame(
        {
            "id": users["id"],
            "mongo_id": users["mongo_id"],
            "person_id": people.person,
            "last_active": last_activity(users, events, orders, reference),
        }
    ).reset_index(drop=True)
    return Standing(records, history, person_standing(attributed, history, bookings, campaign_date, rules))
