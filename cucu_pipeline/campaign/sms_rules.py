"""SMS rules as plain functions: encoding and segments, links, content and facts (README: "Writing and checking").

`check_message` runs every rule on one text and returns one result per rule; a message is publishable only when
every hard (BLOCK) rule passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from cucu_pipeline.campaign.segments import NOT_GSM7, count_segments, encoding, to_gsm7

BOOKING_URL = "https://cucu.li/bookings/{event_id}"
OPT_OUT = "Reply STOP to opt out"
MAX_CHARACTERS = 180  # the old pipeline's limit, link included
MAX_SEGMENTS = 2

_URL = re.compile(
    r"(?i)\bhttps?://[^\s]+|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|li|ly|gl|gd|cc|co|me|at|us|sh)\b(?:/[^\s]*)?"
)
SHORTENERS = frozenset(
    "bit.ly bitly.com tinyurl.com goo.gl is.gd bc.vc budurl.com clicky.me lc.chat s2r.co soo.gd tiny.cc ow.ly t.co "
    "rebrand.ly cutt.ly shorturl.at".split()
)
_PHONE = re.compile(r"(?<![\w/])(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
# The content and fact patterns are matched against lower-cased text: three times faster than `(?i)`.
_FORBIDDEN = re.compile(
    r"\b(sex\w*|nude\w*|xxx|porn\w*|escort\w*|hate|nazi\w*|tobacco|cigar\w*|vap(e|es|ing)|nicotine|juul|"
    r"cannabis|cbd|thc|marijuana|weed|420|delta-8|gun|guns|firearm\w*|ammo|rifle\w*|loan\w*|crypto\w*|bitcoin|"
    r"debt|casino|gambl\w*)\b"
)
_ALCOHOL_OFFER = re.compile(
    r"\b(open bar|bottomless|free (drinks?|wine|beer|shots?)|happy hour|tasting flight|shots?|booze|"
    r"get (drunk|wasted|hammered)|(wine|beer|whiske?y|mezcal|tequila|sake|cocktail|spirits?)\s+tasting)\b"
)
_ALCOHOL_MENTION = re.compile(r"\b(wine|beer|cocktails?|brewery|winery|mezcal|tequila|bubbles)\b")
_SPAM = re.compile(
    r"(\b(free money|100% free|winner|you('ve)? won|prize|cash|act now|urgent|limited time|last chance|"
    r"guaranteed|risk[- ]free|no credit check|click here|call now)\b|\$\$+)"
)
_PHISHING = re.compile(
    r"(verify (your )?account|account (locked|suspended)|confirm your (identity|password|ssn)|gift ?card|zelle|"
    r"venmo|cash ?app|wire transfer|password|social security)"
)
_SHOUT_ALLOWED = frozenset({"STOP", "HELP", "RSVP", "SF", "BBQ", "BYOB", "USA"})
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b"
)
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(am|pm)\b")
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_MONTH_DAY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(st|nd|rd|th)?\b"
)
_NUMBER = re.compile(r"\b\d+\b")
_HOSTED_BY = re.compile(r"(?i)\b(?:hosted by|with chef|chef)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_CAPS_WORD = re.compile(r"[A-Za-z]{3,}")
_REPEATED_PUNCTUATION = re.compile(r"[!?]{2,}|\.{4,}")
_SCHEME = re.compile(r"(?i)^https?://")


# Patterns built from names (members, events, venues) are cached: `re`'s own cache holds 512, a run meets thousands.
@lru_cache(maxsize=16384)
def _literal(name: str) -> re.Pattern:
    return re.compile(re.escape(name), re.IGNORECASE)


@lru_cache(maxsize=16384)
def _word(word: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(word)}\b")


@lru_cache(maxsize=64)
def _any_of(names: frozenset[str], whole_words: bool) -> re.Pattern | None:
    """One pattern finding any of `names`: a quick test before checking the names one by one."""
    alternatives = "|".join(re.escape(name) for name in sorted(filter(None, names), key=len, reverse=True))
    if not alternatives:
        return None
    return re.compile(rf"\b(?:{alternatives})\b" if whole_words else alternatives, re.IGNORECASE)


def extract_urls(text: str) -> list[str]:
    """Links and bare domains, outside email addresses (whose domains are not links)."""
    return [match.group(0).rstrip(".,;:!?)") for match in _URL.finditer(_without_emails(text, " "))]


def _without_emails(text: str, replacement: str) -> str:
    return _EMAIL.sub(replacement, text) if "@" in text else text  # the pattern is slow to rule out on its own


def booking_url(event_id: str) -> str:
    return BOOKING_URL.format(event_id=event_id)


@dataclass(frozen=True)
class MessageContext:
    """What a text is checked against: the member, the matched event's record and the brand settings."""

    first_name: str
    event_id: str
    event_name: str
    day_of_week: str
    start_local_time: str  # e.g. "7:30pm"
    start_month_day: tuple[int, int]
    venue_name: str | None
    neighborhood: str | None
    host_name: str | None
    spots_left: int
    participant_count: int
    max_participants: int
    needs_opt_out: bool
    known_venues: frozenset[str] = field(default_factory=frozenset)
    known_neighborhoods: frozenset[str] = field(default_factory=frozenset)
    member_neighborhoods: frozenset[str] = field(default_factory=frozenset)
    brand: str = "Cuculi:"
    allow_emoji: bool = False


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    detail: str = ""
    hard: bool = True


