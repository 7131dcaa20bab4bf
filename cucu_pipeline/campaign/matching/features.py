"""Members and events as the arrays the scorer reads: word vectors of tastes and of what an event offers, diet
needs and conflicts, neighborhood codes, the pairs the person rules touch, and each event's fill as each campaign
sees it."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cucu_pipeline.campaign.matching.audience import adult_members, alcohol_events, single_members, singles_events
from cucu_pipeline.campaign.matching.campaigns import member_campaigns
from cucu_pipeline.campaign.matching.diet import event_conflicts, member_restrictions

_STOPWORDS = {"and", "the", "with", "for", "night", "class", "options", "table", "from", "scratch", "club"}

_WORD = re.compile(r"[a-z]{3,}")


@functools.lru_cache(maxsize=1 << 16)
def _phrase_words(phrase: str) -> frozenset[str]:
    # Members pick their tastes from a short list: at 100k members 450,000 phrases are a few hundred distinct ones
    # (bounded: every event name is a phrase too).
    return frozenset(_WORD.findall(phrase.lower())) - _STOPWORDS


def words(phrases) -> set[str]:
    """Lower-case words of three letters or more: `["Cooking Class", "Live music"]` -> {cooking, live, music}."""
    return set().union(*(_phrase_words(str(phrase)) for phrase in phrases))


def _vocabulary_matrix(phrase_lists: list[list], vocabulary: dict[str, int]) -> np.ndarray:
    """Row × vocabulary: 1 where the row's phrases hold the word. Each distinct phrase is read once and the matrix
    is filled in one assignment (a set and an assignment per member took 10 us each)."""
    lengths = np.fromiter(map(len, phrase_lists), dtype=np.int64, count=len(phrase_lists))
    flat = np.fromiter(itertools.chain.from_iterable(phrase_lists), dtype=object, count=int(lengths.sum()))
    codes, phrases = pd.factorize(flat, use_na_sentinel=False)
    # The words of each distinct phrase as a run of `columns`: columns[start:][:count] of the phrase.
    positions = [[vocabulary[word] for word in _phrase_words(str(phrase)) if word in vocabulary] for phrase in phrases]
    counts = np.fromiter(map(len, positions), dtype=np.int64, count=len(positions))
    columns = np.fromiter(itertools.chain.from_iterable(positions), dtype=np.int64, count=int(counts.sum()))
    starts, per_phrase = (np.cumsum(counts) - counts)[codes], counts[codes]
    offsets = np.arange(per_phrase.sum()) - np.repeat(np.cumsum(per_phrase) - per_phrase, per_phrase)
    matrix = np.zeros((len(phrase_lists), len(vocabulary)), dtype=np.float32)
    rows = np.repeat(np.repeat(np.arange(len(phrase_lists)), lengths), per_phrase)
    matrix[rows, columns[np.repeat(starts, per_phrase) + offsets]] = 1.0
    return matrix


def _person_pairs(members: pd.DataFrame, events: pd.DataFrame, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(member position, event position) for every (`person_id`, `event_id`) in `pairs`."""
    member_pos = pd.DataFrame({"person_id": _persons(members), "member_pos": np.arange(len(members))})
    event_pos = pd.DataFrame({"event_id": events["id"].to_numpy(), "event_pos": np.arange(len(events))})
    found = pairs.merge(member_pos, on="person_id").merge(event_pos, on="event_id")
    return found["member_pos"].to_numpy(dtype=int), found["event_pos"].to_numpy(dtype=int)


def _persons(members: pd.DataFrame) -> np.ndarray:
    """Each member's person (profiles carry `person_id`; a member alone is their own person)."""
    return (members["person_id"] if "person_id" in members else members["id"]).to_numpy(dtype=object)


