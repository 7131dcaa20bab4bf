"""US phone numbers: normalization to E.164 with `phonenumbers`."""

from __future__ import annotations

import phonenumbers
import pandas as pd


def to_us_e164(raw: object) -> str | None:
    """E.164 form of a valid US number, or None when the text is not one."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "US":
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(raw: pd.Series) -> pd.Series:
    """Each distinct text is parsed once: shared and repeated numbers cost nothing extra."""
    distinct = pd.unique(raw.dropna())
    lookup = {text: to_us_e164(text) for text in distinct}
    normalized = raw.map(lookup)
    return normalized.astype(object).where(normalized.notna(), None)
