"""SMS rules as plain functions: encoding and segments, links, content and claims (docs/writing.md).

`check_message` runs every rule on one text and returns one result per rule; a message is publishable only when
every hard (BLOCK) rule passes.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import NamedTuple

from cucu_pipeline.campaign.checks.claims import false_facts, without_names
from cucu_pipeline.campaign.checks.content_rules import (
    ALCOHOL_MENTION,
    ALCOHOL_OFFER,
    ANY_LISTED,
    FORBIDDEN,
    PHISHING,
    SHORTENERS,
    SPAM,
    find_links,
    link_host,
)
from cucu_pipeline.campaign.checks.context import MessageContext
from cucu_pipeline.campaign.checks.history import false_history, misfit_words
from cucu_pipeline.campaign.checks.segments import NOT_GSM7, count_segments, encoding, to_gsm7
from cucu_pipeline.campaign.checks.sieve import holds

OPT_OUT = "Reply STOP to opt out"
ONE_SEGMENT = 160  # GSM-7 characters in one segment: what every text aims at
MAX_CHARACTERS = 180  # the hard ceiling, link included, for facts that cannot fit one segment
MAX_SEGMENTS = 2

_PHONE = re.compile(r"(?<![\w/])(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")
# No figure a text states (seats, a time, a year) has five digits: a longer number is a phone or an insane value.
_LONG_NUMBER = re.compile(r"\d{5,}")
_NO_DIGITS = str.maketrans("", "", string.digits)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_SHOUT_ALLOWED = frozenset({"STOP", "HELP", "RSVP", "SF", "BBQ", "USA"})
_CAPS_WORD = re.compile(r"(?<![A-Za-z])[A-Z]{3,}(?![A-Za-z])")  # a run of three letters or more, every one upper
_REPEATED_PUNCTUATION = re.compile(r"[!?]{2,}|\.{4,}")
_PUNCTUATION_RUNS = ("!!", "??", "!?", "?!", "....")  # what every repeated punctuation holds
_ASCII_CAPITALS = string.ascii_uppercase.encode()
_ASCII_LETTERS = string.ascii_letters.encode()


@lru_cache(maxsize=16384)
def _word(word: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(word)}\b")


def extract_urls(text: str) -> list[str]:
    """Links and bare domains of every public suffix, outside email addresses (whose domains are not links)."""
    return _links(text)[0]


def _links(text: str) -> tuple[list[str], str]:
    """The links of `text` (emails set aside), and the text without its emails and links, read once for both."""
    if "@" in text:  # the email pattern is slow to rule out on its own
        text = _EMAIL.sub(" ", text)
    matches = find_links(text)
    for match in reversed(matches):
        text = text[: match.start()] + " " + text[match.end() :]
    return [match.group(0).rstrip(".,;:!?)") for match in matches], text


class RuleResult(NamedTuple):
    """One rule's verdict on one text (a named tuple: a check makes 16 of them, a frozen dataclass took 1 us each)."""

    rule: str
    passed: bool
    detail: str = ""
    hard: bool = True


# "Hi , Pasta Supper" or "Cuculi: , Pasta Supper": a greeting or an opening whose name was left empty (a space
# before the comma; "Hi, Ana" is a greeting).
_EMPTY_GREETING = re.compile(r"\b(?:hi|hey|hello|dear)\s+[,!:]|^\S+:\s+,", re.IGNORECASE)
# What every empty greeting holds, found in 1 us where the greeting's scan from `\b` takes 9: a text without it is
# never scanned.
_SPACE_BEFORE_MARK = re.compile(r"\s[,!:]")


def _result(rule: str, problems: list[str], hard: bool = True) -> RuleResult:
    return RuleResult(rule, False, "; ".join(problems), hard) if problems else _passed(rule, hard)


@lru_cache(maxsize=64)
def _passed(rule: str, hard: bool) -> RuleResult:
    """One result for every text a rule passes: a date's checks then share a few dozen objects, and the results a
    forked share sends back pickle each once (pickle refers back to an object it has written)."""
    return RuleResult(rule, True, "", hard)


def _letters_and_capitals(text: str) -> tuple[int, int]:
    if text.isascii():  # nearly every text: bytes delete a class of letters in C, 10 us a text in Python
        raw = text.encode()
        return len(raw) - len(raw.translate(None, _ASCII_LETTERS)), len(raw) - len(raw.translate(None, _ASCII_CAPITALS))
    letters = list(filter(str.isalpha, text))
    return len(letters), sum(map(str.isupper, letters))


def _shouting(text: str) -> list[str]:
    words = [word for word in _CAPS_WORD.findall(text) if word not in _SHOUT_ALLOWED]
    letters, capitals = _letters_and_capitals(text)
    problems = [f"all-caps words {words[:3]}"] if words else []
    if letters and capitals / letters > 0.3:
        problems.append("mostly capitals")
    if text.count("!") > 1 or (holds(text, _PUNCTUATION_RUNS) and _REPEATED_PUNCTUATION.search(text)):
        problems.append("repeated punctuation")
    return problems


