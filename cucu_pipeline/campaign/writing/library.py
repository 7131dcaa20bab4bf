"""The copy library (docs/quality.md: "The copy library"): lines a copywriter wrote for each reason and campaign,
and calls to action, kept as data the team reads and edits (`copy/lines.csv`, `copy/ctas.csv`).

A line leads with one reason (`lead`) and may use others (`also`); it is given only to a member and event for which
every reason it uses holds (`campaign/reasons`), in the campaigns, style, time of day and kinds of event it names,
so every word it says is true. Its placeholders are the event's facts (`{first}`, `{event}`, `{when}`,
`{at_venue}`, `{kind}`) and the slots of its reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.reasons.evidence import RETURNING
from cucu_pipeline.campaign.reasons.tables import csv_rows
from cucu_pipeline.campaign.writing.briefs import EventFacts

COPY = Path(__file__).parent / "copy"
CAMPAIGN_CODES = {"return": RETURN_TO_TABLE, "newcomer": SEAT_THE_NEWCOMER, "fill": FILL_THE_TABLE}
STYLES = ("warm", "playful")  # the experiment's variants take them in turn
ANY = "any"
EVENING_FROM = 17
NAMELESS_GREETING = "Hi there"  # for a member whose name has no GSM-7 form
FACT_SLOTS = ("first", "event", "when", "at_venue", "kind")


def _set(value: str, every: frozenset[str]) -> frozenset[str]:
    return every if not value or value == ANY else frozenset(value.split("|"))


@dataclass(frozen=True, eq=False)  # one object per line of the library: identity is equality, and hashes fast
class Line:
    id: str
    lead: str  # the reason the line leads with
    also: frozenset[str]  # other reasons it uses
    campaigns: frozenset[str]
    style: str  # warm, playful or any
    time: str  # evening (from 5pm), daytime, or any
    kinds: frozenset[str]  # dinner, class, tasting, brunch, event; or every kind
    text: str

    @cached_property
    def reasons(self) -> frozenset[str]:
        return self.also | {self.lead}

    @cached_property
    def slots(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.text))

    @cached_property
    def fixed_length(self) -> int:
        return len(_PLACEHOLDER.sub("", self.text))

    def shortest(self, values: dict[str, str]) -> int:
        """The fewest characters it can fill to with these values (the venue left out): a line longer than the
        budget is never filled."""
        return self.fixed_length + sum(len(values.get(slot, "")) for slot in self.slots)


@dataclass(frozen=True)
class CallToAction:
    id: str
    needs: frozenset[str]  # reasons it requires ("Come back:" a member who has been)
    campaigns: frozenset[str]
    style: str
    text: str

    @cached_property
    def verb(self) -> str:
        """Its first word ("join" of "Join us:"): a line that already used it makes the call an echo."""
        return self.text.split()[0].lower()

    def fits_member(self, campaign: str, style: str | None) -> bool:
        return campaign in self.campaigns and (style is None or self.style in (ANY, style))

    def follows(self, line: Line, available: frozenset[str]) -> bool:
        """What it needs is a reason the line speaks of ("Join them:" after the guests), or a member who has been
        before ("Come back:")."""
        return self.needs <= line.reasons | (available & {RETURNING})


def _rows(name: str) -> tuple[dict[str, str], ...]:
    return csv_rows(COPY / f"{name}.csv")


def _campaigns(value: str) -> frozenset[str]:
    return (
        frozenset(CAMPAIGN_CODES.values())
        if value in ("", ANY)
        else frozenset(CAMPAIGN_CODES[code] for code in value.split("|"))
    )


@cache
def lines() -> tuple[Line, ...]:
    return tuple(
        Line(
            id=row["id"],
            lead=row["lead"],
            also=frozenset(row["also"].split()),
            campaigns=_campaigns(row["campaigns"]),
            style=row["style"] or ANY,
            time=row["time"] or ANY,
            kinds=_set(row["kinds"], frozenset({ANY})),
            text=row["text"],
        )
        for row in _rows("lines")
    )


@cache
def _by_lead() -> dict[str, tuple[Line, ...]]:
    found: dict[str, list[Line]] = {}
    for line in lines():
        found.setdefault(line.lead, []).append(line)
    return {lead: tuple(leading) for lead, leading in found.items()}


@lru_cache(maxsize=256)
def lines_for(campaign: str, style: str | None, evening: bool, kind: str) -> frozenset[Line]:
    """The lines a campaign, style (None: either), time of day and kind of event allow."""
    return frozenset(
        line
        for line in lines()
        if campaign in line.campaigns
        and (style is None or line.style in (ANY, style))
        and (line.time == ANY or (line.time == "evening") == evening)
        and (ANY in line.kinds or kind in line.kinds)
    )


def lines_leading(reasons: frozenset[str], campaign: str, style: str | None, evening: bool, kind: str) -> list[Line]:
    """The lines that lead with one of `reasons`, use only those, and fit the campaign, style, time and event."""
    allowed, by_lead = lines_for(campaign, style, evening, kind), _by_lead()
    return [line for lead in reasons for line in by_lead.get(lead, ()) if line in allowed and line.reasons <= reasons]


@cache
def library_order() -> dict[Line, int]:
    """Each line's position in the library."""
    return {line: position for position, line in enumerate(lines())}


