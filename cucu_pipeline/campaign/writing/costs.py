"""What a campaign date costs: SMS segments at the carrier's price plus the writer's tokens (docs/writing.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cucu_pipeline.campaign.writing.attempts import publishable


@dataclass(frozen=True)
class CampaignCost:
    texts: int
    one_segment_share: float
    segments: int
    sms_usd: float
    claude_usd: float

    @property
    def per_1000_texts_usd(self) -> float:
        """SMS and Claude together per thousand texts queued (Claude's calls for skipped members included)."""
        return round((self.sms_usd + self.claude_usd) / self.texts * 1000, 2) if self.texts else 0.0

    def metadata(self) -> dict[str, float | int]:
        return {
            "one_segment_share": self.one_segment_share,
            "sms_segments": self.segments,
            "sms_cost_usd": self.sms_usd,
            "cost_per_1000_texts_usd": self.per_1000_texts_usd,
        }


def campaign_cost(messages: pd.DataFrame, segment_usd: float) -> CampaignCost:
    texts = publishable(messages)
    segments = int(texts["segments"].sum())
    return CampaignCost(
        texts=len(texts),
        one_segment_share=round(float((texts["segments"] == 1).mean()), 4) if len(texts) else 0.0,
        segments=segments,
        sms_usd=round(segments * segment_usd, 4),
        claude_usd=round(float(messages["cost_usd"].sum()), 4),
    )
