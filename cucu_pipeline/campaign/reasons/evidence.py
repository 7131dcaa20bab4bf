"""The reasons this member would want this table, each derived only when its evidence holds as of the campaign date,
ranked for the pair's campaign (`ranks.csv`). Each reason carries the evidence the team reads and the words a line of
copy may fill in (`slots`): a line can say only what a reason it uses makes true."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from cucu_pipeline.campaign.checks.content_rules import ALCOHOL_MENTION
from cucu_pipeline.campaign.checks.sms_rules import textable_event_name
from cucu_pipeline.campaign.checks.when import EventTime
from cucu_pipeline.campaign.matching.audience import SINGLE_STATUSES, SINGLES
from cucu_pipeline.campaign.matching.diet import LIFTS, MEMBER_WORDING
from cucu_pipeline.campaign.reasons.history import MemberHistory, month_phrase
from cucu_pipeline.campaign.reasons.kinds import EventKind, event_kind
from cucu_pipeline.campaign.reasons.occasions import occasion_on
from cucu_pipeline.campaign.reasons.tables import rows
from cucu_pipeline.core.wording import plural

SCARCE_SEATS = 3  # scarcity is said only at this many seats left or fewer
SOCIAL_PROOF_GUESTS = 2  # "5 guests are in" persuades from two guests...
SOCIAL_PROOF_SHARE = 0.4  # ...and two fifths of the table: "4 guests of 20" sells empty seats
RETURNING_AFTER_DAYS = 31  # "we haven't seen you since" only after this long away
REPEAT_AFTER_DAYS = 28  # the same event again is a reason once a month has passed, not a re-sell of last week
# ...and for a year: "round two" after four years reads as a stranger's (a reader graded such texts 2 of 5 on
# 2026-12-08); the member's return is then the reason ("returning").
REPEAT_WITHIN_DAYS = 365
# The diets an event can cater for, as a line says it.
DIET_OFFERS = {"vegan": "vegan options", "vegetarian": "vegetarian options", "gluten": "gluten-free options"}

LAST_SEATS, BEEN_HERE, HOLIDAY, DIET, TASTE, NEIGHBORHOOD = (
    "last_seats", "been_here", "holiday", "diet", "taste", "neighborhood"
)  # fmt: skip
BEEN_HOST, BEEN_KIND, RETURNING, FIRST_TABLE, SINGLES_NIGHT = (
    "been_host", "been_kind", "returning", "first_table", "singles"
)  # fmt: skip
GUESTS, HALF_FULL, HOST, FIRST_SEATS, FEATURE = "guests", "half_full", "host", "first_seats", "feature"
INVITED = "invited"
# Categories that say what kind of table an event is rather than what it serves or is about: an interest they hold
# restates the event, and two events that share only "Dinner" are not alike.
_KIND_CATEGORIES = frozenset({"Cooking Class", "Baking", "Tasting", "Dinner", "Brunch"})
GENERIC_CATEGORIES = frozenset({"Dinner"})
# Reasons that speak of the member's own past: only where their attendance supports it.
HISTORY_REASONS = frozenset({BEEN_HERE, BEEN_HOST, BEEN_KIND, RETURNING})


@dataclass(frozen=True)
class Reason:
    kind: str
    evidence: str  # what the team reads: "2 seats left", "was at Taco Supper Club on 2025-03-02"
    slots: tuple[tuple[str, str], ...] = ()  # the words a line may fill in: (("seats", "2 seats"), ...)


@lru_cache(maxsize=1)
def ranks() -> dict[str, dict[str, int]]:
    """campaign -> reason -> rank (1 strongest); a reason without a rank is not used for that campaign."""
    table = rows("ranks")
    campaigns = [column for column in table[0] if column != "reason"]
    return {campaign: {row["reason"]: int(row[campaign]) for row in table if row[campaign]} for campaign in campaigns}


@lru_cache(maxsize=1)
def _feature_phrases() -> dict[str, tuple[str, frozenset[str]]]:
    return {row["feature"].lower(): (row["phrase"], frozenset(row["kinds"].split("|"))) for row in rows("features")}


def _article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def shared_taste(member: dict, event: dict, kind: EventKind | None = None) -> str:
    """The first of the member's cuisines and interests that the event's name, categories or features share: "Thai
    food", "jazz", or "". Never a drink (an alcohol mention is a carrier warning), and a cuisine only where the event
    serves food (an "Italian Wine Tasting" is no Italian food)."""
    kind = kind or event_kind(event["name"], tuple(event["categories"]), tuple(event["features"]))
    themes = " ".join([event["name"], *event["categories"], *event["features"]]).lower()
    tastes = [(f"{cuisine} food", cuisine) for cuisine in member["cuisine_preferences"]] if kind.food else []
    tastes += [
        (interest, interest)
        for interest in member["interests"]
        if not _restates_kind(str(interest), event["name"], tuple(event["categories"]))
    ]
    for hook, taste in tastes:
        if (
            isinstance(taste, str)
            and taste.strip()
            and _whole_word(taste.lower()).search(themes)
            and not ALCOHOL_MENTION.search(taste.lower())
        ):
            return hook
    return ""


@lru_cache(maxsize=4096)
def _whole_word(phrase: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(phrase)}\b")


@lru_cache(maxsize=4096)
def _restates_kind(interest: str, name: str, categories: tuple[str, ...]) -> bool:
    """An interest that only restates what kind of event it is ("cooking" for a cooking class, "baking" for a baking
    class): a hook that says nothing the event's name does not."""
    words = set(re.findall(r"[a-z]+", interest.lower()))
    kinds = {word for category in _KIND_CATEGORIES & set(categories) for word in category.lower().split()}
    return bool(words) and words <= kinds | set(re.findall(r"[a-z]+", name.lower()))


