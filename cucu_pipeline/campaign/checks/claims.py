"""What a text claims, checked for meaning against the event (docs/writing.md: "Writing and checking").

Days and dates are checked against the event's start as seen from the campaign date ("tomorrow" must be tomorrow, a
weekday a week or more ahead needs its date), times against the start, each count against what it counts (seats left
vs guests in vs table size, number words included: `counts.py`), scarcity wording against the seats left, social proof
against the guests in, places and hosts against the event record, and no other member may be named.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cucu_pipeline.campaign.checks.context import MessageContext
from cucu_pipeline.campaign.checks.counts import false_counts, inside
from cucu_pipeline.campaign.checks.sieve import Sieved, holds
from cucu_pipeline.campaign.checks.when import DATED_FROM_DAYS, EVENING_FROM, EventTime, clock_time

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTH = "(" + "|".join(_MONTH_NAMES + ["sept", *(m for m in _MONTHS if m != "may")]) + r")\.?"
# Matched on lower-cased text, except short weekdays: "Sat" is a day, "we sat down" is not.
_FULL_WEEKDAY = Sieved(re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"), ("day",))
_SHORT_WEEKDAY = Sieved(
    re.compile(r"\b(Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\b\.?"), ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
)
# Sieved by what every match holds (`sieve.py`): every month's name and "sept" hold its three letters.
_MONTH_DAY = Sieved(re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"), _MONTHS)
_NUMERIC_DATE = Sieved(re.compile(r"\b(\d{1,2})/(\d{1,2})\b"), ("/",))
# "in March 2025": when the member came, not a count
_MONTH_YEAR = Sieved(re.compile(rf"\b{_MONTH}\s+(?:19|20)\d\d\b"), _MONTHS)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_DATED = re.compile(rf"^[,.]?\s*(?:{_MONTH}\s+\d|\d{{1,2}}/\d)")
_RELATIVE = Sieved(
    re.compile(
        r"\b(tonight|tonite|this evening|this morning|this afternoon|later today|today|tomorrow|tmrw|this weekend|"
        r"next weekend|this week|next week)\b"
    ),
    ("tonight", "tonite", "this ", "today", "tomorrow", "tmrw", "next "),
)
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?([ap])\.?m\b\.?")
_CLOCK = Sieved(re.compile(r"\b(\d{1,2}):(\d{2})\b"), (":",))
_NAMED_TIME = Sieved(re.compile(r"\b(noon|midday|midnight)\b"), ("noon", "mid"))

_HOSTED_BY = re.compile(r"(?i)\b(?:hosted by|with chef|chef)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_HOSTING = ("chef", "hosted by")
_NAME_PAIR = re.compile(r"(?=\b([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b)")
_CAPITALIZED = re.compile(r"\b[A-Z][a-z'-]+\b")
_CALENDAR_WORDS = frozenset(_WEEKDAYS + tuple(_MONTH_NAMES))

# Every date and time below but the weekdays and relative days holds a digit.
_DIGIT = re.compile(r"\d")


# Patterns built from names (members, events, venues) are cached: `re`'s own cache holds 512, a run meets thousands.
@lru_cache(maxsize=16384)
def _literal(name: str) -> re.Pattern:
    return re.compile(re.escape(name), re.IGNORECASE)


@lru_cache(maxsize=4096)
def _whole_word(word: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(word)}\b")


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
    when = EventTime(context.campaign_date, context.start)
    # The when phrase code writes for the event is true of it (`when.py`; tested on every start a week either side
    # of a campaign date): taken out like the names, the other days, times and counts are read from the rest.
    dated = body.replace(phrase, " ") if (phrase := _phrase(when)) in body else body
    lowered, spans = dated.lower(), []
    return [
        *false_dates(lowered, dated, when, spans),
        *false_times(lowered, when, spans),
        *false_counts(lowered, context, spans),
        *false_places(body, body.lower(), context),
        *named_members(named, context),  # the member's own first name stays: "Marcus Fischer" is another Marcus
    ]


@lru_cache(maxsize=4096)
def _phrase(when: EventTime) -> str:
    return when.phrase


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
    if not _DIGIT.search(lowered):
        return problems
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
        if not inside(match.start(), spans):
            spans.append(match.span())
            if int(match.group(1)) != start.day:
                problems.append(f"says the {match.group(0)}, the event is on the {start.day}")
    return problems


def false_times(lowered: str, when: EventTime, spans: list[tuple[int, int]]) -> list[str]:
    """Clock times ("8pm", "7:30", "noon") that are not the start."""
    problems, start, expected = [], when.start, clock_time(when.start)
    digits = _DIGIT.search(lowered)
    for match in _TIME.finditer(lowered) if digits else ():
        spans.append(match.span())
        stated = (int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0), int(match.group(2) or 0))
        if stated != (start.hour, start.minute):
            problems.append(f"says {match.group(0)}, the event starts at {expected}")
    for match in _CLOCK.finditer(lowered) if digits else ():
        if not inside(match.start(), spans):
            spans.append(match.span())
            if (int(match.group(1)) % 12, int(match.group(2))) != (start.hour % 12, start.minute):
                problems.append(f"says {match.group(0)}, the event starts at {expected}")
    for match in _NAMED_TIME.finditer(lowered):
        if (start.hour, start.minute) != ((0, 0) if match.group(1) == "midnight" else (12, 0)):
            problems.append(f"says {match.group(0)}, the event starts at {expected}")
    return problems


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
            and place.lower() in lowered  # before the whole-word pattern: the text names a place or two of dozens
            and _whole_word(place.lower()).search(lowered)
            and not any(place.lower() in (allowed or "").lower() for allowed in allowed_places)
        ):
            problems.append(f"names neighborhood {place}")
    # The pattern ignores case: an ASCII text it matches holds "chef" or "hosted by" once lower-cased.
    hosted = not body.isascii() or holds(lowered, _HOSTING)
    for match in _HOSTED_BY.finditer(body) if hosted else ():
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
        for word in (_CAPITALIZED.findall(body) if context.private_first_names else ())
        if word.lower() in context.private_first_names and word.lower() not in allowed | _CALENDAR_WORDS
    ]
    return problems