def _result(rule: str, problems: list[str], hard: bool = True) -> RuleResult:
    return RuleResult(rule, not problems, "; ".join(problems), hard)


def _shouting(text: str) -> list[str]:
    words = [word for word in _CAPS_WORD.findall(text) if word.isupper() and word not in _SHOUT_ALLOWED]
    letters = list(filter(str.isalpha, text))
    problems = [f"all-caps words {words[:3]}"] if words else []
    if letters and sum(map(str.isupper, letters)) / len(letters) > 0.3:
        problems.append("mostly capitals")
    if _REPEATED_PUNCTUATION.search(text) or text.count("!") > 1:
        problems.append("repeated punctuation")
    return problems


def _false_facts(text: str, context: MessageContext) -> list[str]:
    """Every day, time, date, count, venue, neighborhood and host the text states must be the event's."""
    body = _URL.sub(" ", text)
    # Names may hold digits or day words ("Pier 5 Loft", "Taco Tuesday"): facts are read from the rest.
    for name in (context.event_name, context.venue_name, context.host_name, context.first_name):
        if name:
            body = _literal(name).sub(" ", body)
    problems, lowered = [], body.lower()
    expected_day = context.day_of_week.lower()
    for match in _WEEKDAY.finditer(lowered):
        day = next(name for name in _WEEKDAYS if name.startswith(match.group(1)[:3]))
        if day != expected_day:
            problems.append(f"says {match.group(0)}, the event is on {context.day_of_week}")
    stated_numbers = set()
    for match in _TIME.finditer(lowered):
        stated_numbers.add(match.span())
        stated = f"{int(match.group(1))}:{match.group(2) or '00'}{match.group(3)}"
        if stated != context.start_local_time:
            problems.append(f"says {match.group(0)}, the event starts at {context.start_local_time}")
    for match in _MONTH_DAY.finditer(lowered):
        stated_numbers.add(match.span())
        month = _MONTHS.index(match.group(1)[:3]) + 1
        if (month, int(match.group(2))) != context.start_month_day:
            problems.append(f"says {match.group(0)}, the event is on another date")
    true_counts = {context.spots_left, context.participant_count, context.max_participants}
    for match in _NUMBER.finditer(lowered):
        inside_time_or_date = any(start <= match.start() < end for start, end in stated_numbers)
        if not inside_time_or_date and int(match.group(0)) not in true_counts:
            problems.append(f"states {match.group(0)}, not a count of this event")
    other_venues = _any_of(context.known_venues, whole_words=False)
    for venue in context.known_venues - {context.venue_name} if other_venues and other_venues.search(body) else ():
        if (
            venue
            and venue.lower() in lowered
            and not (context.venue_name and venue.lower() in context.venue_name.lower())
        ):
            problems.append(f"names venue {venue}")
    allowed_places = {context.neighborhood} | set(context.member_neighborhoods)
    places = _any_of(context.known_neighborhoods, whole_words=True)
    for place in context.known_neighborhoods - allowed_places if places and places.search(body) else ():
        if (
            place
            and _word(place.lower()).search(lowered)
            and not any(place.lower() in (allowed or "").lower() for allowed in allowed_places)
        ):
            problems.append(f"names neighborhood {place}")
    for match in _HOSTED_BY.finditer(body):
        if not context.host_name or match.group(1).lower() not in context.host_name.lower():
            problems.append(f"names host {match.group(1)}")
    return problems


