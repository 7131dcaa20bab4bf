"""The deterministic writer: for each member, the library line that leads with the strongest true reason of their
match (`library.py`, `campaign/reasons`), with the shared taste when there is one, then a call to action; each
within the one-segment budget, never a line of the member's last three texts or one already refused, and spread
over a date so no line carries more than `LINE_SHARE` of its texts. Used when Claude is not configured, and as the
fallback for a refused draft.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from cucu_pipeline.campaign.checks.segments import to_gsm7
from cucu_pipeline.campaign.reasons.evidence import TASTE
from cucu_pipeline.campaign.writing.briefs import Brief, Draft
from cucu_pipeline.campaign.writing.library import (
    NAMELESS_GREETING,
    STYLES,
    CallToAction,
    Line,
    calls_to_action,
    filled,
    library_order,
    line_of,
    lines_leading,
    values,
)
from cucu_pipeline.core.parallel import mapped

TEMPLATE_MODEL = "template"
LINE_SHARE = 0.08  # no line in more than this share of a date's texts
PLAIN = "event"  # the lead of lines that need no reason: the last resort
BARE = "bare"  # name, event and when: what fits whatever the budget the brief was given
_STALE = 1000  # a line of the member's recent texts comes after every fresh one
ENOUGH = 4  # the lines a brief offers the date's spread
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Option:
    tier: int  # lower is better: the rank of the reason the line leads with, the taste left out, a stale line
    line: str
    lead: str
    body: str


def _hashed(*parts: str) -> int:
    return int(hashlib.md5(":".join(parts).encode()).hexdigest()[:8], 16)


def _style(brief: Brief) -> str | None:
    position, variants = brief.style
    return None if variants < 2 else STYLES[position % len(STYLES)]


@lru_cache(maxsize=16384)  # a date at 100k members meets about 5,000 (campaign, style, reasons, line)
def _calls(
    campaign: str, style: str | None, available: frozenset[str], line: Line
) -> tuple[tuple[CallToAction, ...], ...]:
    """The calls to action that fit the member's campaign and style and follow this line (a call that needs a
    reason only after a line that speaks of it): the campaign's own, then every one, each in the library's order."""
    every = tuple(call for call in _member_calls(campaign, style, available) if call.follows(line, available))
    return tuple(call for call in every if len(call.campaigns) == 1), every


def _with_call(text: str, calls: tuple[tuple[CallToAction, ...], ...], turn: int, room: int) -> str | None:
    """`text` and the call to action `turn` picks among the first of `calls` (`_calls`) with any that leave it within
    `room`, never one whose verb the line already used ("Join us again? Join us:")."""
    room -= len(to_gsm7(text)) + 1
    used = set(_WORD.findall(text.lower()))
    for group in calls:
        fitting = [call for call in group if len(call.text) <= room and call.verb not in used]
        if fitting:
            return f"{text} {fitting[turn % len(fitting)].text}"
    return None


@lru_cache(maxsize=4096)
def _ranked(
    kinds: tuple[str, ...], hook: bool, campaign: str, style: str | None, evening: bool, kind: str, named: bool
) -> tuple[tuple[int, Line], ...]:
    """(tier, line) of every line true of an event with these reasons, best first: the shared taste said first (a
    member's own taste is the reason they read as theirs), then the strongest reason, in the library's order. A
    member without a usable name only gets lines that open with the greeting ("Hi there")."""
    rank = {reason: position for position, reason in enumerate(kinds)}
    rank[PLAIN] = len(rank)
    ranked = [
        (rank[line.lead] + (len(rank) if hook and TASTE not in line.reasons else 0), line)
        for line in lines_leading(frozenset(rank), campaign, style, evening, kind)
        if named or line.text.startswith("{first}")
    ]
    order = library_order()
    return tuple(sorted(ranked, key=lambda item: (item[0], order[item[1]])))


@lru_cache(maxsize=4096)
def _line_ids(ranked: tuple[tuple[int, Line], ...]) -> frozenset[str]:
    return frozenset(line.id for _, line in ranked)


@lru_cache(maxsize=4096)
def _member_calls(campaign: str, style: str | None, available: frozenset[str]) -> tuple[CallToAction, ...]:
    return tuple(call for call in calls_to_action() if call.fits_member(campaign, style) and call.needs <= available)


def _turned(ranked: tuple[tuple[int, Line], ...], turn: int) -> Iterator[tuple[int, int, Line]]:
    """(tier, position, line): each tier's lines (in the library's order) started at the `turn`-th, so each member
    of a date starts at another of them and the date spreads over every line of a tier."""
    for tier, group in itertools.groupby(ranked, key=lambda item: item[0]):
        group = [line for _, line in group]
        start = turn % len(group)
        yield from ((tier, index, line) for index, line in enumerate(group[start:] + group[:start]))


def options(brief: Brief) -> list[Option]:
    """The best `ENOUGH` lines true of the brief's first event that fit the budget, each with its call to action,
    best first (what the date's spread picks among). Within a tier the member's seed turns the library's order, so
    the members of a date draw different lines; a line of the member's recent texts, or one the date has given its
    share (`Brief.crowded`), comes after every fresh one."""
    event = brief.candidates[0]
    kinds = tuple(reason.kind for reason in event.reasons)
    available = frozenset((*kinds, PLAIN))
    style, turn = _style(brief), _hashed(brief.seed)
    ranked = _ranked(kinds, bool(event.hook), event.campaign, style, event.evening, event.kind, bool(brief.first_name))
    recent = {line_of(text) for text in (*brief.rejected, *brief.recent_texts)} | brief.crowded
    if not _line_ids(ranked).isdisjoint(recent):
        order = library_order()
        stale = ((tier + (_STALE if line.id in recent else 0), line) for tier, line in ranked)
        ranked = tuple(sorted(stale, key=lambda item: (item[0], order[item[1]])))
    calls = _member_calls(event.campaign, style, available)
    budget, refused, found = brief.body_budget(), set(brief.rejected), []
    shortest_call = 1 + min((len(call.text) for call in calls), default=0)
    words = values(brief.first_name, event, with_venue=False)
    by_venue = {False: words, True: values(brief.first_name, event)}
    for tier, position, line in _turned(ranked, turn):
        if len(found) >= ENOUGH:
            break
        shortest = line.shortest(words) + shortest_call
        if shortest > budget:
            continue
        venue = len(f" at {event.venue}") if event.venue and "{at_venue}" in line.text else 0
        following = _calls(event.campaign, style, available, line)
        for with_venue in (True, False)[(shortest + venue > budget) :]:
            text = filled(line.text, brief.first_name, by_venue[with_venue])
            body = _with_call(text, following, turn + position, budget)
            if body and body not in refused:
                found.append(Option(tier, line.id, line.lead, body))
                break
    if not found:  # a long name, event and date leave no room for a call to action: the facts alone, as before
        bare = f"{brief.first_name or NAMELESS_GREETING}, {event.name}, {event.when}:"
        found = [Option(_STALE, BARE, PLAIN, bare)] if len(to_gsm7(bare)) <= budget and bare not in refused else []
    return found


def _pick(found: list[Option], used: Counter, cap: int) -> Option | None:
    """The best tier's least used line still under the cap; the least used line of all when every one is at it."""
    for tier in sorted({option.tier for option in found}):
        open_lines = [option for option in found if option.tier == tier and used[option.line] < cap]
        if open_lines:
            return min(open_lines, key=lambda option: used[option.line])
    return min(found, key=lambda option: (used[option.line], option.tier), default=None)


def line_cap(texts: int) -> int:
    """The most texts of a date one library line may write: `LINE_SHARE` of them."""
    return max(1, int(LINE_SHARE * texts))


def template_writes(briefs: list[Brief]) -> list[Draft]:
    """A draft per brief: the scorer's top pick in the best line for its reasons; a rewrite (the brief names the
    rejected text) moves on to another line. The options are built on every core (a brief reads every line); the
    choice is made in order, so a date's texts spread over the lines."""
    used, cap, drafts = Counter(), line_cap(len(briefs)), []
    for brief, found in zip(briefs, mapped(options, briefs)):
        choice = _pick(found, used, cap)
        event = brief.candidates[0]
        if choice:
            used[choice.line] += 1
        drafts.append(
            Draft(
                user_id=brief.user_id,
                event_id=event.id,
                body=choice.body if choice else None,
                reasoning=f"{event.campaign}: " + "; ".join(reason.evidence for reason in event.reasons),
                model=TEMPLATE_MODEL,
                error=None if choice else "no line fits the length budget",
                line=choice.line if choice else "",
                lead=choice.lead if choice else "",
            )
        )
    return drafts
