"""The campaign's settings, in one place: plain data that every stage reads and `defs/resources.py` binds."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cucu_pipeline.core.dates import PACIFIC_TZ_NAME, reference_instant
from cucu_pipeline.experiments.arms import DEFAULT_EXPERIMENT, Experiment, parse_experiment

DEFAULT_BOOKING_URL = "https://cucu.li/bookings/{event_id}"


class CampaignRules(BaseModel):
    """Who may be texted, which events may be promoted and how texts are branded, as of a campaign date
    (docs/assets.md: "Who may be texted", "Which events may be promoted"; docs/configuration.md)."""

    model_config = ConfigDict(frozen=True)

    send_hour: int = Field(10, ge=0, le=23, description="Hour (Pacific) that is 'now' for a campaign date.")
    cooldown_days: int = Field(7, ge=0, description="Days after a text before the member may be texted again.")
    backoff_factor: float = Field(
        2.0, ge=1, description="The cooldown is multiplied by this after each text that brought no booking."
    )
    max_cooldown_days: int = Field(56, ge=0, description="The longest the backed-off cooldown grows.")
    reinvite_after_days: int = Field(60, ge=0, description="Days before a person may be invited to one event again.")
    max_texts_per_window: int = Field(4, ge=1, description="Texts (and holdouts) a person may get per cap window.")
    text_cap_window_days: int = Field(30, ge=1, description="The window of `max_texts_per_window`, in days.")
    event_horizon_days: int = Field(30, ge=1, description="How far ahead events may be promoted.")
    new_member_days: int = Field(30, ge=0, description="Signed up this many days ago or fewer: a new member.")
    team_members: list[str] = Field(default_factory=list, description="Member ids or emails never texted.")
    invites_per_seat: float = Field(5.0, gt=0, description="Texts an event may receive per seat left, per date.")
    invite_memory_days: int = Field(7, ge=0, description="Days a sent or queued text counts as outstanding.")
    brand: str = Field("Cuculi:", description="Prefix every text starts with.")
    allow_emoji: bool = Field(False, description="Allow emoji (the text is then sent as UCS-2).")
    booking_url: str = Field(DEFAULT_BOOKING_URL, description="Booking link of an event; `{event_id}` is replaced.")
    sms_segment_usd: float = Field(0.0083, ge=0, description="What one SMS segment costs, in US dollars.")
    experiment: str = Field(DEFAULT_EXPERIMENT, description="`name:variant=weight,...`: the message variants tested.")
    holdout_percent: float = Field(10.0, ge=0, lt=100, description="Matched members recorded but never texted.")
    learning: bool = Field(
        True, description="Each campaign's split between the variants follows what books (off: the fixed split)."
    )
    learning_floor: float = Field(
        0.1, ge=0, le=0.5, description="The least share of a campaign's non-holdout texts each variant keeps."
    )
    attribution_days: int = Field(7, ge=1, description="Days after the reference instant a booking counts toward it.")
    quality_threshold: float = Field(
        3.5, ge=1, le=5, description="The judge's mean score (1-5) a text needs; below it, one rewrite, then review."
    )
    send_clock: Literal["now", "campaign_date"] = Field(
        "now",
        description="When a run publishes: `now` (a text whose send window has closed is not queued: a backfill "
        "queues nothing), or `campaign_date` (each date publishes as on its own morning: tests and simulations).",
    )
    weekly_read_day: str = Field(
        "Monday", description="The weekday whose live run posts the weekly read to the alert channel."
    )
    quality_max_below_share: float = Field(
        0.1, ge=0, le=1, description="The share of a date's texts below the threshold the quality_gate check allows."
    )
    quality_max_review_share: float = Field(
        0.2, ge=0, le=1, description="The share of a date's texts flagged needs_review the quality_gate check allows."
    )

    @model_validator(mode="after")
    def _experiment_parses(self) -> CampaignRules:
        self.arms()
        return self

    def arms(self) -> Experiment:
        return parse_experiment(self.experiment, self.holdout_percent)

    @field_validator("booking_url")
    @classmethod
    def _names_the_event(cls, url: str) -> str:
        if "{event_id}" not in url or not url.startswith("https://"):
            raise ValueError("the booking link must be an https:// URL containing {event_id}")
        return url

    def reference_instant(self, campaign_date: dt.date) -> pd.Timestamp:
        return reference_instant(campaign_date, self.send_hour)

    def publishing_instant(self, campaign_date: dt.date) -> pd.Timestamp:
        """The instant a run of `campaign_date` publishes at, by `send_clock`."""
        return pd.Timestamp.now(tz="UTC") if self.send_clock == "now" else self.reference_instant(campaign_date)

    def shares_weekly_read(self, campaign_date: dt.date) -> bool:
        """Whether the run of `campaign_date` posts the weekly read: the live run (today's) of `weekly_read_day`."""
        today = pd.Timestamp.now(tz=PACIFIC_TZ_NAME).date()
        return campaign_date == today and f"{campaign_date:%A}".lower() == self.weekly_read_day.strip().lower()

    def window_closes(self, campaign_date: dt.date) -> pd.Timestamp:
        """When the attribution window of a campaign date closes: its outcomes are final from then on."""
        return self.reference_instant(campaign_date) + pd.Timedelta(days=self.attribution_days)

    def last_closed_date(self, today: dt.date) -> dt.date:
        """The latest campaign date whose attribution window closed before `today` began."""
        return today - dt.timedelta(days=self.attribution_days + 1)
