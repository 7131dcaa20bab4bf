"""Counts a text states, each checked against what it counts (docs/writing.md: "Writing and checking"): seats left
vs guests in vs table size, number words included; scarcity wording against the seats left and social proof against
the guests in. A bare number that counts nothing is not a fact of the event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cucu_pipeline.campaign.checks.context import MessageContext
from cucu_pipeline.campaign.checks.sieve import Sieved

_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"a dozen": 12}
_NUMBER = r"(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_SEATS = r"(?:seats?|spots?|places?|chairs?|tickets?|openings?)"
_PEOPLE = r"(?:guests?|people|diners?|members?|folks?|foodies?|others)"
_ADJECTIVES = (
    r"(?:(?:more|open|empty|free|other|spare|last|remaining|available|extra|great|fun|new|curious|hungry)\s+)*"
)
_TAKEN = r"(?:taken|filled|booked|claimed|gone)"
_TABLE_OF, _CAPPED = r"(?:table|group|class)", r"(?:max|capped at)"  # the words that lead a count of the table
# Each count pattern, what it counts, and which group holds the number; tried in order, the first claim of a span wins.
_COUNTS = (
    (
        re.compile(rf"\b{_NUMBER} of {_NUMBER}\s+{_SEATS}\s+{_TAKEN}"),
        (("participant_count", 1), ("max_participants", 2)),
    ),
    (re.compile(rf"\b{_NUMBER} of {_NUMBER}\s+{_SEATS}"), (("spots_left", 1), ("max_participants", 2))),
    (re.compile(rf"\b{_TABLE_OF} (?:of|for) {_NUMBER}\b"), (("max_participants", 1),)),
    (re.compile(rf"\b{_NUMBER}-(?:person|seat|seater|top)\b"), (("max_participants", 1),)),
    (re.compile(rf"\b{_NUMBER} (?:max|total|seats total|seats in all)\b"), (("max_participants", 1),)),
    (re.compile(rf"\b{_CAPPED} {_NUMBER}\b"), (("max_participants", 1),)),
    (re.compile(rf"\b{_NUMBER}\s+{_ADJECTIVES}{_SEATS}\s+{_TAKEN}"), (("participant_count", 1),)),
    (re.compile(rf"\b{_NUMBER}\s+{_ADJECTIVES}{_SEATS}"), (("spots_left", 1),)),
    (re.compile(rf"\b{_NUMBER}\s+{_ADJECTIVES}{_PEOPLE}"), (("participant_count", 1),)),
    (
        re.compile(rf"\b{_NUMBER} (?:are |already )*(?:in|going|coming|joined|booked|signed up)\b"),
        (("participant_count", 1),),
    ),
)
# Where a number starts. A count pattern led by a number can match only there, so it is tried at those few places
# instead of at every character: `re` tries each alternative of `_NUMBER` at every position, 140 us a text.
_NUMBER_START = re.compile(rf"\b(?={_NUMBER})")
_NUMBER_LED = frozenset(pattern for pattern, _ in _COUNTS if pattern.pattern.startswith(rf"\b{_NUMBER}"))
# The others start with a word of their own: sieved by it.
_WORD_LED = {
    pattern: Sieved(pattern, tuple(re.findall(r"[a-z ]+", lead)))
    for pattern, _ in _COUNTS
    for lead in (_TABLE_OF, _CAPPED)
    if pattern.pattern.startswith(rf"\b{lead}")
}
_DIGITS = re.compile(r"\b\d+\b")
_SCARCITY = Sieved(
    re.compile(
        r"\b(last (few |remaining )?(seats?|spots?|places?|tickets?)|final (seats?|spots?)|only a (few|handful)|"
        r"(a few|a handful of|limited) (seats?|spots?|places?)|almost (full|gone|sold out)|nearly (full|gone|sold "
        r"out)|sell(s|ing)? out|sold out|filling (up )?fast|going fast|won'?t last|before (it|they|we) fills?( up)?|"
        r"hurry)\b"
    ),
    ("last", "final", "only a", "a few", "handful", "limited", "almost", "nearly", "sell", "sold out", "filling",
     "going fast", "won", "before", "hurry"),
)  # fmt: skip
_SOCIAL_PROOF = Sieved(
    re.compile(
        r"\b(join them|join the (crowd|others|group|gang)|others are|(are|'re) (already )?(in|going|coming)|"
        r"already (in|going|booked|coming|signed up)|popular)\b"
    ),
    ("join", "others are", "are ", "'re ", "already", "popular"),
)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def false_counts(lowered: str, context: MessageContext, spans: list[tuple[int, int]]) -> list[str]:
    """Each stated count against what it counts; a bare number that counts nothing is not a fact of the event."""
    starts = [match.start() for match in _NUMBER_START.finditer(lowered)]
    problems = _stated_counts(lowered, context, spans, starts) if starts else []  # every count holds a number
    if context.spots_left > 3:
        problems += [
            f"scarcity {m.group(0)!r} with {context.spots_left} seats left" for m in _SCARCITY.finditer(lowered)
        ]
    if context.participant_count == 0:
        problems += [f"social proof {m.group(0)!r} with no guests in" for m in _SOCIAL_PROOF.finditer(lowered)]
    return problems


def _stated_counts(lowered: str, context: MessageContext, spans: list[tuple[int, int]], starts: list[int]) -> list:
    """The counts of a text whose numbers start at `starts`, and its bare numbers."""
    problems, counted = [], []
    for pattern, meanings in _COUNTS:
        if pattern in _NUMBER_LED:
            found = _matches_at(pattern, lowered, starts)
        else:
            found = _WORD_LED[pattern].finditer(lowered)
        for match in found:
            if inside(match.start(), spans + counted):
                continue
            counted.append(match.span())
            for attribute, group in meanings:
                stated, true = _number(match.group(group)), getattr(context, attribute)
                if stated != true:
                    problems.append(f"says {match.group(0)!r}: {attribute.replace('_', ' ')} is {true}")
                if attribute == "participant_count" and true == 0:
                    problems.append(f"social proof from 0 guests: {match.group(0)!r}")
    for match in _DIGITS.finditer(lowered):
        if not inside(match.start(), spans + counted):
            problems.append(f"states {match.group(0)} without saying what it counts")
    return problems


def _matches_at(pattern: re.Pattern, text: str, starts: list[int]) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that can only match at `starts` (ascending): the same matches."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = match.end()
            yield match


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)
