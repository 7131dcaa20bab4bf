"""What a text claims, checked for meaning against the event (docs/writing.md: "Writing and checking").

Days and dates are checked against the event's start as seen from the campaign date ("tomorrow" must be tomorrow, a
weekday a week or more ahead needs its date), times against the start, each count against what it counts (seats left
vs guests in vs table size, number words included), scarcity wording against the seats left, social proof against
the guests in, places and hosts against the event record, and no other member may be named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from cucu_pipeline.campaign.checks.context import MessageContext
from cucu_pipeline.campaign.checks.when import DATED_FROM_DAYS, EVENING_FROM, EventTime, clock_time

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTH = "(" + "|".join(_MONTH_NAMES + ["sept", *(m for m in _MONTHS if m != "may")]) + r")\.?"
# Matched on lower-cased text, except short weekdays: "Sat" is a day, "we sat down" is not.
_FULL_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
_SHORT_WEEKDAY = re.compile(r"\b(Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\b\.?")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:19|20)\d\d\b")  # "in March 2025": when the member came, not a count
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_DATED = re.compile(rf"^[,.]?\s*(?:{_MONTH}\s+\d|\d{{1,2}}/\d)")
_RELATIVE = re.compile(
    r"\b(tonight|tonite|this evening|this morning|this afternoon|later today|today|tomorrow|tmrw|this weekend|"
    r"next weekend|this week|next week)\b"
)
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?([ap])\.?m\b\.?")
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NAMED_TIME = re.compile(r"\b(noon|midday|midnight)\b")

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
# Each count pattern, what it counts, and which group holds the number; tried in order, the first claim of a span wins.
_COUNTS = (
    (
        re.compile(rf"\b{_NUMBER} of {_NUMBER}\s+{_SEATS}\s+{_TAKEN}"),
        (("participant_count", 1), ("max_participants", 2)),
    ),
    (re.compile(rf"\b{_NUMBER} of {_NUMBER}\s+{_SEATS}"), (("spots_left", 1), ("max_participants", 2))),
    (re.compile(rf"\b(?:table|group|class) (?:of|for) {_NUMBER}\b"), (("max_participants", 1),)),
    (re.compile(rf"\b{_NUMBER}-(?:person|seat|seater|top)\b"), (("max_participants", 1),)),
    (re.compile(rf"\b{_NUMBER} (?:max|total|seats total|seats in all)\b"), (("max_participants", 1),)),
    (re.compile(rf"\b(?:max|capped at) {_NUMBER}\b"), (("max_participants", 1),)),
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
_DIGITS = re.compile(r"\b\d+\b")
_SCARCITY = re.compile(
    r"\b(last (few |remaining )?(seats?|spots?|places?|tickets?)|final (seats?|spots?)|only a (few|handful)|"
    r"(a few|a handful of|limited) (seats?|spots?|places?)|almost (full|gone|sold out)|nearly (full|gone|sold out)|"
    r"sell(s|ing)? out|sold out|filling (up )?fast|going fast|won'?t last|before (it|they|we) fills?( up)?|hurry)\b"
)
_SOCIAL_PROOF = re.compile(
    r"\b(join them|join the (crowd|others|group|gang)|others are|(are|'re) (already )?(in|going|coming)|"
    r"already (in|going|booked|coming|signed up)|popular)\b"
)
_HOSTED_BY = re.compile(r"(?i)\b(?:hosted by|with chef|chef)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_NAME_PAIR = re.compile(r"(?=\b([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b)")
_CAPITALIZED = re.compile(r"\b[A-Z][a-z'-]+\b")
_CALENDAR_WORDS = frozenset(_WEEKDAYS + tuple(_MONTH_NAMES))


# Patterns built from names (members, events, venues) are cached: `re`'s own cache holds 512, a run meets thousands.
@lru_cache(maxsize=16384)
def _literal(name: str) -> re.Pattern:
    return re.compile(re.escape(name), re.IGNORECASE)


@lru_cache(maxsize=64)
def _any_of(names: frozenset[str], whole_words: bool) -> re.Pattern | None:
    """One pattern finding any of `names` in lower-cased text: a quick test before checking the names one by one.
    Lower-case alternatives, not `re.IGNORECASE`: `re` skips to where an alternative can start only without the flag,
    35 us a text against 4."""
    alternatives = "|".join(re.escape(name.lower()) for name in sorted(filter(None, names), key=len, reverse=True))
    if not alternatives:
        return None
    return re.compile(rf"\b(?:{alternatives})\b" if whole_words else alternatives)


def without_names(text: str, context: MessageContext) -> str:
    """`text` with the event's, venue's and host's names taken out: names may hold digits, day words or claims
    ("Pier 5 Loft", "Taco Tuesday", "Taco Supper Club"), and facts are read from the rest."""
    for name in (context.event_name, context.venue_name, context.host_name):
        if name:
            text = _literal(name).sub(" ", text)
    return text


def false_facts(text: str, context: MessageContext, named: str | None = None) -> list[str]:
    """Every claim of `text` (links and emails already removed) that is not true of the event, or names another
    member; `named` is `without_names(text, context)` when the caller has it already."""
    named = without_names(text, context) if named is None else named
    body = _literal(context.first_name).sub(" ", named) if context.first_name else named
    lowered, spans = body.lower(), []
    when = EventTime(context.campaign_date, context.start)
    return [
        *false_dates(lowered, body, when, spans),
        *false_times(lowered, when, spans),
        *false_counts(lowered, context, spans),
        *false_places(body, lowered, context),
        *named_members(named, context),  # the member's own first name stays: "Marcus Fischer" is another Marcus
    ]


def _weekday_index(word: str) -> int:
    return next(index for index, name in enumerate(_WEEKDAYS) if name.startswith(word.lower()[:3]))


_SAME_AS = {"tonite": "tonight", "this evening": "tonight", "later today": "today", "tmrw": "tomorrow"}


def _relative_is_true(phrase: str, when: EventTime) -> bool:
    today, hour, weekend = when.days_ahead == 0, when.start.hour, when.start.weekday() >= 5
    week = (when.days_ahead + when.campaign_date.weekday()) // 7  # 0 this calendar week (Monday first), 1 next
    return {
        "tonight": today and hour >= EVENING_FROM,
        "this morning": today and hour < 12,
        "this afternoon": today and 12 <= hour < EVENING_FROM,
        "today": today,
        "tomorrow": when.days_ahead == 1,
        "this weekend": weekend and week == 0,
        "next weekend": weekend and week == 1,
        "this week": week == 0,
        "next week": week == 1,
    }[_SAME_AS.get(phrase, phrase)]


def false_dates(lowered: str, body: str, when: EventTime, spans: list[tuple[int, int]]) -> list[str]:
    """Weekdays, relative days and calendar dates that are not the event's; records the spans of dates it read."""
    problems, start = [], when.start
    weekdays = [(m, m.group(1)) for m in _FULL_WEEKDAY.finditer(lowered)] + [
        (m, m.group(1)) for m in _SHORT_WEEKDAY.finditer(body)
    ]
    for match, word in weekdays:
        if _weekday_index(word) != start.weekday():
            problems.append(f"says {match.group(0)}, the event is on {start:%A}")
        elif when.days_ahead >= DATED_FROM_DAYS and not _DATED.search(lowered[match.end() : match.end() + 16]):
            problems.append(f"says {match.group(0)} alone, the event is {when.days_ahead} days away ({when.day})")
    for match in _RELATIVE.finditer(lowered):
        if not _relative_is_true(match.group(1), when):
            problems.append(f"says {match.group(0)}, the event is {when.day}")
    spans += [match.span() for match in _MONTH_YEAR.finditer(lowered)]
    for match in _MONTH_DAY.finditer(lowered):
        spans.append(match.span())
        if (_MONTHS.index(match.group(1)[:3]) + 1, int(match.group(2))) != (start.month, start.day):
            problems.append(f"says {match.group(0)}, the event is on {start:%b} {start.day}")
    for match in _NUMERIC_DATE.finditer(lowered):
        spans.append(match.span())
        if (int(match.group(1)), int(match.group(2))) != (start.month, start.day):
            problems.append(f"says {match.group(0)}, the event is on {start.month}/{start.day}")
    for match in _ORDINAL.finditer(lowered):
        if not _inside(match.start(), spans):
            spans.append(match.span())
            if int(match.group(1)) != start.day:
                problems.append(f"says the {match.group(0)}, the event is on the {start.day}")
    return problems