def _diet_offer(member: dict, event: dict) -> str | None:
    said = " ".join(member["dietary_restrictions"]).lower().replace("-", " ")
    if not said:  # most members name no diet
        return None
    tags = " ".join([event["name"], *event["categories"], *event["features"]]).lower().replace("-", " ")
    for diet, offer in DIET_OFFERS.items():
        if re.search(MEMBER_WORDING[diet], said) and re.search(LIFTS[diet], tags):
            return offer
    return None


def _feature(event: dict, kind: EventKind) -> str | None:
    phrases = _feature_phrases()
    for feature in event["features"]:
        phrase, kinds = phrases.get(str(feature).lower(), (None, frozenset()))
        if phrase and ("any" in kinds or kind.kind in kinds):
            return phrase
    return None


def _reason(kind: str, evidence: str, **slots: str) -> Reason:
    return Reason(kind, evidence, tuple(slots.items()))


def _table_reasons(event: dict, host: str | None, kind: EventKind, day) -> list[Reason]:
    """What the table itself offers: its last seats, an occasion, its guests, its host, being first, a feature."""
    seats, guests, capacity = int(event["spots_left"]), int(event["participant_count"]), int(event["max_participants"])
    found = []
    if 0 < seats <= SCARCE_SEATS:
        found.append(_reason(LAST_SEATS, f"{plural(seats, 'seat')} left", seats=plural(seats, "seat"),
                             seats_are=f"{plural(seats, 'seat')} {'is' if seats == 1 else 'are'}"))  # fmt: skip
    if occasion := occasion_on(day):
        found.append(_reason(HOLIDAY, f"falls on {occasion}", holiday=occasion))
    if guests >= SOCIAL_PROOF_GUESTS and guests >= SOCIAL_PROOF_SHARE * capacity:
        found.append(_reason(GUESTS, f"{plural(guests, 'guest')} in", guests=plural(guests, "guest"),
                             guests_are=f"{plural(guests, 'guest')} are"))  # fmt: skip
    if guests * 2 >= capacity and seats > SCARCE_SEATS:
        found.append(_reason(HALF_FULL, f"{guests} of {capacity} seats taken", guests=plural(guests, "guest"),
                             seats=plural(seats, "seat")))  # fmt: skip
    if host:
        found.append(_reason(HOST, f"hosted by {host}", host=host))
    if guests == 0:
        found.append(_reason(FIRST_SEATS, "nobody has booked yet"))
    if feature := _feature(event, kind):
        found.append(_reason(FEATURE, f"offers {feature}", feature=feature))
    return found


