"""What kind of table an event is, read from its name, categories and features: a dinner, a class, a tasting or a
brunch; and whether it serves food ("dinner" is said only of dinners, hunger only of food: docs/quality.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cucu_pipeline.campaign.reasons.tables import rows

DINNER, CLASS, TASTING, BRUNCH, OTHER = "dinner", "class", "tasting", "brunch", "event"
_ORDER = (CLASS, TASTING, BRUNCH, DINNER)  # a "Dinner" category on a cooking class still makes it a class


@lru_cache(maxsize=1)
def _words() -> dict[str, re.Pattern]:
    return {
        row["group"]: re.compile(r"\b(?:" + "|".join(map(re.escape, row["words"].split())) + r")\b")
        for row in rows("event_words")
    }


@dataclass(frozen=True)
class EventKind:
    kind: str  # dinner, class, tasting, brunch, or event
    food: bool  # food is served (a tasting of drinks alone is not)


@lru_cache(maxsize=4096)
def event_kind(name: str, categories: tuple[str, ...], features: tuple[str, ...]) -> EventKind:
    """The event's kind: the first of class, tasting, brunch and dinner its words name; food unless it is a tasting
    whose name, categories and features name no food (an "Italian Wine Tasting" serves wine)."""
    text = " ".join([name, *categories]).lower().replace("-", " ")
    words = _words()
    kind = next((kind for kind in _ORDER if words[kind].search(text)), OTHER)
    named_food = words["food"].search(" ".join([name, *features]).lower())
    return EventKind(kind, kind in (DINNER, CLASS, BRUNCH) or bool(named_food))