def false_times(lowered: str, when: EventTime, spans: list[tuple[int, int]]) -> list[str]:
    """Clock times ("8pm", "7:30", "noon") that are not the start."""
    problems, start, expected = [], when.start, clock_time(when.start)
    for match in _TIME.finditer(lowered):
        spans.append(match.span())
        stated = (int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0), int(match.group(2) or 0))
        if stated != (start.hour, start.minute):
            problems.append(f"says {match.group(0)}, the event starts at {expected}")
    for match in _CLOCK.finditer(lowered):
        if not _inside(match.start(), spans):
            spans.append(match.span())
            if (int(match.group(1)) % 12, int(match.group(2))) != (start.hour % 12, start.minute):
                problems.append(f"says {match.group(0)}, the event starts at {expected}")
    for match in _NAMED_TIME.finditer(lowered):
        if (start.hour, start.minute) != ((0, 0) if match.group(1) == "midnight" else (12, 0)):
            problems.append(f"says {match.group(0)}, the event starts at {expected}")
    return problems


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def false_counts(lowered: str, context: MessageContext, spans: list[tuple[int, int]]) -> list[str]:
    """Each stated count against what it counts; a bare number that counts nothing is not a fact of the event."""
    problems, counted, starts = [], [], [match.start() for match in _NUMBER_START.finditer(lowered)]
    for pattern, meanings in _COUNTS:
        for match in _matches_at(pattern, lowered, starts) if pattern in _NUMBER_LED else pattern.finditer(lowered):
            if _inside(match.start(), spans + counted):
                continue
            counted.append(match.span())
            for attribute, group in meanings:
                stated, true = _number(match.group(group)), getattr(context, attribute)
                if stated != true:
                    problems.append(f"says {match.group(0)!r}: {attribute.replace('_', ' ')} is {true}")
                if attribute == "participant_count" and true == 0:
                    problems.append(f"social proof from 0 guests: {match.group(0)!r}")
    for match in _DIGITS.finditer(lowered):
        if not _inside(match.start(), spans + counted):
            problems.append(f"states {match.group(0)} without saying what it counts")
    if context.spots_left > 3:
        problems += [
            f"scarcity {m.group(0)!r} with {context.spots_left} seats left" for m in _SCARCITY.finditer(lowered)
        ]
    if context.participant_count == 0:
        problems += [f"social proof {m.group(0)!r} with no guests in" for m in _SOCIAL_PROOF.finditer(lowered)]
    return problems


