"""What the judge scores and returns (docs/quality.md): five criteria, each 1-5, the issues found, whether the text
may go as it is, and an improved text when it may not. Claude judges in production; `signals.py` locally."""

from __future__ import annotations

from dataclasses import dataclass

from cucu_pipeline.campaign.writing.briefs import Brief, EventFacts, Usage

CRITERIA = {
    "tone": "fits the campaign (warm welcome for a first-timer, no-pressure welcome back for a returning member, "
    "honest urgency for a table to fill) and the requested style",
    "personal": "uses something true about this member: the taste they share with the event when there is one",
    "natural": "reads like a person wrote it: clear, no doubled punctuation, no echo of the member's recent texts",
    "call_to_action": "invites a next step the booking link completes (save a seat, grab one, come back)",
    "fit": "nothing awkward or misleading: no social proof without guests, no 'filling up' with many seats open, "
    "no dinner or night words for a daytime event, no morning words for an evening one",
}
RUBRIC = "\n".join(f"- {criterion}: {meaning}" for criterion, meaning in CRITERIA.items())
DEFAULT_THRESHOLD = 3.5  # the mean score a text needs to go as written (`CUCU_QUALITY_THRESHOLD`)


@dataclass(frozen=True)
class Review:
    """One text to judge: the member's brief, the event it invites to, and the writer's words (brand, link and
    opt-out are code's and not judged)."""

    brief: Brief
    event: EventFacts
    body: str


@dataclass
class Judgement(Usage):
    scores: dict[str, int]  # criterion -> 1..5
    issues: tuple[str, ...] = ()
    approved: bool = True
    improved_message: str = ""
    model: str = ""
    error: str | None = None  # the judge could not answer; the local signals filled the fields

    @property
    def score(self) -> float:
        """The mean of the criteria, 1-5."""
        return round(sum(self.scores.values()) / len(self.scores), 2) if self.scores else 0.0

    def passes(self, threshold: float) -> bool:
        return self.approved and self.score >= threshold