def _brand_and_opt_out(text: str, context: MessageContext) -> tuple[list[str], list[str]]:
    brand = [] if text.startswith(context.brand) else [f"does not start with {context.brand!r}"]
    if text.count(context.brand) > 1:
        brand.append(f"{context.brand!r} {text.count(context.brand)} times")
    opt_out = ["opt-out language missing"] if context.needs_opt_out and OPT_OUT not in text else []
    if text.count(OPT_OUT) > 1:
        opt_out.append(f"opt-out line {text.count(OPT_OUT)} times")
    return brand, opt_out


def _contacts(without_urls: str, emails: list[str]) -> list[str]:
    if len(without_urls) - len(without_urls.translate(_NO_DIGITS)) < 5:  # no phone and no long number: most texts
        return [f"email {email!r}" for email in emails]
    phones = [m.group(0) for m in _PHONE.finditer(without_urls)]
    numbers = [m.group(0) for m in _LONG_NUMBER.finditer(without_urls) if not any(m.group(0) in p for p in phones)]
    return (
        [f"phone number {phone!r}" for phone in phones]
        + [f"number {number!r} of more than 4 digits" for number in numbers]
        + [f"email {email!r}" for email in emails]
    )


def _listed(lowered: str) -> tuple[list[str], list[str], list[str]]:
    """The carriers' forbidden topics and alcohol offers, the alcohol mentioned, and spam or phishing phrasing."""
    if not ANY_LISTED.search(lowered):
        return [], [], []
    return (
        [f"forbidden topic {m.group(0)!r}" for m in FORBIDDEN.finditer(lowered)]
        + [f"alcohol offer {m.group(0)!r}" for m in ALCOHOL_OFFER.finditer(lowered)],
        [f"mentions {m.group(0)!r}" for m in ALCOHOL_MENTION.finditer(lowered)],
        [f"spam phrase {m.group(0)!r}" for m in SPAM.finditer(lowered)]
        + [f"phishing phrase {m.group(0)!r}" for m in PHISHING.finditer(lowered)],
    )


def check_message(text: str, context: MessageContext) -> list[RuleResult]:
    """Every rule of docs/writing.md: "Writing and checking" on one text. `hard` results block publishing; the others
    are warnings."""
    (urls, without_urls), lowered = _links(text), text.lower()
    shorteners = [url for url in urls if link_host(url) in SHORTENERS]
    emails = _EMAIL.findall(text) if "@" in text else []
    gsm = encoding(text) == "GSM-7"
    emoji = _EMOJI.findall(text)
    segments = count_segments(text)
    brand, opt_out = _brand_and_opt_out(text, context)
    named = without_names(without_urls, context)
    named_out = named.lower()
    shaft, alcohol, spam = _listed(lowered)
    return [
        _result("length", [f"{len(text)} characters > {MAX_CHARACTERS}"] if len(text) > MAX_CHARACTERS else []),
        _result(
            "segments",
            [f"{segments} segments, at most {context.max_segments} here"] if segments > context.max_segments else [],
        ),
        _result(
            "encoding",
            []
            if gsm or (context.allow_emoji and encoding(_EMOJI.sub("", text)) == "GSM-7")
            else [f"not GSM-7: {sorted(set(NOT_GSM7.findall(text)))[:5]}"],
        ),
        _result("emoji", [f"{len(emoji)} emoji"] if emoji and not context.allow_emoji else []),
        _result(
            "booking_link",
            [] if urls == [context.booking_url] else [f"links {urls}, expected exactly {context.booking_url}"],
        ),
        _result("no_shorteners", [f"public shortener {shorteners}"] if shorteners else []),
        _result("no_other_contacts", _contacts(without_urls, emails)),
        _result("shaft", shaft),
        _result("alcohol_mention", alcohol, hard=False),
        _result("spam_or_phishing", spam),
        _result("no_shouting", _shouting(without_urls)),
        _result("brand", brand),
        # A member whose name has no GSM-7 form is greeted without it (`texting_name`).
        _result(
            "first_name",
            ([] if not context.first_name or _word(to_gsm7(context.first_name)).search(text) else ["no first name"])
            + [f"a greeting with no name: {m.group(0)!r}" for m in _empty_greetings(without_urls)],
        ),
        _result("opt_out", opt_out),
        _result("event_named", [] if context.event_name.lower() in lowered else ["event not named"]),
        _result("facts", false_facts(without_urls, context, named)),
        _result(
            "history",
            false_history(without_urls.lower(), named_out, context.history, context.event_name, context.host_name),
        ),
        _result("wording", misfit_words(without_urls, named_out, context.kind)),
    ]


def _empty_greetings(text: str) -> list[re.Match]:
    return list(_EMPTY_GREETING.finditer(text)) if _SPACE_BEFORE_MARK.search(text) else []


def failed_hard_rules(results: list[RuleResult]) -> list[RuleResult]:
    return [result for result in results if result.hard and not result.passed]


@lru_cache(maxsize=65536)  # a past event's name is read for every member who was at it
def textable_event_name(name: str) -> bool:
    """An event whose very name promotes alcohol or a forbidden topic cannot be named in a compliant text."""
    return not (ALCOHOL_OFFER.search(name.lower()) or FORBIDDEN.search(name.lower()))