@cache
def calls_to_action() -> tuple[CallToAction, ...]:
    return tuple(
        CallToAction(
            row["id"], frozenset(row["needs"].split()), _campaigns(row["campaigns"]), row["style"] or ANY, row["text"]
        )  # fmt: skip
        for row in _rows("ctas")
    )


def greeted(text: str, first_name: str) -> str:
    """`{first}` filled: the name, or for a member without one a leading "Hi there" and no name elsewhere."""
    if first_name:
        return text.replace("{first}", first_name)
    if text.startswith("{first}"):
        return NAMELESS_GREETING + text.removeprefix("{first}")
    return text.replace(", {first}", "").replace("{first}, ", "").replace("{first}", "")


def values(first_name: str, event: EventFacts, with_venue: bool = True) -> dict[str, str]:
    """What each placeholder holds for this member and event: the event's facts and its reasons' words."""
    found = {slot: value for reason in event.reasons for slot, value in reason.slots}
    found.update(
        first=first_name or NAMELESS_GREETING,
        event=event.name,
        when=event.when,
        at_venue=f" at {event.venue}" if with_venue and event.venue else "",
        kind=event.kind,
    )
    return found


def fill(text: str, first_name: str, event: EventFacts, with_venue: bool = True) -> str:
    """A line (or call to action) with the member's name, the event's facts and its reasons' slots filled in."""
    return filled(text, first_name, values(first_name, event, with_venue))


def filled(text: str, first_name: str, slots: dict[str, str]) -> str:
    """`fill` with the placeholders' values (`values`) already read."""
    return _PLACEHOLDER.sub(lambda match: slots[match.group(1)], greeted(text, first_name))


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# What each placeholder can hold in a filled text, to read an earlier text's line back: a value stays within a
# sentence ("7:30pm" and "St.Clair" keep their colon and dot), and the slots with a known shape keep it.
_VALUE = r"(?:[^.!?:]|[.:](?=\S)){1,60}?"
_SHAPES = {
    "at_venue": r"(?: at (?:[^.!?:]|[.:](?=\S)){1,40}?)?",
    "near": r"close to (?:home|work)",
    "when": r"(?:tonight|today|tomorrow|[A-Z][a-z]+(?: [A-Z][a-z]{2} \d{1,2})?) at \d{1,2}(?::\d{2})?[ap]m",
    "kind": r"(?:dinner|class|tasting|brunch|event)",
    "seats": r"\d+ seats?",
    "seats_are": r"\d+ seats? (?:is|are)",
    "guests": r"\d+ guests?",
    "guests_are": r"\d+ guests? (?:is|are)",
    "last_time": r"(?:in [A-Z][a-z]+(?: \d{4})?|this month)",
    "since": r"[A-Z][a-z]+(?: \d{4})?",
    "a_taste": r"an? (?:[^.!?:]){1,30}?",
}


@lru_cache(maxsize=1024)  # compiled when a text first holds the line's piece: a millisecond each, 230 lines
def _pattern(text: str) -> re.Pattern:
    parts = _PLACEHOLDER.split(text)
    pieces = [
        re.escape(part) if position % 2 == 0 else _SHAPES.get(part, _VALUE) for position, part in enumerate(parts)
    ]
    return re.compile("".join(pieces) + r"(?:\s.*)?", re.DOTALL)


# A word of a literal piece with a non-word character on each side in the piece itself: wherever the piece is in a
# text, that word is one of the text's words.
_INNER_WORD = re.compile(r"(?<=\W)\w+(?=\W)")
_TEXT_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[tuple[str, str, str], ...], dict[str, tuple[int, ...]], tuple[int, ...]]:
    """(line id, its longest literal piece, its text) for every line, most literal characters first; the positions
    of the lines indexed by the longest inner word of that piece; and the positions of lines whose piece has none."""
    ordered = sorted(lines(), key=lambda line: -len(_PLACEHOLDER.sub("", line.text)))
    matchers = tuple((line.id, max(_PLACEHOLDER.split(line.text)[::2], key=len), line.text) for line in ordered)
    by_word: dict[str, list[int]] = {}
    without = []
    for position, (_, piece, _) in enumerate(matchers):
        inner = _INNER_WORD.findall(piece)
        if inner:
            by_word.setdefault(max(inner, key=len), []).append(position)
        else:
            without.append(position)
    return matchers, {word: tuple(positions) for word, positions in by_word.items()}, tuple(without)


@lru_cache(maxsize=65536)
def line_of(body: str) -> str | None:
    """The library line an earlier text (brand, link and opt-out removed) was written from, or None. Only the lines
    whose piece's indexed word is among the text's words are tried, in the library's order of most literal first."""
    body = body.strip()
    matchers, by_word, without = _matchers()
    tried = sorted(
        {*without, *(position for word in set(_TEXT_WORD.findall(body)) for position in by_word.get(word, ()))}
    )
    return next(
        (matchers[at][0] for at in tried if matchers[at][1] in body and _pattern(matchers[at][2]).fullmatch(body)), None
    )
