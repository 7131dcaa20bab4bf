"""Dietary restrictions are a hard rule read from the event itself (docs/people.md: "Diets and audiences").

A member's allergies and diets (free text such as "gluten-free" or "Shellfish Allergy") map to restrictions. An event
conflicts with a restriction when its name, categories, features or description use a word of the restriction's
lexicon below; an explicit feature, category or name that caters for it ("Gluten-free options", "Vegan") lifts the
conflict it names. Words are read with `_`, `-` and `/` as spaces, and a word followed by "free" ("nut-free") is
not a conflict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.matching.audience import event_text

# How members write each restriction (searched in each allergy or diet they recorded, normalized).
MEMBER_WORDING = {
    "gluten": r"gluten|celiac|coeliac|wheat",
    "shellfish": r"shellfish|crustacean|seafood allerg",
    "nuts": r"\bnuts?\b|peanut|tree nut|almond",
    "dairy": r"dairy|lactose|\bmilk\b",
    "vegetarian": r"vegetarian|veggie",
    "vegan": r"\bvegan|plant based",
}
_MEAT_AND_FISH = (
    "steaks?", "steakhouse", "bbq", "barbecue", "barbeque", "charcuterie", "meats?", "pork", "beef", "chicken", "lamb",
    "duck", "salumi", "brisket", "burgers?", "ribs?", "bacon", "sausages?", "ham", "foie gras", "tartare", "wings",
    "seafood", "fish", "oysters?", "sushi", "sashimi", "crudo", "ceviche", "poke", "shrimp", "prawns?", "crabs?",
    "lobsters?", "clams?", "mussels?", "scallops?", "paella", "dim sum",
)  # fmt: skip
_DAIRY = (
    "cheeses?", "cheesemaking", "fondue", "raclette", "gelato", "ice cream", "butter", "cream", "creamery", "dairy",
    "milk", "burrata", "mozzarella", "ricotta", "parmesan", "yogurt", "paneer", "pizzas?", "tiramisu",
)  # fmt: skip
# The words that make a conflict knowable, per restriction.
LEXICON = {
    "gluten": (
        "pasta", "dumplings?", "breads?", "sourdough", "pizzas?", "baking", "bakes?", "bakery", "pastry", "pastries",
        "ramen", "noodles?", "udon", "croissants?", "bagels?", "focaccia", "brioche", "gnocchi", "tempura", "dim sum",
        "beers?", "brewery", "cakes?", "pies?", "cookies?", "flour", "wheat",
    ),
    "shellfish": (
        "shellfish", "seafood", "oysters?", "shrimp", "prawns?", "crabs?", "lobsters?", "clams?", "mussels?",
        "scallops?", "crawfish", "crayfish", "langoustines?", "paella", "cioppino",
    ),
    "nuts": (
        "nuts?", "peanuts?", "almonds?", "walnuts?", "pecans?", "cashews?", "pistachios?", "hazelnuts?", "macadamia",
        "pralines?", "pesto", "satay", "baklava", "marzipan",
    ),
    "dairy": _DAIRY,
    "vegetarian": _MEAT_AND_FISH,
    "vegan": (*_MEAT_AND_FISH, *_DAIRY, "eggs?", "honey", "omelettes?", "custard", "meringue"),
}  # fmt: skip
# What an event's name, categories or features say to cater for a restriction.
LIFTS = {
    "gluten": r"\bgluten free\b|\bceliac friendly\b",
    "shellfish": r"\bshellfish free\b",
    "nuts": r"\bnut free\b",
    "dairy": r"\bdairy free\b|\blactose free\b|\bvegan\b",
    "vegetarian": r"\bvegetarian\b|\bveggie\b|\bvegan\b|\bplant based\b",
    "vegan": r"\bvegan\b|\bplant based\b",
}
RESTRICTIONS = tuple(LEXICON)


def _conflict_pattern(words: tuple[str, ...]) -> str:
    return r"\b(?:" + "|".join(words) + r")\b(?! free\b)"


def member_restrictions(members: pd.DataFrame) -> np.ndarray:
    """member × restriction: which restrictions each member keeps. Each distinct wording is read once."""
    recorded = members["dietary_restrictions"].explode().dropna()
    wording = pd.Series(pd.unique(recorded), dtype=object)
    normalized = wording.str.lower().str.replace(r"[_/\-]+", " ", regex=True)
    keeps = pd.DataFrame({name: normalized.str.contains(MEMBER_WORDING[name]) for name in RESTRICTIONS})
    keeps.index = wording.to_numpy()
    by_member = keeps.reindex(recorded.to_numpy()).set_axis(recorded.index).groupby(level=0).any()
    return (
        by_member.reindex(members.index, fill_value=False).to_numpy(dtype=bool).reshape(len(members), len(RESTRICTIONS))
    )


def event_conflicts(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(event × restriction conflicts, event × restriction caters-for): conflicts already lifted by what the event
    says it caters for."""
    everything = event_text(events, with_description=True)
    tags = event_text(events, with_description=False)
    caters = np.column_stack([tags.str.contains(LIFTS[name]).to_numpy(dtype=bool) for name in RESTRICTIONS])
    conflicts = np.column_stack(
        [everything.str.contains(_conflict_pattern(LEXICON[name])).to_numpy(dtype=bool) for name in RESTRICTIONS]
    )
    shape = (len(events), len(RESTRICTIONS))
    return (conflicts & ~caters).reshape(shape), caters.reshape(shape)
