"""Briefs and check contexts for the matched members of one campaign date, built from the enriched tables: what a
writer may say about each event and what each text is checked against."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.briefs import Brief, EventFacts
from cucu_pipeline.campaign.campaigns import campaign_for, member_campaigns
from cucu_pipeline.campaign.sms_rules import MessageContext, RuleResult, check_message
from cucu_pipeline.core.dates import PACIFIC

OPT_OUT_AFTER_DAYS = 30  # members with no text in this many days get the opt-out line


def local_start_times(start_dates: pd.Series) -> pd.DataFrame:
    """Per event, in Pacific time: `clock_time` for texts (`7:30pm`, `7pm` on the hour), `canonical_time` for checks
    (`7:00pm`), and the month and day."""
    local = start_dates.dt.tz_convert(PACIFIC)
    hour, minute = local.dt.hour, local.dt.minute
    hour_text = (hour % 12).replace(0, 12).astype(int).astype(str)
    minute_text = ":" + minute.astype(int).astype(str).str.zfill(2)
    meridiem = pd.Series(np.where(hour < 12, "am", "pm"), index=start_dates.index)
    return pd.DataFrame(
        {
            "clock_time": hour_text + minute_text.where(minute != 0, "") + meridiem,
            "canonical_time": hour_text + minute_text + meridiem,
            "month": local.dt.month.astype(int),
            "day": local.dt.day.astype(int),
        }
    )


def needs_opt_out(days_since_last_message: pd.Series) -> pd.Series:
    return days_since_last_message.isna() | days_since_last_message.ge(OPT_OUT_AFTER_DAYS).fillna(True)


class Composer:
    """Builds briefs and check contexts for matched members, from the enriched tables of one campaign date."""

    def __init__(
        self, members, events, campaign_date: dt.date, brand: str, allow_emoji: bool, known_venues, known_neighborhoods
    ):
        # Plain dicts by id: one lookup per member costs microseconds, a DataFrame `.loc` a hundred times more.
        self.members = {row["id"]: row for row in members.to_dict("records")}
        self.events = {
            row["id"]: row for row in events.join(local_start_times(events["start_date"])).to_dict("records")
        }
        self.campaigns = dict(zip(members["id"], member_campaigns(members)))
        self.opt_out = dict(zip(members["id"], needs_opt_out(members["days_since_last_message"])))
        self.campaign_date, self.brand, self.allow_emoji = campaign_date, brand, allow_emoji
        self.known_venues = frozenset(v for v in known_venues if isinstance(v, str))
        self.known_neighborhoods = frozenset(n for n in known_neighborhoods if isinstance(n, str))
        self._checked: dict[tuple[str, str, str], list[RuleResult]] = {}

    def facts(self, user_id: str, event_id: str) -> EventFacts:
        event = self.events[event_id]
        return EventFacts(
            id=event_id,
            name=event["name"],
            campaign=campaign_for(self.campaigns[user_id], bool(event["has_low_occupancy"])),
            day=event["day_of_week"],
            time=event["clock_time"],
            venue=_text(event["venue_name"]),
            neighborhood=_text(event["neighborhood"]),
            host=_text(event["host_name"]),
            spots_left=int(event["spots_left"]),
            participant_count=int(event["participant_count"]),
            max_participants=int(event["max_participants"]),
            summary=event["summary"],
        )

    def brief(self, user_id: str, candidates: list[str], feedback: tuple[str, ...] = ()) -> Brief:
        member = self.members[user_id]
        return Brief(
            user_id=user_id,
            first_name=member["first_name"],
            member_summary=member["summary"],
            candidates=tuple(self.facts(user_id, event_id) for event_id in candidates),
            needs_opt_out=bool(self.opt_out[user_id]),
            brand=self.brand,
            seed=f"{self.campaign_date}:{user_id}",
            feedback=feedback,
        )

    def check(self, text: str, user_id: str, event_id: str) -> list[RuleResult]:
        """Every rule on one text for this member and event. Results are kept: the asset checks re-read each final
        text, and the same text for the same member and event gets the same answer without a second pass."""
        key = (text, user_id, event_id)
        if key not in self._checked:
            self._checked[key] = check_message(text, self.context(user_id, event_id))
        return self._checked[key]

    def context(self, user_id: str, event_id: str) -> MessageContext:
        member, event, facts = self.members[user_id], self.events[event_id], self.facts(user_id, event_id)
        return MessageContext(
            first_name=member["first_name"],
            event_id=event_id,
            event_name=facts.name,
            day_of_week=facts.day,
            start_local_time=event["canonical_time"],
            start_month_day=(event["month"], event["day"]),
            venue_name=facts.venue,
            neighborhood=facts.neighborhood,
            host_name=facts.host,
            spots_left=facts.spots_left,
            participant_count=facts.participant_count,
            max_participants=facts.max_participants,
            needs_opt_out=bool(self.opt_out[user_id]),
            known_venues=self.known_venues,
            known_neighborhoods=self.known_neighborhoods,
            member_neighborhoods=frozenset(
                filter(None, (_text(member["home_neighborhood"]), _text(member["work_neighborhood"])))
            ),
            brand=self.brand,
            allow_emoji=self.allow_emoji,
        )


def composer_for(
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    raw_events: pd.DataFrame,
    campaign_date: dt.date,
    brand: str,
    allow_emoji: bool,
) -> Composer:
    """The composer of one campaign date; every venue and neighborhood on record is known to the fact check."""
    return Composer(
        enriched_users,
        enriched_events,
        campaign_date,
        brand,
        allow_emoji,
        raw_events["venue_name"].dropna().unique(),
        raw_events["neighborhood"].dropna().unique(),
    )


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
