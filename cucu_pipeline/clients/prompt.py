"""What Claude is asked and must answer: the fixed instructions (cached across every member of a run), the
per-member brief, and the JSON schema of the answer."""

from __future__ import annotations

import json

import anthropic
from pydantic import BaseModel, Field

from cucu_pipeline.campaign.briefs import Brief

SYSTEM_PROMPT = """You write one SMS invitation for Cuculi, which hosts social dinners, cooking classes and tastings \
in San Francisco. You receive one member and a short list of upcoming events already filtered for them.

Pick the single event that fits the member best. Judge, in this order: shared interests, an invitation they \
received, dietary fit, neighborhood (home or work), how lively the table is, and how soon it is.

Then write the text that goes between the brand prefix and the booking link. Code adds "Cuculi:" before your \
text, and the booking link (and, when needed, the opt-out line) after it. Rules for your text:
- Address the member by first name, exactly as given, and name the event exactly as given.
- Stay within the character budget you are given. Plain ASCII only: no emoji, no curly quotes, no dashes other \
than "-".
- Never write a link, a web address, a phone number, an email address, a price or a date other than the event's.
- State only facts from the event you picked: its weekday, start time, venue, neighborhood, host, seats left, \
guests already in. Write times like "7:30pm". Numbers must be exact. Never invent a detail.
- Tone by campaign. "Seat The Newcomer": warm and welcoming, first-timer friendly. "Return to Table": warm, \
nostalgic, friend-like, acknowledge the time away without pressure. "Fill the Table": real urgency with the true \
seat count and social proof. Always short and witty.
- No ALL-CAPS words, at most one "!", no "!!" or "??", no spammy phrases (free, winner, act now, limited time, \
guaranteed, click here), nothing about sex, drugs, tobacco, weapons, money or alcohol as the offer.
- End your text so a link can follow it naturally (for example with a colon).

If feedback lists problems with an earlier draft, fix every one of them.

Answer with JSON only, matching the schema: the event_id you picked (one of the candidates), the message text, \
a one-sentence reasoning for the pick, and your confidence from 0 to 100."""


class ClaudeDraft(BaseModel):
    """The JSON Claude must return; business rules (length, facts, link) are checked afterwards by code."""

    event_id: str = Field(description="The id of the chosen candidate event.")
    message: str = Field(description="The SMS text between the brand prefix and the booking link.")
    reasoning: str = Field(description="One sentence: why this event for this member.")
    confidence: int = Field(description="0 to 100.")


OUTPUT_SCHEMA = anthropic.transform_schema(ClaudeDraft)


def brief_prompt(brief: Brief) -> str:
    """The per-member part of the prompt: only what the message needs, never a phone number or email."""
    payload = {
        "member": {"first_name": brief.first_name, "profile": brief.member_summary},
        "character_budget": brief.body_budget(),
        "candidates": [
            {
                "event_id": event.id,
                "name": event.name,
                "campaign": event.campaign,
                "weekday": event.day,
                "start_time": event.time,
                "venue": event.venue,
                "neighborhood": event.neighborhood,
                "host": event.host,
                "seats_left": event.spots_left,
                "guests_in": event.participant_count,
                "capacity": event.max_participants,
                "about": event.summary,
            }
            for event in brief.candidates
        ],
    }
    if brief.feedback:
        payload["feedback_on_previous_draft"] = list(brief.feedback)
    return json.dumps(payload, ensure_ascii=False)
