"""The first stage of writing: for the matched members of one campaign date, what a writer may say about each of
their events and why they would go (`campaign/reasons`), as each member's brief; built from the enriched tables."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import pandas as pd

from cucu_pipeline.campaign.checks.segments import texting_name
from cucu_pipeline.campaign.checks.when import EVENING_FROM, event_time
from cucu_pipeline.campaign.matching.campaigns import campaign_for, member_campaigns
from cucu_pipeline.campaign.reasons.evidence import derive_reasons, shared_taste
from cucu_pipeline.campaign.reasons.history import MemberHistory
from cucu_pipeline.campaign.reasons.kinds import EventKind, event_kind
from cucu_pipeline.campaign.writing.briefs import Brief, EventFacts, body_of
from cucu_pipeline.campaign.writing.hard_rules import HardRules, Known, text_or_none
from cucu_pipeline.core.frames import is_in, python_lists, records
from cucu_pipeline.core.parallel import mapped
from cucu_pipeline.core.settings import CampaignRules
from cucu_pipeline.profiles.member_directory import full_names

OPT_OUT_AFTER_DAYS = 30  # members with no text in this many days get the opt-out line

# The profile fields writing reads (briefs, check contexts, campaigns, send windows): the lists of past events, hosts
# and orders stay on disk.
WRITING_FIELDS = (
    "id", "name", "first_name", "phone", "summary", "friends", "recent_texts", "home_neighborhood",
    "work_neighborhood", "cuisine_preferences", "interests", "days_since_last_message", "days_since_last_event",
    "hasnt_attended_in_60_days", "event_count", "events_hosted", "event_history", "dietary_restrictions",
    "relationship_status", "email",
)  # fmt: skip


def needs_opt_out(days_since_last_message: pd.Series) -> pd.Series:
    return days_since_last_message.isna() | days_since_last_message.ge(OPT_OUT_AFTER_DAYS).fillna(True)


class Composer:
    """The reasons' stage of writing: for the matched members of one campaign date, the facts and reasons of each
    (member, event) and each member's brief, from the enriched tables; and the date's hard rules (`hard_rules`)."""

    def __init__(
        self,
        members,
        events,
        campaign_date: dt.date,
        rules: CampaignRules,
        known_venues,
        known_neighborhoods,
        directory_names=(),
        texted=None,
        invitations=None,
    ):
        # Plain dicts by id: one lookup per member costs microseconds, a DataFrame `.loc` a hundred times more. Only
        # the members to be texted (`texted`, when given) are read into them: 8,400 of 45,000 profiles at 100k members.
        profiles = python_lists(members if texted is None else members[is_in(members["id"], texted)])
        self.members = {row["id"]: row for row in records(profiles)}
        self.events = {row["id"]: row for row in records(events)}
        self.times = {event: event_time(campaign_date, row["start_date"]) for event, row in self.events.items()}
        self.campaigns = dict(zip(profiles["id"], member_campaigns(profiles)))
        self.opt_out = dict(zip(profiles["id"], needs_opt_out(profiles["days_since_last_message"])))
        self.campaign_date, self.rules, self.variants = campaign_date, rules, rules.arms().variants
        guests = {event: _names(row["participant_names"]) for event, row in self.events.items()}
        friends = {member: _names(row["friends"]) for member, row in self.members.items()}
        self.known = Known(
            # Other members are never named in a text: every member's full name, and the first names a writer could
            # have read about this member or event (SECURITY.md).
            member_names=frozenset(
                name.lower()
                # Lists: iterating an Arrow-backed column boxes each value through pandas, ten times slower.
                for names in (
                    directory_names,
                    members["name"].tolist(),
                    *guests.values(),
                    *map(_names, members["friends"]),
                )
                for name in names
                if isinstance(name, str) and " " in name
            ),
            guest_first_names={event: _first_names(names) for event, names in guests.items()},
            friend_first_names={member: _first_names(names) for member, names in friends.items()},
            venues=frozenset(v for v in known_venues if isinstance(v, str)),
            neighborhoods=frozenset(n for n in known_neighborhoods if isinstance(n, str)),
        )
        self._facts = _Built(self._facts_of)
        self._histories = _Built(self._history_of)
        # Event id -> the emails on its invite list, for the events of the date (`invitations`: id, invited emails).
        self.invited = {} if invitations is None else dict(zip(invitations["id"], invitations["invited_participants"]))

    @cached_property
    def hard_rules(self) -> HardRules:
        """The date's hard rules, reading the members, the facts the briefs carry and the brand as they are now."""
        members, histories, facts, times = self.members, self._histories, self._facts, self.times
        return HardRules(members, histories, facts, times, self.opt_out, self.known, self.campaign_date, self.rules)

    def briefs(self, matched: pd.DataFrame, arms: dict[str, str]) -> list[Brief]:
        """Each matched member's brief (`user_id`, `candidates`) in their arm's style, the facts and reasons of
        every candidate built at once on every core: a pair's reasons read the member's past and a dozen tables,
        about 60 us, and a date builds thousands."""
        pairs = [(user, event) for user, events in zip(matched["user_id"], matched["candidates"]) for event in events]
        missing = list(dict.fromkeys(pair for pair in pairs if pair not in self._facts))
        self._facts.update(zip(missing, mapped(self._facts_of, missing)))
        return [
            self.brief(user, candidates, variant=arms.get(user, ""))
            for user, candidates in zip(matched["user_id"], matched["candidates"])
        ]

    def facts(self, user_id: str, event_id: str) -> EventFacts:
        """What a text may say about the event for this member; built once, then read by the brief and the checks."""
        return self._facts[user_id, event_id]

    def _facts_of(self, pair: tuple[str, str]) -> EventFacts:
        return self._event_facts(*pair)

    def history(self, user_id: str) -> MemberHistory:
        """The member's past events, read once from their profile."""
        return self._histories[user_id]

    def _history_of(self, user_id: str) -> MemberHistory:
        return MemberHistory.of(self.members[user_id]["event_history"])

    def kind(self, event_id: str) -> EventKind:
        event = self.events[event_id]
        return event_kind(event["name"], tuple(event["categories"]), tuple(event["features"]))

    def _event_facts(self, user_id: str, event_id: str) -> EventFacts:
        event, when, member, kind = (
            self.events[event_id],
            self.times[event_id],
            self.members[user_id],
            self.kind(event_id),
        )
        campaign = campaign_for(self.campaigns[user_id], bool(event["has_low_occupancy"]))
        hook = shared_taste(member, event, kind)
        return EventFacts(
            id=event_id,
            name=event["name"],
            campaign=campaign,
            when=when.phrase,
            evening=when.start.hour >= EVENING_FROM,
            link=self.rules.booking_url.format(event_id=event_id),
            venue=text_or_none(event["venue_name"]),
            neighborhood=text_or_none(event["neighborhood"]),
            host=text_or_none(event["host_name"]),
            spots_left=int(event["spots_left"]),
            participant_count=int(event["participant_count"]),
            max_participants=int(event["max_participants"]),
            summary=event["summary"],
            hook=hook,
            reasons=derive_reasons(
                member,
                event,
                campaign,
                when,
                self.history(user_id),
                hook,
                member["email"] in self.invited.get(event_id, ()),
            ),
            kind=kind.kind,
            food=kind.food,
        )

    def brief(self, user_id: str, candidates: list[str], variant: str = "") -> Brief:
        member = self.members[user_id]
        return Brief(
            user_id=user_id,
            first_name=texting_name(member["first_name"]),
            member_summary=member["summary"],
            candidates=tuple(self.facts(user_id, event_id) for event_id in candidates),
            needs_opt_out=bool(self.opt_out[user_id]),
            brand=self.rules.brand,
            campaign_date=self.campaign_date,
            seed=f"{self.campaign_date}:{user_id}",
            variant=variant,
            variants=self.variants,
            recent_texts=tuple(body_of(text, self.rules.brand) for text in member["recent_texts"]),
            history=self.history(user_id),
        )


