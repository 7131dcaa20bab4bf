"""Masking of contact details wherever people can see data: logs, metadata, previews."""

from __future__ import annotations

import re

import pandas as pd

EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A run of digits long enough to be a phone, unless it is an ISO date (campaign dates name runs and alerts) or an
# IPv4 address (errors name the host they could not reach).
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?!\d{4}-\d\d-\d\d(?!\d))(?!\d{1,3}(?:\.\d{1,3}){3}(?!\d))\+?\d[\d\s().-]{7,}\d")


def mask_phone(phone: object) -> str | None:
    """`+14155550123` -> `•••••••123`: enough to tell two members apart, not enough to text them."""
    if not isinstance(phone, str) or not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    return f"•••••••{digits[-3:]}" if len(digits) >= 7 else "•••"


def mask_email(email: object) -> str | None:
    """`sarah.chen@email.com` -> `s•••@e•••.com`."""
    if not isinstance(email, str) or "@" not in email:
        return None
    local, _, domain = email.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}•••@{(host or tld)[:1]}•••.{tld if host else ''}"


def mask_text(text: str) -> str:
    """Free text with any email or phone number inside it masked."""
    text = EMAIL_IN_TEXT.sub(lambda match: mask_email(match.group(0)) or "•••", text)
    return _PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group(0)) or "•••", text)


def masked(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to show: every column named like an email or a phone masked, other cells untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if "email" in column:
            safe[column] = safe[column].map(mask_email)
        elif "phone" in column:
            safe[column] = safe[column].map(mask_phone)
    return safe
