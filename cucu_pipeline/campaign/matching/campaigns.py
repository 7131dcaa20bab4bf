"""The three campaigns and their priority, defined here only: a member-driven campaign wins over the event-driven one.

1. **Return to Table** — the member last attended 31+ days ago (or not in 60 days): warm, nostalgic.
2. **Seat The Newcomer** — the member has attended at most 2 events and hosted none: welcoming, prefers 50–80% full
   tables. A host is never a newcomer.
3. **Fill the Table** — everyone else, and only for events with low occupancy: urgency with true numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RETURN_TO_TABLE = "Return to Table"
SEAT_THE_NEWCOMER = "Seat The Newcomer"
FILL_THE_TABLE = "Fill the Table"
CAMPAIGNS = (RETURN_TO_TABLE, SEAT_THE_NEWCOMER, FILL_THE_TABLE)


def member_campaigns(members: pd.DataFrame) -> pd.Series:
    """The member-driven campaign, or None when only Fill the Table can apply."""
    dormant = members["days_since_last_event"].ge(31).fillna(False) | members["hasnt_attended_in_60_days"].fillna(False)
    newcomer = members["event_count"].le(2) & members["events_hosted"].eq(0)
    campaign = np.where(dormant, RETURN_TO_TABLE, np.where(newcomer, SEAT_THE_NEWCOMER, None))
    return pd.Series(campaign, index=members.index)


def campaign_for(member_campaign: str | None, event_low_occupancy: bool) -> str | None:
    """The campaign of a (member, event) pair: the member's own, else Fill the Table for a low-occupancy event."""
    if isinstance(member_campaign, str):
        return member_campaign
    return FILL_THE_TABLE if event_low_occupancy else None
