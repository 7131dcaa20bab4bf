"""US phone numbers: normalization to E.164 with `phonenumbers`."""

from __future__ import annotations

import re

import pandas as pd
import phonenumbers

# Plain North American numbers (`(415) 555-0123`, `415.555.0123`, `+1 415 555 0123`) skip the general parser, which
# costs most of the time at 100k members; anything else (letters, extensions, other countries) goes through it.
_PLAIN_NANP = re.compile(r"\s*(?:(\+)\s*1|1)?[\s.-]*\(?(\d{3})\)?[\s.-]*(\d{3})[\s.-]*(\d{4})\s*")


def _parsed(raw: str) -> phonenumbers.PhoneNumber | None:
    plain = _PLAIN_NANP.fullmatch(raw)
    if plain:
        return phonenumbers.PhoneNumber(country_code=1, national_number=int("".join(plain.groups()[1:])))
    try:
        return phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None


def to_us_e164(raw: object) -> str | None:
    """E.164 form of a valid US number, or None when the text is not one."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    number = _parsed(raw)
    # Valid *for the US*: a valid Canadian or Caribbean +1 number is not a US number.
    if number is None or not phonenumbers.is_valid_number_for_region(number, "US"):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_keys(raw: pd.Series) -> pd.Series:
    """The E.164 form each text would have as a US number, read from its digits alone (`(415) 555 0101` ->
    `+14155550101`), else None: vectorized, for matching against numbers `normalize_phones` already validated."""
    digits = raw.astype("string").str.replace(r"\D", "", regex=True)
    national = digits.str[-10:].where(digits.str.len().eq(10) | (digits.str.len().eq(11) & digits.str.startswith("1")))
    return ("+1" + national).astype(object).where(national.notna(), None)


def normalize_phones(raw: pd.Series) -> pd.Series:
    """Each distinct text is parsed once: shared and repeated numbers cost nothing extra."""
    distinct = pd.unique(raw.dropna())
    lookup = {text: to_us_e164(text) for text in distinct}
    normalized = raw.map(lookup)
    return normalized.astype(object).where(normalized.notna(), None)