def _hosted(members: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """(`person_id`, `event_id`) of each event and the person who hosts it."""
    if "host_person_id" not in events:
        return pd.DataFrame({"person_id": [], "event_id": []}, dtype=object)
    return pd.DataFrame({"person_id": events["host_person_id"], "event_id": events["id"]}).dropna()


def _pairs(frame: pd.DataFrame, column: str, emails: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(member position, event position) for every event listing a member's email in `column`."""
    listed = frame[[column]].assign(event_pos=np.arange(len(frame))).explode(column)
    member_pos = pd.Series(np.arange(len(emails)), index=emails.to_numpy())
    member_pos = member_pos[~member_pos.index.duplicated()]
    listed["member_pos"] = listed[column].map(member_pos)
    listed = listed.dropna(subset=["member_pos"])
    return listed["member_pos"].to_numpy(dtype=int), listed["event_pos"].to_numpy()


def _neighborhood_codes(home: pd.Series, work: pd.Series, place: pd.Series) -> dict[str, np.ndarray]:
    """Neighborhoods as integer codes, compared a billion times at 1M members (text compared in Python per pair); an
    unknown neighborhood is near nothing: -1 for members, -2 for events."""
    known = pd.Index(pd.concat([home, work, place]).dropna().unique())
    return {
        name: np.where(column.isna().to_numpy(), missing, known.get_indexer(column))
        for name, column, missing in (("home", home, -1), ("work", work, -1), ("neighborhood", place, -2))
    }


@dataclass(frozen=True)
class Features:
    """Everything the scorer needs as arrays: members by row, events by column."""

    member_vectors: np.ndarray  # member × vocabulary: interests, cuisines and favorite types
    event_vectors: np.ndarray  # vocabulary × event: categories, features, crowd interests and name
    member_diet: np.ndarray  # member × restriction (`diet.RESTRICTIONS`)
    event_conflict: np.ndarray  # event × restriction the event conflicts with
    event_friendly: np.ndarray  # event × restriction the event caters for
    hosted: tuple[np.ndarray, np.ndarray]  # (member, event) positions of events the member's person hosts
    already_invited: tuple[np.ndarray, np.ndarray]  # (member, event) positions of recent invitations
    campaigns: np.ndarray  # member-driven campaign per member, or None
    home: np.ndarray  # neighborhood codes (`_neighborhood_codes`): the member's home, work; the event's place
    work: np.ndarray
    neighborhood: np.ndarray
    soon: np.ndarray
    low_occupancy: np.ndarray
    textable: np.ndarray
    quality: np.ndarray  # campaign × event, 0 to 1: how good each event's fill looks to Seat the Newcomer, Return
    # to the Table and Fill the Table
    joined: tuple[np.ndarray, np.ndarray]  # (member, event) positions of attendances
    single: np.ndarray  # per member: recorded as single
    adult: np.ndarray  # per member: known to be 21 or older
    singles_event: np.ndarray  # per event: aimed at singles
    alcohol_event: np.ndarray  # per event: alcohol-focused
    invited: tuple[np.ndarray, np.ndarray]  # (member, event) positions of invitations


def features_of(
    members: pd.DataFrame,
    events: pd.DataFrame,
    textable: pd.Series,
    reference: pd.Timestamp,
    horizon_days: int,
    already_invited: pd.DataFrame,
) -> Features:
    member_phrases = [
        [*a, *b, *c]
        for a, b, c in zip(members["interests"], members["cuisine_preferences"], members["favorite_event_types"])
    ]
    event_phrases = [
        [*a, *b, *c, name]
        for a, b, c, name in zip(events["categories"], events["features"], events["common_interests"], events["name"])
    ]
    vocabulary = {token: position for position, token in enumerate(sorted(words(itertools.chain(*event_phrases))))}
    event_conflict, event_friendly = event_conflicts(events)
    fill = events["fill_rate"].to_numpy()
    days_until = ((events["start_date"] - reference).dt.total_seconds() / 86400).to_numpy()
    return Features(
        member_vectors=_vocabulary_matrix(member_phrases, vocabulary),
        event_vectors=_vocabulary_matrix(event_phrases, vocabulary).T,
        member_diet=member_restrictions(members),
        event_conflict=event_conflict,
        event_friendly=event_friendly,
        hosted=_person_pairs(members, events, _hosted(members, events)),
        already_invited=_person_pairs(members, events, already_invited),
        campaigns=member_campaigns(members).to_numpy(),
        **_neighborhood_codes(members["home_neighborhood"], members["work_neighborhood"], events["neighborhood"]),
        soon=np.clip(1 - days_until / horizon_days, 0, 1),
        low_occupancy=events["has_low_occupancy"].to_numpy(),
        textable=textable.to_numpy(dtype=bool),
        # Event quality as each campaign sees it: newcomers like 50–80% full, returners a lively table, Fill the
        # Table the emptiest one.
        quality=np.stack(
            [
                np.clip(1 - 2 * np.maximum(0.5 - fill, fill - 0.8).clip(min=0), 0, 1),  # Seat the Newcomer
                np.clip(fill / 0.5, 0, 1),  # Return to the Table
                1 - fill,  # Fill the Table
            ]
        ),
        joined=_pairs(events, "participants", members["email"]),
        single=single_members(members),
        adult=adult_members(members),
        singles_event=singles_events(events),
        alcohol_event=alcohol_events(events),
        invited=_pairs(events, "invited_participants", members["email"]),
    )
