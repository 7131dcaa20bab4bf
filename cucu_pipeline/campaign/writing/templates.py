"""The deterministic writer: the campaign's phrasings (`phrasings.py`) filled with the event's facts, the shared
taste first, never a family of the member's last three texts, varied per member and date, each within the
one-segment budget. Used when Claude is not configured, and as the fallback for a refused draft. Counts are spelled
for the number ("1 seat is", "2 seats are").
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator

from cucu_pipeline.campaign.checks.segments import to_gsm7
from cucu_pipeline.campaign.writing.briefs import Brief, Draft, EventFacts
from cucu_pipeline.campaign.writing.phrasings import BARE, STYLES, TEMPLATES, Phrasing, phrasing_family
from cucu_pipeline.core.parallel import mapped
from cucu_pipeline.core.wording import plural

TEMPLATE_MODEL = "template"


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
        host=event.host or "",
        hook=event.hook,
        a_hook=f"{'an' if event.hook[:1].lower() in 'aeiou' else 'a'} {event.hook}",
    )


def phrasings_for(event: EventFacts, style: tuple[int, int] = (0, 1)) -> list[Phrasing]:
    """The campaign's phrasings that are true of the event, in the style of the member's variant (`Brief.style`:
    with two variants or more, each writes in its own style)."""
    position, variants = style
    return [
        phrasing
        for phrasing in TEMPLATES[event.campaign]
        if phrasing.fits(event) and (variants < 2 or phrasing.style == position % STYLES)
    ]


def _rotated(phrasings: list[Phrasing], seed: str) -> list[Phrasing]:
    start = int(hashlib.md5(seed.encode()).hexdigest(), 16) % max(len(phrasings), 1)
    return phrasings[start:] + phrasings[:start]


def template_bodies(brief: Brief) -> Iterator[str]:
    """Every template text for the brief's first choice within its budget, best first: fresh families (none of the
    member's last three texts', none already rejected for this brief) using the shared taste, then fresh ones
    without it, each with the venue and then without; then, only if nothing fresh fits, the recent families, the
    least recent first; the bare facts last. Lazily: the writer needs the first."""
    event = brief.candidates[0]
    used = [phrasing_family(text) for text in (*brief.rejected, *brief.recent_texts)]
    usable = _rotated(phrasings_for(event, brief.style), brief.seed)
    fresh = [phrasing for phrasing in usable if phrasing.family not in used]
    ordered = [p for p in fresh if p.needs_hook] + [p for p in fresh if not p.needs_hook]
    stale = sorted((p for p in usable if p.family in used), key=lambda p: -used.index(p.family))
    budget, seen = brief.body_budget(), set(brief.rejected)
    filled = (fill(phrasing, brief, event, with_venue) for phrasing in ordered + stale for with_venue in (True, False))
    for body in itertools.chain(filled, [fill(BARE, brief, event)]):
        if body not in seen and len(to_gsm7(body)) <= budget:
            seen.add(body)
            yield body


def template_writes(briefs: list[Brief]) -> list[Draft]:
    """A draft per brief: the scorer's top pick in the best fresh phrasing; a rewrite (the brief names the rejected
    text) moves on to another family. The reasoning is left to the scorer's, which names the member's reasons.
    Written on every core: a hundred microseconds a brief, for thousands of briefs."""
    return mapped(_template_draft, briefs)


def _template_draft(brief: Brief) -> Draft:
    body = next(template_bodies(brief), None)
    return Draft(
        user_id=brief.user_id,
        event_id=brief.candidates[0].id,
        body=body,
        model=TEMPLATE_MODEL,
        error=None if body else "no template fits the length budget",
    )
