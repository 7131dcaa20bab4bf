"""The hard rules' stage of writing: every rule of docs/writing.md ("Writing and checking") on a text, against what
it is checked against for its member and event (`MessageContext`). Each (text, member, event) is checked once, on
every core, and the asset checks read the same results again (`publishing/message_checks.py`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cucu_pipeline.campaign.checks.context import MessageContext
from cucu_pipeline.campaign.checks.segments import texting_name
from cucu_pipeline.campaign.checks.sms_rules import RuleResult, check_message
from cucu_pipeline.campaign.checks.when import EventTime
from cucu_pipeline.campaign.reasons.history import MemberHistory
from cucu_pipeline.campaign.reasons.kinds import EventKind
from cucu_pipeline.campaign.writing.briefs import EventFacts, allowed_segments
from cucu_pipeline.core.parallel import mapped
from cucu_pipeline.core.settings import CampaignRules


@dataclass(frozen=True)
class Known:
    """What the privacy and fact rules compare a text with: every member's full name, lower-case; the first names
    a writer could have read about an event's guests or a member's friends; every venue and neighborhood on record."""

    member_names: frozenset[str]
    guest_first_names: dict[str, frozenset[str]]
    friend_first_names: dict[str, frozenset[str]]
    venues: frozenset[str]
    neighborhoods: frozenset[str]


class HardRules:
    """The hard rules of one campaign date. `members` (profiles by id), `histories` (their past events, as the briefs
    carry them), `facts` (by member and event, as the briefs carry them) and `times` (events' starts) are the date's
    tables, read as they are when a text is checked."""

    def __init__(
        self,
        members: dict[str, dict],
        histories: dict[str, MemberHistory],
        facts: dict[tuple[str, str], EventFacts],
        times: dict[str, EventTime],
        opt_out: dict[str, bool],
        known: Known,
        campaign_date: dt.date,
        rules: CampaignRules,
    ):
        self.members, self.histories, self.facts, self.times = members, histories, facts, times
        self.opt_out, self.known, self.campaign_date, self.rules = opt_out, known, campaign_date, rules
        self._checked: dict[tuple[str, str, str], list[RuleResult]] = {}

    def check(self, text: str, user_id: str, event_id: str) -> list[RuleResult]:
        """Every rule on one text for this member and event; the same text for the same member and event gets the
        same answer without a second pass."""
        key = (text, user_id, event_id)
        if key not in self._checked:
            self._checked[key] = self._checked_now(key)
        return self._checked[key]

    def check_all(self, keys: list[tuple[str, str, str]]) -> list[list[RuleResult]]:
        """`check` of each (text, member, event), those not checked yet computed at once on every core: a check
        is about 125 us of pure Python, and a date checks thousands."""
        unchecked = list(dict.fromkeys(key for key in keys if key not in self._checked))
        self._checked.update(zip(unchecked, mapped(self._checked_now, unchecked)))
        return [self._checked[key] for key in keys]

    def _checked_now(self, key: tuple[str, str, str]) -> list[RuleResult]:
        text, user_id, event_id = key
        return check_message(text, self.context(user_id, event_id))

    def context(self, user_id: str, event_id: str) -> MessageContext:
        member, facts, known = self.members[user_id], self.facts[user_id, event_id], self.known
        needs, first_name = bool(self.opt_out[user_id]), texting_name(member["first_name"])
        return MessageContext(
            first_name=first_name,
            event_id=event_id,
            event_name=facts.name,
            campaign_date=self.campaign_date,
            start=self.times[event_id].start,
            venue_name=facts.venue,
            neighborhood=facts.neighborhood,
            host_name=facts.host,
            spots_left=facts.spots_left,
            participant_count=facts.participant_count,
            max_participants=facts.max_participants,
            needs_opt_out=needs,
            booking_url=facts.link,
            max_segments=allowed_segments(self.rules.brand, first_name, facts, needs),
            member_name=text_or_none(member["name"]),
            member_names=known.member_names,
            private_first_names=known.guest_first_names[event_id] | known.friend_first_names[user_id],
            known_venues=known.venues,
            known_neighborhoods=known.neighborhoods,
            member_neighborhoods=frozenset(
                filter(None, (text_or_none(member["home_neighborhood"]), text_or_none(member["work_neighborhood"])))
            ),
            brand=self.rules.brand,
            allow_emoji=self.rules.allow_emoji,
            history=self.histories[user_id],
            kind=EventKind(facts.kind, facts.food),
        )


def text_or_none(value) -> str | None:
    return value if isinstance(value, str) and value else None