def composer_for(
    enriched_users: pd.DataFrame,
    enriched_events: pd.DataFrame,
    raw_users: pd.DataFrame,
    raw_events: pd.DataFrame,
    campaign_date: dt.date,
    rules: CampaignRules,
    texted=None,
) -> Composer:
    """The composer of one campaign date for the `texted` members (all when None); every venue and neighborhood on
    record is known to the fact check, and every member's name to the privacy check."""
    return Composer(
        enriched_users,
        enriched_events,
        campaign_date,
        rules,
        raw_events["venue_name"].dropna().unique(),
        raw_events["neighborhood"].dropna().unique(),
        full_names(raw_users).dropna().tolist(),
        texted,
        raw_events[is_in(raw_events["id"], enriched_events["id"])][["id", "invited_participants"]],
    )


class _Built(dict):
    """Values by key, each built by `build` the first time it is read."""

    def __init__(self, build):
        super().__init__()
        self.build = build

    def __missing__(self, key):
        self[key] = value = self.build(key)
        return value


def _names(labels) -> list[str]:
    """Full names from profile labels such as `Maya Lopez (designer)` or `Maya Lopez (3 events)`."""
    return [label.rsplit(" (", 1)[0] for label in labels if isinstance(label, str)]


def _first_names(names: list[str]) -> frozenset[str]:
    return frozenset(name.split()[0].lower() for name in names if name.split())
