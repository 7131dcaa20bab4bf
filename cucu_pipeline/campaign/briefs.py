"""What a writer is given and what it returns: a brief (a member and their short list of events, with the facts a
text may state) and a draft (the chosen event and the text between the brand prefix and the booking link).

Code, never a writer, adds the brand, the link and the opt-out (`compose`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cucu_pipeline.campaign.segments import to_gsm7
from cucu_pipeline.campaign.sms_rules import MAX_CHARACTERS, OPT_OUT, booking_url


@dataclass(frozen=True)
class EventFacts:
    """What a text may say about an event: all of it comes from the event record."""

    id: str
    name: str
    campaign: str  # the campaign this event would be for this member
    day: str  # "Friday"
    time: str  # "7:30pm" or "7pm"
    venue: str | None
    neighborhood: str | None
    host: str | None
    spots_left: int
    participant_count: int
    max_participants: int
    summary: str


@dataclass(frozen=True)
class Brief:
    user_id: str
    first_name: str
    member_summary: str
    candidates: tuple[EventFacts, ...]  # the scorer's short list, best first
    needs_opt_out: bool
    brand: str
    seed: str  # varies the phrasing deterministically per member and date
    feedback: tuple[str, ...] = ()  # why the previous draft failed, for a regeneration

    def body_budget(self) -> int:
        """Characters left for the writer once code has added brand, link and opt-out."""
        longest_link = max(len(booking_url(event.id)) for event in self.candidates)
        opt_out = len(OPT_OUT) + 1 if self.needs_opt_out else 0
        return MAX_CHARACTERS - len(self.brand) - 1 - 1 - longest_link - opt_out


@dataclass
class Draft:
    user_id: str
    event_id: str | None
    body: str | None
    reasoning: str = ""
    confidence: int | None = None
    model: str = ""
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    error: str | None = None
    unavailable: bool = False  # the writer could not be reached: no point asking it again this run


def compose(body: str, brief: Brief, event_id: str) -> str:
    """The full SMS: brand, the writer's text, the booking link, and the opt-out when the member needs it."""
    text = f"{brief.brand} {to_gsm7(body).strip()} {booking_url(event_id)}"
    return f"{text} {OPT_OUT}" if brief.needs_opt_out else text
