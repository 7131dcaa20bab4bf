"""The deterministic writer's phrasings, one family each, and how to tell which family an earlier text came from.

A phrasing is only used where it is true and grammatical: social proof needs a guest in, "a few more" fewer than ten
seats open, "last seats" three or fewer, copy for an empty table no guest yet, dinner and night words an evening
start, daytime words a daytime one, a hook a taste the member and the event share, a host's name a host on record.
Each campaign has phrasings in both styles of the copy experiment (`style` 0 warm, 1 playful) and, in each style,
at least four that fit any event with a hook and four that fit any event without one: a member's last three
families are never used again, and the rest still leaves a fresh phrasing. One short phrasing per campaign and style
fits where a long event name, venue or "when" leaves little room, so the bare facts are the last resort only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.writing.briefs import EventFacts

SCARCE_SEATS = 3  # "last seats" wording only at this many seats left or fewer
FEW_SEATS = 10  # "a few more" and social proof on a Fill the Table text only below this many seats open
WARM, PLAYFUL = 0, 1
STYLES = 2  # the experiment's variants take the styles in turn
BARE_FAMILY = "bare"


@dataclass(frozen=True)
class Phrasing:
    family: str  # a stable name: what a member's history records and the judge reports
    text: str
    style: int = WARM
    evening: bool | None = None  # True: only for a start from 5pm; False: only before; None: any time
    needs_guests: bool = False  # states or implies that guests are in
    empty: bool = False  # written for a table nobody has booked yet
    filling: bool = False  # says the table needs a few more: fewer than FEW_SEATS open, a guest in
    scarce: bool = False  # says the seats are running out
    needs_hook: bool = False  # uses the taste the member and the event share
    needs_host: bool = False  # names the event's host
    tonight: bool = False  # only for an event that is tonight

    def fits(self, event: EventFacts) -> bool:
        return (
            (self.evening is None or self.evening == event.evening)
            and (not self.tonight or event.when.startswith("tonight"))
            and (not self.needs_guests or event.participant_count > 0)
            and (not self.empty or event.participant_count == 0)
            and (not self.filling or (0 < event.spots_left < FEW_SEATS and event.participant_count > 0))
            and (not self.scarce or event.spots_left <= SCARCE_SEATS)
            and (not self.needs_hook or bool(event.hook))
            and (not self.needs_host or bool(event.host))
        )


P = Phrasing
BARE = P(BARE_FAMILY, "{first}, {event}, {when}:")  # name, event, when: always fits the budget the brief was given
TEMPLATES = {
    SEAT_THE_NEWCOMER: (
        P("first-table", "Hi {first}! {event}, {when}{at_venue}, is a friendly first table. Save a seat:"),
        P("no-plus-one", "{first}, no plus-one needed: {event}, {when}{at_venue}. Come say hi:"),
        P("warm-welcome", "{first}, a warm welcome waits at {event}, {when}{at_venue}. Join us:"),
        P("first-cuculi", "{first}, your first Cuculi table? {event}, {when}{at_venue}. Save a seat:"),
        P("made-for-fan", "{first}, {event} {when}{at_venue} was made for {a_hook} fan. Your seat:", needs_hook=True),
        P("you-love", "{first}, you love {hook}, so start here: {event}, {when}{at_venue}. Save a seat:",
          needs_hook=True),
        P("fan-first-table", "{first}, a first table for {a_hook} fan: {event}, {when}{at_venue}. Join us:",
          needs_hook=True),
        P("fellow-fans", "{first}, meet fellow {hook} fans at {event}, {when}{at_venue}. Save a seat:",
          needs_hook=True),
        P("join-us-at", "{first}, join us at {event}, {when}{at_venue}. Save a seat:"),
        P("first-dinner", "{first}, a first dinner with us? {event}, {when}{at_venue}, is a warm start:",
          evening=True),
        P("guests-one-more", "Hi {first}! {guests_are} in for {event}, {when}{at_venue}. Make it one more:",
          needs_guests=True),
        P("new-faces", "{first}, new faces welcome at {event}, {when}{at_venue}. Come hungry:", style=PLAYFUL),
        P("come-curious", "{first}, come curious, leave full: {event}, {when}{at_venue}. Save a seat:",
          style=PLAYFUL),
        P("step-one", "{first}, step one: show up hungry. {event}, {when}{at_venue}. Step two:", style=PLAYFUL),
        P("plates-small-talk", "{first}, shared plates beat small talk: {event}, {when}{at_venue}. Claim a seat:",
          style=PLAYFUL),
        P("calling-fans", "{first}, calling all {hook} fans: {event}, {when}{at_venue}. Grab a seat:",
          style=PLAYFUL, needs_hook=True),
        P("hook-homework", "{first}, homework for {a_hook} fan: {event}, {when}{at_venue}. Save a seat:",
          style=PLAYFUL, needs_hook=True),
        P("hook-streak", "{first}, your {hook} streak starts at {event}, {when}{at_venue}. Save a seat:",
          style=PLAYFUL, needs_hook=True),
        P("hook-talk", "{first}, {hook} talk and new friends: {event}, {when}{at_venue}. Pull up a chair:",
          style=PLAYFUL, needs_hook=True),
        P("come-hungry", "{first}, {event}, {when}{at_venue}. Come hungry:", style=PLAYFUL),
        P("stranger-plans", "{first}, come as a stranger, leave with dinner plans: {event}, {when}{at_venue}:",
          style=PLAYFUL, evening=True),
        P("daytime-sorted", "{first}, daytime plans, sorted: {event}, {when}{at_venue}. Come hungry:",
          style=PLAYFUL, evening=False),
    ),
    RETURN_TO_TABLE: (
        P("missed-you", "Hi {first}, we've missed you at the table! {event} is {when}{at_venue}. Come back:"),
        P("too-long", "{first}, it's been too long. {event}, {when}{at_venue}. Save your seat:"),
        P("better-with-you", "{first}, the table's better with you. {event}, {when}{at_venue}. Come back:"),
        P("seat-again", "{first}, ready for a seat at the table again? {event}, {when}{at_venue}:"),
        P("back-for-more", "{first}, back for more {hook}? {event}, {when}{at_venue}. Come back:", needs_hook=True),
        P("still-into", "{first}, still into {hook}? {event}, {when}{at_venue}, is for you. Come back:",
          needs_hook=True),
        P("hook-reunion", "{first}, time for a {hook} reunion: {event}, {when}{at_venue}. Save a seat:",
          needs_hook=True),
        P("hook-calling", "{first}, more {hook} is calling: {event}, {when}{at_venue}. Welcome back:",
          needs_hook=True),
        P("come-back-for", "{first}, come back for {event}, {when}{at_venue}:"),
        P("been-a-while", "{first}, it's been a while. {event}, {when}{at_venue}, has {guests} in. Pull up a chair:",
          needs_guests=True),
        P("dinner-better", "{first}, dinner tastes better with you back: {event}, {when}{at_venue}. Join us:",
          evening=True),
        P("lonely-chair", "{first}, your chair has been lonely. {event}, {when}{at_venue}. Welcome back:",
          style=PLAYFUL),
        P("plot-twist", "{first}, plot twist: you, back at the table. {event}, {when}{at_venue}. Save a seat:",
          style=PLAYFUL),
        P("asked-about-you", "{first}, the table asked about you. {event}, {when}{at_venue}. Come back:",
          style=PLAYFUL),
        P("long-time", "{first}, long time no eat! {event}, {when}{at_venue}. Pull up a chair:", style=PLAYFUL),
        P("hook-fix", "{first}, missed your {hook} fix? {event}, {when}{at_venue}. Come back:",
          style=PLAYFUL, needs_hook=True),
        P("hook-withdrawal", "{first}, {hook} withdrawal? {event}, {when}{at_venue}, is the cure. Come back:",
          style=PLAYFUL, needs_hook=True),
        P("hook-encore", "{first}, an encore for {a_hook} fan: {event}, {when}{at_venue}. Grab a seat:",
          style=PLAYFUL, needs_hook=True),
        P("hook-sequel", "{first}, your {hook} sequel is here: {event}, {when}{at_venue}. Save a seat:",
          style=PLAYFUL, needs_hook=True),
        P("chair-again", "{first}, pull up a chair again: {event}, {when}{at_venue}:", style=PLAYFUL),
        P("daytime-name", "{first}, a daytime table with your name on it: {event}, {when}{at_venue}. Claim it:",
          style=PLAYFUL, evening=False),
    ),
    FILL_THE_TABLE: (
        P("seats-and-guests", "Hi {first}! {event}, {when}{at_venue}, has {seats} left and {guests} in. Join them:",
          needs_guests=True, filling=True),
        P("few-more", "{first}, {event} needs a few more at the table: {when}{at_venue}, {seats} left. Join in:",
          filling=True),
        P("table-for", "{first}, a table for {capacity} at {event}, {when}{at_venue}: {seats} still open. Grab one:"),
        P("room-for-you", "{first}, {event} {when}{at_venue} has room for you. Grab a seat:"),
        P("make-it-your-plan", "{first}, make {event}, {when}{at_venue}, your plan: {seats} open. Book one:"),
        P("seat-waiting", "{first}, a seat at {event} is waiting for you: {when}{at_venue}, {seats} left. Book it:"),
        P("first-seats", "{first}, the first seats are open at {event}, {when}{at_venue}. Claim yours:", empty=True),
        P("host-hosting", "{first}, {host} is hosting {event}, {when}{at_venue}: {seats} open. Join in:",
          needs_host=True),
        P("left-for-fan", "{first}, {seats} left at {event}, {when}{at_venue}, for {a_hook} fan. Yours?",
          needs_hook=True),
        P("into-hook", "{first}, into {hook}? {event}, {when}{at_venue}, has {seats} open. Grab one:", needs_hook=True),
        P("calling-hook-fans",
          "{first}, calling {hook} fans: {event}, {when}{at_venue}, has {seats} open. Grab one:", needs_hook=True),
        P("fans-table", "{first}, a table for {hook} fans: {event}, {when}{at_venue}, {seats} open. Save one:",
          needs_hook=True),
        P("seats-open-join", "{first}, {event}, {when}{at_venue}: {seats} open. Join us:"),
        P("only-left", "{first}, only {seats} left at {event}, {when}{at_venue}. Grab one:", scarce=True),
        P("guests-open", "{first}, {guests_are} in for {event}, {when}{at_venue}, and {seats_are} open. Join them:",
          style=PLAYFUL, needs_guests=True, filling=True),
        P("hot-takes", "{first}, {event} wants your food hot takes: {when}{at_venue}, {seats} open. Grab one:",
          style=PLAYFUL),
        P("empty-chairs", "{first}, empty chairs make the cook sad. {event}, {when}{at_venue}. Grab one:",
          style=PLAYFUL),
        P("seat-with-view", "{first}, {seats} with a view of the food: {event}, {when}{at_venue}. Claim one:",
          style=PLAYFUL),
        P("fork-called", "{first}, your fork called: {event}, {when}{at_venue}, {seats} left. Answer it:",
          style=PLAYFUL),
        P("be-first", "{first}, be first at the table: {event}, {when}{at_venue}, {seats} open. Pick yours:",
          style=PLAYFUL, empty=True),
        P("seats-left-grab", "{first}, {seats} left at {event}, {when}{at_venue}. Grab one:", style=PLAYFUL),
        P("pull-up-tonight", "{first}, pull up a chair {when}: {event}{at_venue}, {seats} left:",
          style=PLAYFUL, tonight=True),
        P("hook-kind-of-table", "{first}, {a_hook} fan's table: {event}, {when}{at_venue}, {seats} left. Grab one:",
          style=PLAYFUL, needs_hook=True),
        P("hook-plans", "{first}, {hook} plans, sorted: {event}, {when}{at_venue}, {seats} open. Claim one:",
          style=PLAYFUL, needs_hook=True),
        P("hook-radar", "{first}, on your {hook} radar? {event}, {when}{at_venue}, {seats} left. Grab one:",
          style=PLAYFUL, needs_hook=True),
        P("hook-excuse", "{first}, the perfect {hook} excuse: {event}, {when}{at_venue}, {seats} left. Save one:",
          style=PLAYFUL, needs_hook=True),
        P("daytime-seat", "{first}, a daytime seat at {event}, {when}{at_venue}, is open. Grab it:",
          style=PLAYFUL, evening=False),
    ),
}  # fmt: skip


# A placeholder's value: anything but the end of a sentence ("7:30pm" and "St.Clair" keep their colon and dot).
_VALUE = r"(?:[^.!?:]|[.:](?=\S))*?"


def _pattern(phrasing: Phrasing) -> str:
    """A phrasing as a regular expression over a filled text: its literal words, and a value within one sentence for
    each placeholder (a nameless member is greeted "Hi there")."""
    parts = re.split(r"\{\w+\}", phrasing.text)
    return _VALUE.join(re.escape(part) for part in parts)


def _matchers() -> list[tuple[str, str, re.Pattern]]:
    """(family, its longest literal piece, its pattern) for every phrasing, most specific first (most literal
    characters), the bare facts last: their pattern matches almost any text. The literal piece is a quick test
    before the pattern."""
    phrasings = sorted(
        [BARE, *(phrasing for phrasings in TEMPLATES.values() for phrasing in phrasings)],
        key=lambda phrasing: -len(re.sub(r"\{\w+\}", "", phrasing.text)),
    )
    return [
        (p.family, max(re.split(r"\{\w+\}", p.text), key=len), re.compile(_pattern(p), re.DOTALL)) for p in phrasings
    ]


MATCHERS = _matchers()


@lru_cache(maxsize=65536)
def phrasing_family(body: str) -> str | None:
    """The family a writer's text (brand, link and opt-out removed) was written in, or None (Claude's own words)."""
    body = body.strip()
    return next((family for family, piece, pattern in MATCHERS if piece in body and pattern.fullmatch(body)), None)