def _matches_at(pattern: re.Pattern, text: str, starts: list[int]) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern that can only match at `starts` (ascending): the same matches."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = match.end()
            yield match


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def false_places(body: str, lowered: str, context: MessageContext) -> list[str]:
    """Venues, neighborhoods and hosts that are not the event's (or, for neighborhoods, the member's own)."""
    problems = []
    other_venues = _any_of(context.known_venues, whole_words=False)
    # Sorted: a set's order changes with each process's string hashing, and the problems are stored.
    for venue in (
        sorted(context.known_venues - {context.venue_name}) if other_venues and other_venues.search(lowered) else ()
    ):
        if (
            venue
            and venue.lower() in lowered
            and not (context.venue_name and venue.lower() in context.venue_name.lower())
        ):
            problems.append(f"names venue {venue}")
    allowed_places = {context.neighborhood} | set(context.member_neighborhoods)
    places = _any_of(context.known_neighborhoods, whole_words=True)
    for place in sorted(context.known_neighborhoods - allowed_places) if places and places.search(lowered) else ():
        if (
            place
            and re.search(rf"\b{re.escape(place.lower())}\b", lowered)
            and not any(place.lower() in (allowed or "").lower() for allowed in allowed_places)
        ):
            problems.append(f"names neighborhood {place}")
    for match in _HOSTED_BY.finditer(body):
        if not context.host_name or match.group(1).lower() not in context.host_name.lower():
            problems.append(f"names host {match.group(1)}")
    return problems


def named_members(body: str, context: MessageContext) -> list[str]:
    """Another member's full name, or the first name of a guest of the event or a friend of the member."""
    # The host's full name is already taken out of `body`; a part of it ("Ploy" for "Chef Ploy") may remain.
    allowed = {
        context.first_name.lower(),
        (context.member_name or "").lower(),
        *(context.host_name or "").lower().split(),
    }
    problems = [
        "names another member"  # never which: details reach feedback, metadata and logs
        for first, last in _NAME_PAIR.findall(body)
        if f"{first} {last}".lower() in context.member_names and f"{first} {last}".lower() not in allowed
    ]
    problems += [
        "names a guest or friend of the member"
        for word in _CAPITALIZED.findall(body)
        if word.lower() in context.private_first_names and word.lower() not in allowed | _CALENDAR_WORDS
    ]
    return problems
