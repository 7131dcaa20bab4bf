"""Message writers behind the `claude` resource, and the deterministic writer that needs no credentials.

A writer receives briefs (a member and their short list of events) and returns drafts: the chosen event and the
text between the brand prefix and the booking link. Code, never a writer, adds the brand, the link and the opt-out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

import dagster as dg

from cucu_pipeline.lib.matching import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.lib.sms import MAX_CHARACTERS, OPT_OUT, booking_url, to_gsm7


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


def _seats(count: int) -> str:
    return f"{count} seat{'' if count == 1 else 's'}"


def _guests(count: int) -> str:
    return f"{count} guest{'' if count == 1 else 's'}"


# Phrasings per campaign, longest first within each tone; {at_venue} may be dropped to fit the budget.
TEMPLATES = {
    SEAT_THE_NEWCOMER: (
        "Hi {first}! First seat at a Cuculi table? {event}, {day} {time}{at_venue}, is a friendly one to start:",
        "Hey {first}, new faces welcome at {event} on {day} at {time}{at_venue}. Save your seat:",
        "{first}, strangers become friends over dinner: {event}, {day} {time}{at_venue}. Join us:",
    ),
    RETURN_TO_TABLE: (
        "Hi {first}, we've missed you at the table! {event} is on {day} at {time}{at_venue}. Come back:",
        "{first}, it's been a while. {event}, {day} {time}{at_venue}, already has {guests}. Pull up a chair:",
        "Hey {first}! Your seat is waiting at {event} on {day} {time}{at_venue}. Welcome back:",
    ),
    FILL_THE_TABLE: (
        "Hi {first}! {event} on {day} {time}{at_venue} has {seats} left and {guests} in. Join them:",
        "{first}, {guests} are in for {event}, {day} {time}{at_venue}, and {seats} are open:",
        "Hey {first}, {event} needs a few more diners: {day} {time}{at_venue}, {seats} left:",
    ),
}


def template_body(brief: Brief, event: EventFacts, variant: int, with_venue: bool = True) -> str:
    template = TEMPLATES[event.campaign][variant % len(TEMPLATES[event.campaign])]
    return template.format(
        first=brief.first_name,
        event=event.name,
        day=event.day,
        time=event.time,
        at_venue=f" at {event.venue}" if with_venue and event.venue else "",
        seats=_seats(event.spots_left),
        guests=_guests(event.participant_count),
    )


def template_drafts(brief: Brief) -> list[str]:
    """Every template text for the brief's first choice, the member's own variant first, then shorter ones."""
    event = brief.candidates[0]
    start = int(hashlib.md5(brief.seed.encode()).hexdigest(), 16)
    count = len(TEMPLATES[event.campaign])
    bodies = [template_body(brief, event, start + offset, with_venue) for with_venue in (True, False) for offset in range(count)]
    budget = brief.body_budget()
    return [body for body in bodies if len(to_gsm7(body)) <= budget]


class BatchLedger(Protocol):
    """Where a writer records the id of a submitted batch, so a re-run finds it (the Dagster instance in a run)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class MessageWriter(dg.ConfigurableResource):
    """The `claude` resource: picks one event of each brief's short list and writes the text."""

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        raise NotImplementedError


class TemplateWriter(MessageWriter):
    """Local stand-in: the scorer's top pick and campaign templates with varied phrasing; no credentials, no cost."""

    def write(self, briefs: list[Brief], ledger: BatchLedger | None = None) -> list[Draft]:
        drafts = []
        for brief in briefs:
            bodies = template_drafts(brief)
            # A regeneration after feedback moves on to the next phrasing.
            body = bodies[min(len(brief.feedback), len(bodies) - 1)] if bodies else None
            event = brief.candidates[0]
            drafts.append(
                Draft(
                    user_id=brief.user_id, event_id=event.id, body=body, model=self.model_name,
                    reasoning=f"{event.campaign} template for the best-scored event",
                    error=None if body else "no template fits the length budget",
                )  # fmt: skip
            )
        return drafts

    @property
    def model_name(self) -> str:
        return "template"
