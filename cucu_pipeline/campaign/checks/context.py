"""What a text is checked against, below every rule that reads it (`sms_rules.py`, `claims.py`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cucu_pipeline.campaign.reasons.history import MemberHistory
from cucu_pipeline.campaign.reasons.kinds import OTHER, EventKind


@dataclass(frozen=True)
class MessageContext:
    """What a text is checked against: the member, the matched event's record, the campaign date and the brand."""

    first_name: str
    event_id: str
    event_name: str
    campaign_date: dt.date
    start: dt.datetime  # the event's start, Pacific wall-clock time
    venue_name: str | None
    neighborhood: str | None
    host_name: str | None
    spots_left: int
    participant_count: int
    max_participants: int
    needs_opt_out: bool
    booking_url: str
    max_segments: int = 1  # 2 only when brand, name, event, when, link and opt-out cannot fit one
    member_name: str | None = None  # the member's own full name
    member_names: frozenset[str] = field(default_factory=frozenset)  # every member's full name, lower-case
    private_first_names: frozenset[str] = field(default_factory=frozenset)  # guests' and friends', lower-case
    known_venues: frozenset[str] = field(default_factory=frozenset)
    known_neighborhoods: frozenset[str] = field(default_factory=frozenset)
    member_neighborhoods: frozenset[str] = field(default_factory=frozenset)
    brand: str = "Cuculi:"
    allow_emoji: bool = False
    history: MemberHistory = field(default_factory=MemberHistory)  # the member's past events, for claims about it
    kind: EventKind = EventKind(OTHER, food=True)  # what kind of table, for "dinner" and hunger words
