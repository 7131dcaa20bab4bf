"""Email addresses as mailboxes: two spellings that reach one inbox are one address.

Gmail ignores dots in the part before the `@` and delivers `name+anything@gmail.com` to `name@gmail.com`
(https://support.google.com/mail/answer/7436150, https://support.google.com/a/users/answer/9308648), and
`googlemail.com` is the same service. Other providers' rules differ (dots matter at most of them), so only Gmail's
addresses are folded; every address is compared trimmed and in lower case.
"""

from __future__ import annotations

import pandas as pd

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


def mailbox_keys(emails: pd.Series) -> pd.Series:
    """Per address (same index): the mailbox it reaches, `jane.doe+x@gmail.com` -> `janedoe@gmail.com`; missing
    stays missing."""
    lowered = emails.astype(object).where(emails.notna()).str.strip().str.lower()
    parts = lowered.str.extract(r"^(?P<local>[^@+]*)(?:\+[^@]*)?@(?P<domain>[^@]*)$")
    gmail = parts["domain"].isin(GMAIL_DOMAINS)
    return lowered.mask(gmail, parts["local"].str.replace(".", "", regex=False) + "@gmail.com")
