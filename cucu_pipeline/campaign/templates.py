"""The deterministic writer's phrasings: campaign templates filled with the event's facts, varied per member and
date, each within the one-segment budget. Used when Claude is not configured, and as the fallback for a refused draft.

A phrasing is only used where it is true and grammatical: social proof needs a guest in, "last seats" needs three or
fewer, dinner and evening words need an evening start, morning words a daytime one, a hook needs a taste the member
and the event share; counts are spelled for the number ("1 seat is", "2 seats are").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cucu_pipeline.campaign.briefs import Brief, Draft, EventFacts
from cucu_pipeline.campaign.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.segments import to_gsm7
from cucu_pipeline.core.wording import plural

TEMPLATE_MODEL = "template"
SCARCE_SEATS = 3  # "last seats" wording only at this many seats left or fewer
BARE = "{first}, {event}, {when}:"  # brand, name, event, when: always fits the budget the brief was given


@dataclass(frozen=True)
class Phrasing:
    text: str
    evening: bool | None = None  # True: only for a start from 5pm; False: only before; None: any time
    needs_guests: bool = False  # states or implies that guests are in
    scarce: bool = False  # says the seats are running out
    needs_hook: bool = False  # opens with the taste the member and event share
    tonight: bool = False  # only for an event that is tonight

    def fits(self, event: EventFacts) -> bool:
        return (
            (self.evening is None or self.evening == event.evening)
            and (not self.tonight or event.when.startswith("tonight"))
            and (not self.needs_guests or event.participant_count > 0)
            and (not self.scarce or event.spots_left <= SCARCE_SEATS)
            and (not self.needs_hook or bool(event.hook))
        )


TEMPLATES = {
    SEAT_THE_NEWCOMER: (
        Phrasing("Hi {first}! {event}, {when}{at_venue}, is a friendly first table. Save a seat:"),
        Phrasing("{first}, new faces welcome at {event}, {when}{at_venue}. Come hungry:"),
        Phrasing("{first}, {event} {when}{at_venue} was made for {a_hook} fan. Your seat:", needs_hook=True),
        Phrasing("{first}, come as a stranger, leave with dinner plans: {event}, {when}{at_venue}:", evening=True),
        Phrasing("{first}, a first dinner with us? {event}, {when}{at_venue}, is a warm start:", evening=True),
        Phrasing("{first}, good food and new faces, all before dark: {event}, {when}{at_venue}:", evening=False),
        Phrasing("Hi {first}! {guests_are} in for {event}, {when}{at_venue}. Make it one more:", needs_guests=True),
    ),
    RETURN_TO_TABLE: (
        Phrasing("Hi {first}, we've missed you at the table! {event} is {when}{at_venue}. Come back:"),
        Phrasing("{first}, your chair has been lonely. {event}, {when}{at_venue}. Welcome back:"),
        Phrasing("{first}, back for more {hook}? {event}, {when}{at_venue}:", needs_hook=True),
        Phrasing("{first}, it's been a while. {event}, {when}{at_venue}, has {guests} in. Pull up a chair:",
                 needs_guests=True),
        Phrasing("{first}, dinner tastes better with you back: {event}, {when}{at_venue}:", evening=True),
        Phrasing("{first}, a daytime table with your name on it: {event}, {when}{at_venue}:", evening=False),
    ),
    FILL_THE_TABLE: (
        Phrasing("Hi {first}! {event}, {when}{at_venue}, has {seats} left and {guests} in. Join them:",
                 needs_guests=True),
        Phrasing("{first}, {guests_are} in for {event}, {when}{at_venue}, and {seats_are} open:", needs_guests=True),
        Phrasing("{first}, {event} needs a few more at the table: {when}{at_venue}, {seats} left:"),
        Phrasing("{first}, only {seats} left at {event}, {when}{at_venue}. Grab one:", scarce=True),
        Phrasing("{first}, {seats} left at {event}, {when}{at_venue}, for {a_hook} fan. Yours?", needs_hook=True),
        Phrasing("{first}, a table for {capacity} at {event}, {when}{at_venue}: {seats} still open:"),
        Phrasing("{first}, pull up a chair {when}: {event}{at_venue}, {seats} left:", tonight=True),
    ),
}  # fmt: skip


NAMELESS_GREETING = "Hi there"  # for a member whose name has no GSM-7 form


def fill(phrasing: Phrasing, brief: Brief, event: EventFacts, with_venue: bool = True) -> str:
    seats, guests = event.spots_left, event.participant_count
    text = phrasing.text
    if not brief.first_name:
        text = text.replace("Hi {first}", NAMELESS_GREETING).replace("{first}", NAMELESS_GREETING)
    return text.format(
        first=brief.first_name,
        event=event.name,
        when=event.when,
        at_venue=f" at {event.venue}" if with_venue and event.venue else "",
        seats=plural(seats, "seat"),
        seats_are=f"{plural(seats, 'seat')} {'is' if seats == 1 else 'are'}",
        guests=plural(guests, "guest"),
        guests_are=f"{plural(guests, 'guest')} {'is' if guests == 1 else 'are'}",
        capacity=event.max_participants,
        hook=event.hook,
        a_hook=f"{'an' if event.hook[:1].lower() in 'aeiou' else 'a'} {event.hook}",
    )


def phrasings_for(event: EventFacts) -> list[Phrasing]:
    """The campaign's phrasings that are true of the event."""
    return [phrasing for phrasing in TEMPLATES[event.campaign] if phrasing.fits(event)]


def template_drafts(brief: Brief) -> list[str]:
    """Every template text for the brief's first choice within its budget: the member's own phrasing first (without
    the venue if that is what fits), then the others, and the bare facts last."""
    event = brief.candidates[0]
    position, variants = brief.style
    phrasings = phrasings_for(event)[position::variants]  # each variant of the experiment its own family
    start = int(hashlib.md5(brief.seed.encode()).hexdigest(), 16) % max(len(phrasings), 1)
    ordered = phrasings[start:] + phrasings[:start]
    bodies = [fill(phrasing, brief, event, with_venue) for phrasing in ordered for with_venue in (True, False)]
    bodies.append(fill(Phrasing(BARE), brief, event))
    budget = brief.body_budget()
    return [body for body in dict.fromkeys(bodies) if len(to_gsm7(body)) <= budget]


def template_writes(briefs: list[Brief]) -> list[Draft]:
    """A draft per brief: the scorer's top pick in the member's own phrasing; a regeneration after feedback moves on
    to the next phrasing."""
    drafts = []
    for brief in briefs:
        bodies = template_drafts(brief)
        body = bodies[min(len(brief.feedback), len(bodies) - 1)] if bodies else None
        event = brief.candidates[0]
        drafts.append(
            Draft(
                user_id=brief.user_id,
                event_id=event.id,
                body=body,
                model=TEMPLATE_MODEL,
                reasoning=f"{event.campaign} template for the best-scored event",
                error=None if body else "no template fits the length budget",
            )
        )
    return drafts