def check_message(text: str, context: MessageContext) -> list[RuleResult]:
    """Every rule of the README's "Writing and checking" on one text. `hard` results block publishing; the others
    are warnings."""
    urls, lowered = extract_urls(text), text.lower()
    expected_url = booking_url(context.event_id)
    shorteners = [url for url in urls if _SCHEME.sub("", url).split("/")[0].lower() in SHORTENERS]
    without_urls = _URL.sub(" ", _without_emails(text, " email "))
    emails = _EMAIL.findall(text) if "@" in text else []
    gsm = encoding(text) == "GSM-7"
    emoji = _EMOJI.findall(text)
    segments = count_segments(text)
    return [
        _result("length", [f"{len(text)} characters > {MAX_CHARACTERS}"] if len(text) > MAX_CHARACTERS else []),
        _result("segments", [f"{segments} segments"] if segments > MAX_SEGMENTS else []),
        _result(
            "encoding",
            []
            if gsm or (context.allow_emoji and encoding(_EMOJI.sub("", text)) == "GSM-7")
            else [f"not GSM-7: {sorted(set(NOT_GSM7.findall(text)))[:5]}"],
        ),
        _result("emoji", [f"{len(emoji)} emoji"] if emoji and not context.allow_emoji else []),
        _result(
            "booking_link",
            [] if urls == [expected_url] else [f"links {urls}, expected exactly {expected_url}"],
        ),
        _result("no_shorteners", [f"public shortener {shorteners}"] if shorteners else []),
        _result(
            "no_other_contacts",
            [f"phone number {m.group(0)!r}" for m in _PHONE.finditer(without_urls)] + [f"email {e!r}" for e in emails],
        ),
        _result(
            "shaft",
            [f"forbidden topic {m.group(0)!r}" for m in _FORBIDDEN.finditer(lowered)]
            + [f"alcohol offer {m.group(0)!r}" for m in _ALCOHOL_OFFER.finditer(lowered)],
        ),
        _result(
            "alcohol_mention", [f"mentions {m.group(0)!r}" for m in _ALCOHOL_MENTION.finditer(lowered)], hard=False
        ),
        _result(
            "spam_or_phishing",
            [f"spam phrase {m.group(0)!r}" for m in _SPAM.finditer(lowered)]
            + [f"phishing phrase {m.group(0)!r}" for m in _PHISHING.finditer(lowered)],
        ),
        _result("no_shouting", _shouting(without_urls)),
        _result("brand", [] if text.startswith(context.brand) else [f"does not start with {context.brand!r}"]),
        _result(
            "first_name",
            [] if _word(to_gsm7(context.first_name)).search(text) else ["no first name"],
        ),
        _result("opt_out", ["opt-out language missing"] if context.needs_opt_out and OPT_OUT not in text else []),
        _result("event_named", [] if context.event_name.lower() in lowered else ["event not named"]),
        _result("facts", _false_facts(text, context)),
    ]


def failed_hard_rules(results: list[RuleResult]) -> list[RuleResult]:
    return [result for result in results if result.hard and not result.passed]


def textable_event_name(name: str) -> bool:
    """An event whose very name promotes alcohol or a forbidden topic cannot be named in a compliant text."""
    return not (_ALCOHOL_OFFER.search(name.lower()) or _FORBIDDEN.search(name.lower()))
