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
from dataclasses import dataclass

from cucu_pipeline.campaign.checks.segments import to_gsm7
from cucu_pipeline.campaign.reasons.evidence import TASTE
from cucu_pipeline.campaign.writing.briefs import Brief, Draft
from cucu_pipeline.campaign.writing.library import (
    NAMELESS_GREETING,
    STYLES,
    CallToAction,
    Line,
    calls_to_action,
    fill,
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


def _with_call(
    text: str, line: Line, calls: list[CallToAction], available: frozenset[str], turn: int, room: int
) -> str | None:
    """`text` and the call to action `turn` picks among `calls` (those that fit the member's campaign, style and
    reasons, the campaign's own first) that follow this line and leave it within `room`: a call that needs a reason
    only after a line that speaks of it, never one whose verb the line already used ("Join us again? Join us:")."""
    room -= len(to_gsm7(text)) + 1
    used = set(_WORD.findall(text.lower()))
    fitting = [
        call for call in calls if len(call.text) <= room and call.follows(line, available) and call.verb not in used
    ]
    own = [call for call in fitting if len(call.campaigns) == 1]
    fitting = own or fitting
    return f"{text} {fitting[turn % len(fitting)].text}" if fitting else None


def _turned(ranked: list[tuple[int, int, Line]], turn: int) -> list[tuple[int, int, Line]]:
    """Each rank's lines (in the library's order) started at the `turn`-th: each member of a date starts at another
    of them, so the date spreads over every line of a rank."""
    turned = []
    for _, group in itertools.groupby(ranked, key=lambda item: item[0]):
        group = list(group)
        start = turn % len(group)
        turned += [(tier, index, line) for index, (tier, _, line) in enumerate(group[start:] + group[:start])]
    return turned


def options(brief: Brief) -> list[Option]:
    """The best `ENOUGH` lines true of the brief's first event that fit the budget, each with its call to action,
    best first (what the date's spread picks among). Within a rank the member's seed turns the library's order, so
    the members of a date draw different lines."""
    event = brief.candidates[0]
    rank = {reason.kind: position for position, reason in enumerate(event.reasons)}
    rank[PLAIN] = len(rank)
    available = frozenset(rank)
    recent = {line_of(text) for text in (*brief.rejected, *brief.recent_texts)}
    style, turn = _style(brief), _hashed(brief.seed)
    calls = [call for call in calls_to_action() if call.fits_member(event, style) and call.needs <= available]
    ranked = []
    for line in lines_leading(available, event, style):
        if not brief.first_name and not line.text.startswith("{first}"):
            continue  # a member without a usable name is greeted "Hi there" where the name would open the text
        # The shared taste said first (a member's own taste is the reason they read as theirs), then the strongest
        # reason; a line of the member's recent texts after every fresh one.
        tier = rank[line.lead] + (len(rank) if event.hook and TASTE not in line.reasons else 0)
        tier += _STALE if line.id in recent else 0
        ranked.append((tier, library_order()[line], line))
    ranked = _turned(sorted(ranked, key=lambda item: item[:2]), turn)
    budget, refused, found = brief.body_budget(), set(brief.rejected), []
    shortest_call = 1 + min((len(call.text) for call in calls), default=0)
    words = values(brief.first_name, event, with_venue=False)
    for tier, position, line in ranked:
        if len(found) >= ENOUGH:
            break
        shortest = line.shortest(words) + shortest_call
        if shortest > budget:
            continue
        venue = len(f" at {event.venue}") if event.venue and "{at_venue}" in line.text else 0
        for with_venue in (True, False)[(shortest + venue > budget) :]:
            body = _with_call(fill(line.text, brief.first_name, event, with_venue), line, calls, available,
                              turn + position, budget)  # fmt: skip
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


def template_writes(briefs: list[Brief]) -> list[Draft]:
    """A draft per brief: the scorer's top pick in the best line for its reasons; a rewrite (the brief names the
    rejected text) moves on to another line. The options are built on every core (a brief reads every line); the
    choice is made in order, so a date's texts spread over the lines."""
    used, cap, drafts = Counter(), max(1, int(LINE_SHARE * len(briefs))), []
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
