"""What a campaign date costs: segments at the SMS price plus Claude's tokens, per 1,000 texts queued."""

from __future__ import annotations

import pandas as pd
import pytest

from cucu_pipeline.campaign.writing.costs import campaign_cost


def test_sms_and_claude_cost_per_thousand_texts():
    messages = pd.DataFrame(
        {
            "status": ["ready", "fallback", "ready", "skipped"],
            "segments": [1, 1, 2, 0],
            "cost_usd": [0.004, 0.0, 0.006, 0.005],  # the skipped member's calls were paid for too
        }
    )
    cost = campaign_cost(messages, segment_usd=0.0083)
    assert (cost.texts, cost.segments, cost.one_segment_share) == (3, 4, pytest.approx(0.6667))
    assert cost.sms_usd == pytest.approx(4 * 0.0083) and cost.claude_usd == pytest.approx(0.015)
    assert cost.per_1000_texts_usd == pytest.approx(round((4 * 0.0083 + 0.015) / 3 * 1000, 2))
    assert cost.metadata()["cost_per_1000_texts_usd"] == cost.per_1000_texts_usd


def test_no_texts_cost_nothing_per_thousand():
    cost = campaign_cost(pd.DataFrame({"status": ["skipped"], "segments": [0], "cost_usd": [0.01]}), 0.0083)
    assert (cost.texts, cost.one_segment_share, cost.per_1000_texts_usd) == (0, 0.0, 0.0)
