"""The deterministic writer's phrasings: campaign templates filled with the event's facts, varied per member and
date, each within the length budget. Used when Claude is not configured, and as the fallback for a refused draft.
"""

from __future__ import annotations

import hashlib

from cucu_pipeline.campaign.briefs import Brief, Draft, EventFacts
from cucu_pipeline.campaign.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.segments import to_gsm7
from cucu_pipeline.core.wording import plural

TEMPLATE_MODEL = "template"

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
        seats=plural(event.spots_left, "seat"),
        guests=plural(event.participant_count, "guest"),
    )


def template_drafts(brief: Brief) -> list[str]:
    """Every template text for the brief's first choice, the member's own variant first, then shorter ones."""
    event = brief.candidates[0]
    start = int(hashlib.md5(brief.seed.encode()).hexdigest(), 16)
    count = len(TEMPLATES[event.campaign])
    bodies = [
        template_body(brief, event, start + offset, with_venue)
        for with_venue in (True, False)
        for offset in range(count)
    ]
    budget = brief.body_budget()
    return [body for body in bodies if len(to_gsm7(body)) <= budget]


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