def _member_reasons(member: dict, event: dict, when: EventTime, history: MemberHistory, host: str | None) -> list:
    """What ties this member to the table: where they live or work, their diet and their own past."""
    found, campaign_date = [], when.campaign_date
    if (same := history.named(event["name"])) and REPEAT_AFTER_DAYS <= (campaign_date - same.day).days <= (
        REPEAT_WITHIN_DAYS
    ):
        found.append(_reason(BEEN_HERE, f"was at {same.name} on {same.day}",
                             last_time=month_phrase(same.day, campaign_date)))  # fmt: skip
    if offer := _diet_offer(member, event):
        found.append(_reason(DIET, f"has {offer} for their diet", diet_offer=offer))
    weekday = when.start.weekday() < 5  # "close to work" is no reason on a Sunday
    for place, near in ((member["home_neighborhood"], "close to home"), (member["work_neighborhood"], "close to work")):
        if isinstance(place, str) and place and place == event["neighborhood"] and (weekday or near == "close to home"):
            found.append(_reason(NEIGHBORHOOD, f"is {near}, in {place}", neighborhood=place, near=near))
            break
    if (with_host := history.hosted_by(host)) and host:
        found.append(_reason(BEEN_HOST, f"was at {host}'s {with_host.name} on {with_host.day}", host=host))
    # A past event named in a text must be one a text may name ("Mezcal Tasting" is an alcohol offer).
    kinds = tuple(sorted(set(event["categories"]) - GENERIC_CATEGORIES))
    if similar := history.of_kind(event["name"], kinds, textable_event_name):
        found.append(_reason(BEEN_KIND, f"was at {similar.name} on {similar.day}", past_event=similar.name))
    days_away = member["days_since_last_event"]
    if history.count and pd.notna(days_away) and days_away >= RETURNING_AFTER_DAYS:
        last = history.attended[0].day
        found.append(_reason(RETURNING, f"last came on {last}",
                             since=month_phrase(last, campaign_date, preposition="")))  # fmt: skip
    if not history.count and not member["events_hosted"]:
        found.append(_reason(FIRST_TABLE, "has never been to a table"))
    if (
        re.search(SINGLES, " ".join([event["name"], *event["features"]]).lower())
        and str(member["relationship_status"]).strip().lower() in SINGLE_STATUSES
    ):
        found.append(_reason(SINGLES_NIGHT, "a singles table for a single member"))
    return found


def derive_reasons(
    member: dict, event: dict, campaign: str, when: EventTime, history: MemberHistory, hook: str, invited: bool
) -> tuple[Reason, ...]:
    """Every reason of the pair whose evidence holds, strongest first for `campaign`. `member` and `event` are
    profile rows (enriched members and events), `history` the member's past, `hook` their shared taste, `invited`
    whether the event's invite list names them."""
    kind = event_kind(event["name"], tuple(event["categories"]), tuple(event["features"]))
    host = event["host_name"] if isinstance(event["host_name"], str) else None
    if host and host.split()[0].lower() == str(member["first_name"]).lower():
        host = None  # "Mateo, Mateo Tanaka is hosting" reads as a mistake
    found = _table_reasons(event, host, kind, when.start.date()) + _member_reasons(member, event, when, history, host)
    if hook:
        found.append(_reason(TASTE, f"shares their taste for {hook}", taste=hook, a_taste=_article(hook)))
    if invited:
        found.append(_reason(INVITED, "is on the event's invite list"))
    order = ranks()[campaign]
    return tuple(sorted((r for r in found if r.kind in order), key=lambda reason: order[reason.kind]))
