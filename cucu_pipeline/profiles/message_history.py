"""Message history as of a campaign date, and what it says about each member.

A message belongs to the history of date D when its campaign date is before D (messages this partition wrote
itself never count against it, so re-running is harmless), or, for messages without a campaign date, when it was
created before D's reference instant. A text sent after the reference instant was still queued as of D.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cucu_pipeline.core.dates import pacific_dates
from cucu_pipeline.experiments.arms import HOLDOUT

SENT_STATUSES = frozenset({"sent", "delivered"})
QUEUED_STATUSES = frozenset({"queued", "scheduled", "pending"})
OPT_OUT_STATUSES = frozenset({"opted_out", "stop", "unsubscribed"})
# A member the experiment held out is under the cooldown like a texted one, so the next days leave the control alone.
HELD_OUT_STATUSES = frozenset({HOLDOUT})
# A member's reply that revokes consent: Twilio's single-word opt-out keywords, and the FCC's "opt out".
OPT_OUT_REPLIES = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out"})


def normalized_statuses(messages: pd.DataFrame) -> pd.Series:
    """Message statuses as keys: `Opted Out` -> `opted_out`."""
    return messages["status"].fillna("").str.strip().str.lower().str.replace(" ", "_")


def opts_out(messages: pd.DataFrame) -> pd.Series:
    """Records that revoke consent: an opt-out status, or a member's reply recorded with the text `STOP` (or another
    opt-out keyword, alone). Outgoing texts always start with the brand, so they never match."""
    reply = messages["message"].fillna("").str.strip().str.strip(".!").str.lower().str.split().str.join(" ")
    return normalized_statuses(messages).isin(OPT_OUT_STATUSES) | reply.isin(OPT_OUT_REPLIES)


def attribute_to_members(messages: pd.DataFrame, users: pd.DataFrame) -> pd.Series:
    """Each message's member id: its `user_id`, or the member whose email it names."""
    id_by_email = users.dropna(subset=["email"]).drop_duplicates("email").set_index("email")["id"]
    return messages["user_id"].fillna(messages["user_email"].map(id_by_email))


def message_history(messages: pd.DataFrame, campaign_date: dt.date, reference: pd.Timestamp) -> pd.DataFrame:
    """The messages that existed before D, each with its status and contact day as of D."""
    created = messages["created_date"].fillna(messages["record_created_at"]).fillna(messages["sent_date"])
    has_campaign_date = messages["campaign_date"].notna()
    in_history = (has_campaign_date & (messages["campaign_date"] < pd.Timestamp(campaign_date))) | (
        ~has_campaign_date & (created < reference)
    )
    history = messages.loc[in_history].copy()
    status = normalized_statuses(history)
    sent_by_then = status.isin(SENT_STATUSES) & ~(history["sent_date"] >= reference)
    queued_then = status.isin(QUEUED_STATUSES) | (status.isin(SENT_STATUSES) & ~sent_by_then)
    history["status_as_of"] = (
        pd.Series("other", index=history.index)
        .mask(sent_by_then, "sent")
        .mask(queued_then, "queued")
        .mask(status.isin(HELD_OUT_STATUSES), "held_out")
    )
    sent_day = pacific_dates(history["sent_date"]).where(sent_by_then)
    origin_day = history["campaign_date"].fillna(pacific_dates(created.loc[history.index]))
    history["contact_day"] = sent_day.fillna(origin_day)
    return history


def member_message_stats(messages: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Per member: queued and sent counts, last sent text, last contact day, and consent.

    Consent is not point-in-time: a STOP recorded at any time excludes the member from every date, backfills too.
    """
    contacts = history[history["status_as_of"].isin(["sent", "queued", "held_out"])]
    sent = history[history["status_as_of"] == "sent"]
    by_member = contacts.groupby("member_id")
    stats = pd.DataFrame(
        {
            "queued_message_count": (history["status_as_of"] == "queued").groupby(history["member_id"]).sum(),
            "total_messages_sent": sent.groupby("member_id").size(),
            "last_message_sent_date": sent.groupby("member_id")["contact_day"].max(),
            "last_contact_day": by_member["contact_day"].max(),
        }
    )
    opted_out = messages.loc[opts_out(messages), "member_id"].dropna().unique()
    stats = stats.reindex(stats.index.union(pd.Index(opted_out)))
    stats["opted_out"] = stats.index.isin(opted_out)
    stats["queued_message_count"] = stats["queued_message_count"].fillna(0).astype(int)
    stats["total_messages_sent"] = stats["total_messages_sent"].fillna(0).astype(int)
    return stats.rename_axis("id")
