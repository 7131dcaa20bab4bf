"""US phone numbers: normalization to E.164 with `phonenumbers`."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import phonenumbers

from cucu_pipeline.core.frames import positions_in

# Plain North American numbers (`(415) 555-0123`, `415.555.0123`, `+1 415 555 0123`) are read with two regexes;
# anything else (letters, extensions, other countries) goes through `phonenumbers.parse`.
_PLAIN_NANP = re.compile(r"\s*(?:\+\s*1|1)?[\s.-]*\(?(\d{3})\)?[\s.-]*(\d{3})[\s.-]*(\d{4})\s*")
_US = phonenumbers.PhoneMetadata.metadata_for_region("US")
# The order `phonenumbers` tries a region's number types in (`phonenumberutil._number_type_helper`).
_NUMBER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


def _matching(desc: phonenumbers.PhoneNumberDesc | None) -> str | None:
    """A regex for `phonenumberutil._is_number_matching_desc`: one of the description's lengths, and its pattern."""
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = "|".join(rf"\d{{{length}}}" for length in desc.possible_length)
    return (rf"(?=(?:{lengths})\Z)" if lengths else "") + f"(?:{desc.national_number_pattern})"


# `phonenumbers.is_valid_number_for_region(number, "US")` for a +1 number, from the library's own US metadata: the
# national number fits the region's general description and one of its number types.
_VALID_US_NATIONAL = re.compile(
    rf"(?=(?:{_matching(_US.general_desc)})\Z)(?:"
    + "|".join(pattern for name in _NUMBER_TYPES if (pattern := _matching(getattr(_US, name))) is not None)
    + ")"
)


def to_us_e164(raw: object) -> str | None:
    """E.164 form of a valid US number, or None when the text is not one."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    # Valid *for the US*: a valid Canadian or Caribbean +1 number is not a US number.
    if not phonenumbers.is_valid_number_for_region(number, "US"):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_keys(raw: pd.Series) -> pd.Series:
    """The E.164 form each text would have as a US number, read from its digits alone (`(415) 555 0101` ->
    `+14155550101`), else None: vectorized, for matching against numbers `normalize_phones` already validated."""
    digits = raw.astype("string").str.replace(r"\D", "", regex=True)
    national = digits.str[-10:].where(digits.str.len().eq(10) | (digits.str.len().eq(11) & digits.str.startswith("1")))
    return ("+1" + national).astype(object).where(national.notna(), None)


def _us_e164(text: object) -> str | None:
    plain = _PLAIN_NANP.fullmatch(text) if type(text) is str else None
    if plain is None:
        return to_us_e164(text)
    national = "".join(plain.groups())
    return "+1" + national if _VALID_US_NATIONAL.fullmatch(national) else None


def normalize_phones(raw: pd.Series) -> pd.Series:
    """`to_us_e164` of every text, each distinct text once; plain numbers skip the general parser, which took 2 s
    at 100k members (0.3 s now)."""
    texts = raw.dropna().unique().tolist()  # a list: iterating Arrow-backed texts boxes each through pandas
    normalized = np.array([*map(_us_e164, texts), None], dtype=object)
    return pd.Series(normalized[positions_in(raw, texts)], index=raw.index, name=raw.name, dtype=object)  # -1: None
