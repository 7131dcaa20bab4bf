"""What the judge scores and returns (docs/quality.md): five criteria, each 1-5, the issues found, whether the text
may go as it is, and an improved text when it may not. Claude judges in production; `signals.py` locally."""

from __future__ import annotations

from dataclasses import dataclass

from cucu_pipeline.campaign.writing.briefs import Brief, EventFacts, Usage

CRITERIA = {
    "tone": "fits the campaign (warm welcome for a first-timer, no-pressure welcome back for a returning member, "
    "a table sold on its host, food, theme or being among the first when it needs filling) and the requested style",
    "personal": "leads with a true, specific reason this member would go (few seats left, their neighborhood, an event "
    "or host they came to before, their taste, their diet, a holiday); a claim about their past that is not true "
    "(back for more, again, first table) is a 1",
    "natural": "a sentence a person would send, not a listing of name, event and time or a slot-filled template; "
    "right grammar; no echo of the member's recent texts or of the line every other member got",
    "call_to_action": "ends with an invitation that completes the sentence and that the booking link follows",
    "fit": "nothing awkward or misleading: dinner words only for a dinner, hunger only where food is served, no empty "
    "seats sold as urgency, no social proof without guests, no evening words for a daytime event, no hook that only "
    "repeats the event's name ('a cooking fan' for a cooking class)",
}
RUBRIC = "\n".join(f"- {criterion}: {meaning}" for criterion, meaning in CRITERIA.items())
# What each grade means, for every judge and reader (reference/graded.csv was graded on this scale).
SCALE = (
    "5: a copywriter would sign and send it as is, leading with a true, specific reason in a natural sentence with "
    "warmth or wit; 4: good, a small flaw; 3: correct but bland or templated; 2: a real flaw (a false or awkward "
    "claim, a listing, no reason to go); 1: misleading, wrong or broken. A bland but correct text is a 3, not a 5."
)
# The mean score a text needs to go as written (`CUCU_QUALITY_THRESHOLD`): 3 is "correct but bland", below it a
# reader finds a real flaw (`SCALE`).
DEFAULT_THRESHOLD = 3.0


@dataclass(frozen=True)
class Review:
    """One text to judge: the member's brief, the event it invites to, and the writer's words (brand, link and
    opt-out are code's and not judged)."""

    brief: Brief
    event: EventFacts
    body: str
    # The text passed the hard rules, whose `history` and `wording` rules read its claims about the member and its
    # words for the event: the local judge has nothing to find there again.
    checked: bool = False


@dataclass
class Judgement(Usage):
    scores: dict[str, float]  # criterion -> 1..5 (Claude's whole grades; the local judge's to one decimal)
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
