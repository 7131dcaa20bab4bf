"""A member's past as a text may speak of it: the events they were at (listed as a participant or paid for, before
the reference instant), most recent first, read from the profile's `event_history`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Attended:
    name: str
    day: dt.date
    host: str | None
    categories: tuple[str, ...]
    features: tuple[str, ...] = ()

    @cached_property
    def lowered_categories(self) -> frozenset[str]:
        return frozenset(category.lower() for category in self.categories)


@dataclass(frozen=True)
class MemberHistory:
    attended: tuple[Attended, ...] = ()  # most recent first

    @classmethod
    def of(cls, event_history) -> MemberHistory:
        """From a profile's `event_history` items (`name`, `date`, `host`, `categories`, `features`)."""
        return cls(
            tuple(
                Attended(
                    item["name"],
                    dt.date.fromisoformat(str(item["date"])[:10]),
                    item.get("host") or None,
                    tuple(item.get("categories") or ()),
                    tuple(item.get("features") or ()),
                )
                for item in event_history
            )
        )

    @property
    def count(self) -> int:
        return len(self.attended)

    def named(self, name: str) -> Attended | None:
        """The last time at an event of this very name."""
        return next((past for past in self.attended if past.name.lower() == name.lower()), None)

    def hosted_by(self, host: str | None) -> Attended | None:
        return next((past for past in self.attended if host and past.host == host), None)

    def of_kind(self, name: str, categories: tuple[str, ...], nameable=lambda name: True) -> Attended | None:
        """The last event of another name that shares one of `categories` (its kind or cuisine) and whose name a
        text may carry (`nameable`)."""
        wanted, name = {category.lower() for category in categories}, name.lower()
        return next(
            (
                past
                for past in self.attended
                if not wanted.isdisjoint(past.lowered_categories) and past.name.lower() != name and nameable(past.name)
            ),
            None,
        )

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of the names, categories and features of the events they were at: what "more French food" or
        "more live music" needs."""
        return frozenset(
            word
            for past in self.attended
            for phrase in (past.name, *past.categories, *past.features)
            for word in _WORD.findall(phrase.lower())
        )


def month_phrase(day: dt.date, campaign_date: dt.date, preposition: str = "in") -> str:
    """`in March` within the last eleven months, `in March 2025` before, `this month` in the campaign's month
    (without a preposition: `March`, `March 2025`)."""
    if (day.year, day.month) == (campaign_date.year, campaign_date.month):
        return "this month" if preposition else f"{day:%B}"
    month = f"{day:%B}" if (campaign_date - day).days < 330 else f"{day:%B %Y}"
    return f"{preposition} {month}" if preposition else month
