"""Who an event is for: hard rules that keep an invitation away from the wrong table (docs/matching.md).

- An event aimed at a relationship status (a "Singles …" name, a singles category or feature) goes only to members
  whose recorded status is single.
- An alcohol-focused event (by name, categories, features or description) goes only to members known to be 21 or
  older on the campaign date; an unknown age does not qualify.

Words are split on `_`, `-` and `/` as well as spaces, for these rules and the dietary ones (`diet.py`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEGAL_DRINKING_AGE = 21
SINGLE_STATUSES = frozenset({"single", "divorced", "widowed", "separated"})
SINGLES = r"\bsingles?\b"
ALCOHOL = (
    r"\b(?:wines?|winery|vino|beers?|brew(?:ery|pub|s)?|ales?|ipa|bourbon|whiske?y|scotch|tequila|mezcal|sake|soju|"
    r"cocktails?|mixology|spirits|gin|rum|vodka|bubbles|champagne|prosecco|cava|sangria|margaritas?|mimosas?|"
    r"byob|bottomless|open bar|drinks included|bar crawl|pub crawl|flights?|happy hour|sommelier|natural wine)"
    r"\b(?! free\b)"  # "rum-free mocktails" are not
)
# The reasons under which excluded member-event pairs are counted.
SINGLES_ONLY = "audience_singles_only"
ADULTS_ONLY = "audience_21_plus_only"


def event_text(events: pd.DataFrame, with_description: bool) -> pd.Series:
    """An event's name, categories, features (and description), lower-cased, with `_`, `-` and `/` read as spaces so
    that `wine_tasting`, `Wine-Tasting` and `wine/beer` are words."""
    text = events["name"].fillna("") + " " + events["categories"].map(" ".join) + " " + events["features"].map(" ".join)
    if with_description:
        text = text + " " + events["description"].fillna("")
    return text.astype(str).str.lower().str.replace(r"[_/\-]+", " ", regex=True)


def singles_events(events: pd.DataFrame) -> np.ndarray:
    """Events aimed at singles: by name, category or feature (a description may merely mention them)."""
    return event_text(events, with_description=False).str.contains(SINGLES).to_numpy(dtype=bool)


def alcohol_events(events: pd.DataFrame) -> np.ndarray:
    """Events that put drinks at the centre: by name, categories, features or description."""
    return event_text(events, with_description=True).str.contains(ALCOHOL).to_numpy(dtype=bool)


def single_members(members: pd.DataFrame) -> np.ndarray:
    return members["relationship_status"].str.strip().str.lower().isin(SINGLE_STATUSES).to_numpy()


def adult_members(members: pd.DataFrame) -> np.ndarray:
    """Known to be 21 or older on the campaign date (the profile's `age` is computed as of that date)."""
    return members["age"].ge(LEGAL_DRINKING_AGE).fillna(False).to_numpy(dtype=bool)
