"""What a reader grades, measured (docs/quality.md: "The local judge"): each text's signals, read from its words and
the facts and reasons of its member and event. `features` are the numbers the judge's fitted weights read; `flaws`
are definite faults, each capping its criterion with a named issue (a false claim about the member's past is a 1
on `personal` whatever else the text does well).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from cucu_pipeline.campaign.checks.history import false_history, misfit_words
from cucu_pipeline.campaign.matching.campaigns import FILL_THE_TABLE, RETURN_TO_TABLE, SEAT_THE_NEWCOMER
from cucu_pipeline.campaign.reasons.evidence import FIRST_TABLE, HISTORY_REASONS, SCARCE_SEATS, SOCIAL_PROOF_SHARE
from cucu_pipeline.campaign.reasons.kinds import EventKind
from cucu_pipeline.quality.rubric import Review

ECHO_SHARE = 0.7  # this share of a recent text's words again reads as the same text
REPEATED_SHARE = 0.08  # a line in more than this share of a date's texts reads as the one everybody got
FEW_SEATS = 10  # "a few more" only below this many seats open

_WORDS = re.compile(r"[a-z']+")
_DOUBLED = re.compile(r"[!?,;:]\s*[!?.,;:]|\.\s*[!?,;:]|(?<!\.)\.\.(?!\.)")
_RETURN_WORDS = re.compile(
    r"\b(back|again|missed you|it's been|reunion|encore|sequel|long time|last time|since|you were at|you came)\b"
)
_WELCOME = re.compile(r"\b(welcome|say hi|first|start here|new faces|meet|newcomers?)\b")
_FIRST_WORDS = re.compile(r"\b(your first|first (?:table|dinner|cuculi|time|visit)|first-timer|new faces|start here)\b")
_CALL = re.compile(
    r"\b(save|grab|claim|join|come|pull up|book|pick|take|answer|make it|welcome back|yours|your seat|say hi|"
    r"reserve|bring|see you|in\?|count you in|say yes|rejoin|be first|be among|accept|meet|start here|snag|nab|"
    r"get)\b"
)
_SOCIAL_PROOF = re.compile(r"\b(guests? (is|are) in|\d+ guests? in|join them|make it one more|others are)\b")
_FILLING = re.compile(r"\b(a few more|filling|almost full|last seats?|going fast)\b")
_EVENING = re.compile(r"\b(dinner|supper|tonight|evening|night|nightcap)\b")
_DAYTIME = re.compile(r"\b(morning|brunch|breakfast|lunch|daytime|before dark|afternoon|sunny)\b")
_GUEST_COUNT = re.compile(r"\b\d+ guests?\b")
_SEAT_COUNT = re.compile(r"\b\d+ (?:seats?|spots?|chairs?)\b")
_EMPTY_CHAIRS = re.compile(r"\b(empty chairs?|has room|room for you|seats? (?:still )?open|chairs? (?:waiting|free))\b")
_FAN = re.compile(r"\bfans?\b")
_NUMBER = re.compile(r"\d+")

FEATURES = (
    "reasons_stated", "strongest_stated", "taste_used", "taste_unused", "own_words", "repeats", "venue_named",
    "question", "unpersuasive_count", "empty_chairs", "tautological_hook", "no_name", "length", "opens_with_event",
    "campaign_voice", "personal_reason", "table_reason_only", "tautology", "double_call", "colon_listing",
    "dangling_call", "missed_personal",
)  # fmt: skip
_DANGLING = re.compile(r"\b(grab|claim|snag|book|save) one:")
_SEAT_WORD = re.compile(r"\b(seats?|spots?|chairs?|places?)\b")
# Reasons about the member, not only the table: what a reader grades as personal.
MEMBER_REASONS = frozenset(
    {"been_here", "been_host", "been_kind", "returning", "taste", "neighborhood", "diet", "first_table", "singles",
     "invited"}
)  # fmt: skip
_CLASS_WORDS = frozenset({"class", "cooking", "cook", "hands", "on"})  # what any cooking class already says
# Words that say what kind of table it is, not what it serves: a hook made only of them restates the event.
_KIND_WORDS = _CLASS_WORDS | {"singles", "single", "tasting", "brunch", "dinner", "supper", "baking", "masterclass"}
_HOOK_PHRASE = re.compile(
    r"\b([a-z]+) fans?\b|\binto ([a-z]+)|\b(?:a|an) ([a-z-]+ [a-z]+) at\b|\bfor ([a-z]+) like you\b"
)


@dataclass(frozen=True)
class Signals:
    features: dict[str, float]
    flaws: tuple[tuple[str, int, str], ...]  # (criterion, the most it may score, issue)


def _without(text: str, *names: str | None) -> str:
    for name in filter(None, names):
        text = text.replace(name.lower(), " ")
    return text


def stated(reason_slots: dict[str, str], kind: str, words: str) -> bool:
    """Whether a reason's evidence is in the text's own words (the event's name and time taken out)."""
    values = {
        "last_seats": ("seats",), "been_here": ("last_time",), "holiday": ("holiday",), "diet": ("diet_offer",),
        "taste": ("taste",), "neighborhood": ("neighborhood", "near"), "been_host": ("host",),
        "been_kind": ("past_event",), "returning": ("since",), "guests": ("guests",), "half_full": ("guests",),
        "host": ("host",), "feature": ("feature",),
    }.get(kind)  # fmt: skip
    if values:
        return any(reason_slots.get(slot, "\0").lower() in words for slot in values)
    return {
        FIRST_TABLE: lambda: bool(_FIRST_WORDS.search(words)),
        "first_seats": lambda: "first" in words,
        "singles": lambda: "single" in words,
    }.get(kind, lambda: False)()


def skeleton(review: Review) -> str:
    """The text with the member's name, the event's facts and every number masked: what the same line of copy
    leaves the same, whoever and whatever it is about."""
    event, text = review.event, review.body.lower()
    slots = [value for reason in event.reasons for _, value in reason.slots]
    for value in sorted(
        filter(None, [review.brief.first_name, event.name, event.when, event.venue, event.host, event.neighborhood,
                      event.hook, *slots]), key=len, reverse=True
    ):  # fmt: skip
        text = text.replace(value.lower(), "#")
    return _NUMBER.sub("#", text)


@dataclass(frozen=True)
class _Reading:
    """A text read once for every signal: its words without the event's facts (`own`), without its names
    (`words`: facts about the member stay), and which of its reasons it states."""

    body: str
    lowered: str
    own: str
    words: str
    said: tuple[str, ...]
    hook_used: bool
    hook_in_title: bool


def _read(review: Review) -> _Reading:
    body, event, brief = review.body, review.event, review.brief
    lowered = body.lower()
    words = _without(lowered, event.name, event.venue)
    title_words = set(_WORDS.findall(event.name.lower()))
    return _Reading(
        body=body,
        lowered=lowered,
        own=_without(lowered, event.name, event.venue, event.when, brief.first_name),
        words=words,
        said=tuple(reason.kind for reason in event.reasons if stated(dict(reason.slots), reason.kind, words)),
        hook_used=bool(event.hook) and event.hook.lower() in words,
        hook_in_title=bool(event.hook) and set(_WORDS.findall(event.hook.lower())) <= title_words,
    )


def _features(read: _Reading, review: Review, repeats: float) -> dict[str, float]:
    event, brief = review.event, review.brief
    voice = _RETURN_WORDS if event.campaign == RETURN_TO_TABLE else _WELCOME
    available = {reason.kind for reason in event.reasons}
    return {
        "reasons_stated": min(len(read.said), 3) / 3,
        "strongest_stated": float(bool(event.reasons) and event.reasons[0].kind in read.said),
        "taste_used": float(read.hook_used and not read.hook_in_title),
        "taste_unused": float(bool(event.hook) and not read.hook_used),
        "own_words": min(len(_WORDS.findall(read.own)), 16) / 16,
        "repeats": repeats,
        "venue_named": float(bool(event.venue) and event.venue.lower() in read.lowered),
        "question": float("?" in read.body),
        "unpersuasive_count": float(
            bool(_SEAT_COUNT.search(read.own)) and event.spots_left > SCARCE_SEATS
            and event.participant_count * 2 < event.max_participants
        ),
        "empty_chairs": float(bool(_EMPTY_CHAIRS.search(read.own))),
        "tautological_hook": float(read.hook_in_title and bool(_FAN.search(read.own))),
        "no_name": float(not brief.first_name),
        "length": min(len(read.body), 140) / 140,
        "opens_with_event": float(read.lowered.startswith(f"{(brief.first_name or '').lower()}, {event.name.lower()}")),
        "campaign_voice": float(event.campaign != FILL_THE_TABLE and bool(voice.search(read.words))),
        "personal_reason": float(bool(set(read.said) & MEMBER_REASONS)),
        "table_reason_only": float(bool(read.said) and not set(read.said) & MEMBER_REASONS),
        "tautology": float(_restates_title(read, event.name, event.kind)),
        "double_call": float(len(_CALL.findall(read.own)) >= 2),
        "colon_listing": float(f": {event.name.lower()}" in read.lowered),
        "dangling_call": float(bool(_DANGLING.search(read.lowered)) and not _SEAT_WORD.search(read.own)),
        "missed_personal": min(len(available & MEMBER_REASONS - set(read.said)), 3) / 3,
    }  # fmt: skip


def _claim_flaws(read: _Reading, review: Review) -> list[tuple[str, int, str]]:
    """Claims about the member that their reasons do not support, and words that do not fit the event."""
    event, words, flaws = review.event, read.words, []
    kinds = {reason.kind for reason in event.reasons}
    if _RETURN_WORDS.search(words) and not kinds & HISTORY_REASONS:
        flaws += [("personal", 1, "claims a past the member does not have"), ("fit", 2, "misleads the member")]
        if event.campaign == SEAT_THE_NEWCOMER:
            flaws.append(("tone", 2, "welcomes a first-timer back"))
    if _FIRST_WORDS.search(words) and FIRST_TABLE not in kinds:
        flaws.append(("personal", 1, "calls a member who has been a first-timer"))
    if event.campaign == RETURN_TO_TABLE and _FIRST_WORDS.search(words):
        flaws.append(("tone", 2, "greets a returning member as a first-timer"))
    if not review.checked:
        flaws += [("fit", 1, problem) for problem in misfit_words(read.body, words, EventKind(event.kind, event.food))]
        for problem in false_history(read.lowered, words, review.brief.history, event.name, event.host):
            flaws += [("personal", 1, problem), ("fit", 2, "misleads the member about their own past")]
    if event.participant_count == 0 and _SOCIAL_PROOF.search(read.own):
        flaws.append(("fit", 1, "social proof with no guest in"))
    if event.spots_left >= FEW_SEATS and _FILLING.search(read.own):
        flaws.append(("fit", 1, f"says the table is filling with {event.spots_left} seats open"))
    if not event.evening and _EVENING.search(read.own):
        flaws.append(("fit", 1, "evening words for a daytime event"))
    if event.evening and _DAYTIME.search(read.own):
        flaws.append(("fit", 1, "daytime words for an evening event"))
    return flaws


def _craft_flaws(read: _Reading, review: Review, features: dict[str, float]) -> list[tuple[str, int, str]]:
    """What a copywriter would send back: no reason, the taste unused, a listing, no invitation, an echo."""
    event, brief, flaws = review.event, review.brief, []
    if event.hook and not read.hook_used:
        flaws.append(("personal", 3, f"does not use the taste the member shares with the event ({event.hook})"))
    if not read.said:
        flaws += [("personal", 2, "states no specific reason to go"), ("natural", 3, "a template with no reason")]
    if features["unpersuasive_count"]:
        flaws.append(("fit", 2, f"names {event.spots_left} seats open: an empty table, not urgency"))
    if _GUEST_COUNT.search(read.own) and event.participant_count < SOCIAL_PROOF_SHARE * event.max_participants:
        flaws.append(("fit", 2, f"sells {event.participant_count} of {event.max_participants} seats as a crowd"))
    if features["tautological_hook"] or features["tautology"]:
        flaws.append(("personal", 3, "the hook only repeats the event's name"))
    if _DOUBLED.search(read.body):
        flaws.append(("natural", 2, "doubled punctuation"))
    if read.body.count("!") > 1:
        flaws.append(("natural", 3, "more than one '!'"))
    facts = set(_WORDS.findall(" ".join(filter(None, (event.name, event.venue, event.when, brief.first_name))).lower()))
    if any(_overlap(read.body, recent, facts) >= ECHO_SHARE for recent in brief.recent_texts):
        flaws.append(("natural", 2, "echoes a recent text"))
    if features["repeats"] > REPEATED_SHARE:
        flaws.append(("natural", 2, f"the same line as {features['repeats']:.0%} of the date's texts"))
    if features["own_words"] < 0.25:
        flaws.append(("natural", 2, "a listing of facts, not a sentence"))
    last_clause = read.own[read.own.rfind(".") + 1 :] if "." in read.own.rstrip(".") else read.own
    if not _CALL.search(last_clause):
        flaws.append(("call_to_action", 2, "ends without an invitation"))
    if (
        event.campaign == FILL_THE_TABLE
        and features["empty_chairs"]
        and event.participant_count * 2 < event.max_participants
    ):
        flaws.append(("tone", 3, "sells empty seats"))
    return flaws


def signals(review: Review, repeats: float = 0.0) -> Signals:
    """The features and flaws of one text; `repeats` is the share of the date's texts with its skeleton."""
    read = _read(review)
    features = _features(read, review, repeats)
    return Signals(features, tuple(_claim_flaws(read, review) + _craft_flaws(read, review, features)))


def _restates_title(read: _Reading, name: str, kind: str) -> bool:
    """A hook that only says what the event's name already does: "a cooking fan" for a cooking class, "a
    hands-on class at Sourdough Masterclass"."""
    title = (set(_WORDS.findall(name.lower())) | (_CLASS_WORDS if kind == "class" else set())) & _KIND_WORDS
    for match in _HOOK_PHRASE.finditer(read.lowered):
        words = set(_WORDS.findall(next(group for group in match.groups() if group)))
        if words and words <= title | {"a", "an"}:
            return True
    return False


def _overlap(body: str, recent: str, facts: set[str]) -> float:
    """The share of the recent text's own words (not the member's name nor this event's facts) the new text repeats:
    the same wording, whatever event it was about."""
    old = set(_WORDS.findall(recent.lower())) - facts
    return len(old & set(_WORDS.findall(body.lower()))) / len(old) if old else 0.0


def repeat_shares(reviews: list[Review]) -> list[float]:
    """For each text, the share of the batch (a date's texts) written on the same skeleton."""
    skeletons = [skeleton(review) for review in reviews]
    counts = Counter(skeletons)
    return [(counts[one] - 1) / max(len(reviews) - 1, 1) for one in skeletons]
