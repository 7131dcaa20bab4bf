"""The campaign's rules of eligibility, in one configurable place."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
from pydantic import Field

from cucu_pipeline.lib.dates import reference_instant


class CampaignRules(dg.ConfigurableResource):
    """Who may be texted and which events may be promoted, as of a campaign date (SPEC §4–§5)."""

    send_hour: int = Field(10, ge=0, le=23, description="Hour (Pacific) that is 'now' for a campaign date.")
    cooldown_days: int = Field(7, ge=0, description="Days after a text before the member may be texted again.")
    event_horizon_days: int = Field(30, ge=1, description="How far ahead events may be promoted.")
    new_member_days: int = Field(30, ge=0, description="Signed up this many days ago or fewer: a new member.")
    team_members: list[str] = Field(default_factory=list, description="Member ids or emails never texted.")
    brand: str = Field("Cuculi:", description="Prefix every text starts with.")
    allow_emoji: bool = Field(False, description="Allow emoji (the text is then sent as UCS-2).")

    def reference_instant(self, campaign_date: dt.date) -> pd.Timestamp:
        return reference_instant(campaign_date, self.send_hour)
