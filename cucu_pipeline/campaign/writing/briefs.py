"""What a writer is given and what it returns: a brief (a member and their short list of events, with the facts a
text may state) and a draft (the chosen event and the text between the brand prefix and the booking link).

Code, never a writer, adds the brand, the link and the opt-out (`compose`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from cucu_pipeline.campaign.checks.content_rules import find_links
from cucu_pipeline.campaign.checks.segments import count_segments, to_gsm7
from cucu_pipeline.campaign.checks.sms_rules import MAX_CHARACTERS, ONE_SEGMENT, OPT_OUT
from cucu_pipeline.campaign.reasons.evidence import Reason
from cucu_pipeline.campaign.reasons.history import MemberHistory
from cucu_pipeline.campaign.reasons.kinds import OTHER


@dataclass(frozen=True)
class EventFacts:
    """What a text may say about an event: all of it comes from the event record."""

    id: str
    name: str
    campaign: str  # the campaign this event would be for this member
    when: str  # "tonight at 7pm", "tomorrow at 11am", "Friday at 7:30pm", "Sat Jun 21 at 7pm"
    evening: bool  # starts at 5pm or later: dinner wording fits
    link: str  # the booking link code appends
    venue: str | None
    neighborhood: str | None
    host: str | None
    spots_left: int
    participant_count: int
    max_participants: int
    summary: str
    hook: str = ""  # an interest or cuisine of the member's that the event shares, e.g. "dim sum"
    reasons: tuple[Reason, ...] = ()  # why this member would go, strongest first (`campaign/reasons`)
    kind: str = OTHER  # dinner, class, tasting, brunch or event
    food: bool = True  # food is served: hunger words fit


@dataclass(frozen=True)
class Brief:
    user_id: str
    first_name: str
    member_summary: str
    candidates: tuple[EventFacts, ...]  # the scorer's short list, best first
    needs_opt_out: bool
    brand: str
    campaign_date: dt.date
    seed: str  # varies the phrasing deterministically per member and date
    feedback: tuple[str, ...] = ()  # why the previous draft failed, for a regeneration
    variant: str = ""  # the member's arm of the experiment: which style of text to write
    variants: tuple[str, ...] = ()  # every variant of the experiment, in order
    recent_texts: tuple[str, ...] = ()  # the member's last three texts, newest first, as `body_of` reads them
    rejected: tuple[str, ...] = ()  # texts already refused for this member today (hard rules or the judge)
    crowded: frozenset[str] = frozenset()  # library lines already at their share of the date's texts (a rewrite's)
    history: MemberHistory = MemberHistory()  # the member's past events: what claims about it the judge may accept

    @property
    def style(self) -> tuple[int, int]:
        """(this variant's position, how many variants): the template family and prompt style it asks for."""
        if self.variant not in self.variants:
            return 0, 1
        return self.variants.index(self.variant), len(self.variants)

    def segments_for(self, event: EventFacts) -> int:
        return allowed_segments(self.brand, self.first_name, event, self.needs_opt_out)

    def budget_for(self, event: EventFacts) -> int:
        """Characters left for the writer's text about `event` once code has added brand, link and opt-out: one
        segment's worth, unless even the bare facts need two."""
        total = ONE_SEGMENT if self.segments_for(event) == 1 else MAX_CHARACTERS
        return total - len(compose("", self, event.id))

    def body_budget(self) -> int:
        return self.budget_for(self.candidates[0])

    def candidate(self, event_id: str) -> EventFacts:
        """The facts of one event of the short list."""
        return next(event for event in self.candidates if event.id == event_id)

    def retried(self, failures: list[str], refused: str | None) -> Brief:
        """The brief for a regeneration: the failures as feedback, the refused text among those never written again."""
        return dataclasses.replace(self, feedback=tuple(failures), rejected=(*self.rejected, *filter(None, [refused])))

    def focused(
        self,
        event_id: str,
        feedback: tuple[str, ...] = (),
        rejected: tuple[str, ...] = (),
        crowded: frozenset[str] | None = None,
    ) -> Brief:
        """The brief for a rewrite about one event of the short list, with this feedback, these texts refused and,
        when given, these lines crowded."""
        return dataclasses.replace(
            self,
            candidates=(self.candidate(event_id),),
            feedback=feedback,
            rejected=rejected,
            crowded=self.crowded if crowded is None else crowded,
        )


def allowed_segments(brand: str, first_name: str, event: EventFacts, needs_opt_out: bool) -> int:
    """1, unless brand, first name, event, when, link and opt-out cannot fit one segment together; then 2."""
    bare = f"{brand} {to_gsm7(first_name)}, {to_gsm7(event.name)}, {event.when}: {event.link}"
    return 1 if count_segments(f"{bare} {OPT_OUT}" if needs_opt_out else bare) == 1 else 2


@dataclass(kw_only=True)
class Usage:
    """What a call to Claude used: the writer's drafts and the judge's verdicts both carry it."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class Draft(Usage):
    user_id: str
    event_id: str | None
    body: str | None
    reasoning: str = ""
    confidence: int | None = None
    model: str = ""
    error: str | None = None
    unavailable: bool = False  # the writer could not be reached: no point asking it again this run
    line: str = ""  # the library line the template wrote it from ("" for Claude's own words)
    lead: str = ""  # the kind of reason it leads with


def compose(body: str, brief: Brief, event_id: str) -> str:
    """The full SMS: brand, the writer's text, the booking link, and the opt-out when the member needs it."""
    text = f"{brief.brand} {to_gsm7(body).strip()} {brief.candidate(event_id).link}"
    return f"{text} {OPT_OUT}" if brief.needs_opt_out else text


def body_of(text: str, brand: str) -> str:
    """The writer's part of a text as the member got it: `compose` undone (brand, links and opt-out removed)."""
    for link in reversed(find_links(text)):
        text = text[: link.start()] + text[link.end() :]
    text = text.replace(OPT_OUT, "").strip()
    return text.removeprefix(brand).strip()
