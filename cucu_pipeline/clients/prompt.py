"""What Claude is asked and must answer: the fixed instructions (cached across every member of a run), the
per-member brief, and the JSON schema of the answer."""

from __future__ import annotations

import json

import anthropic
from pydantic import BaseModel, Field

from cucu_pipeline.campaign.briefs import Brief

SYSTEM_PROMPT = """You write one SMS invitation for Cuculi, which hosts social dinners, cooking classes and tastings \
in San Francisco. You receive today's date, one member and a short list of upcoming events already filtered for them.

Pick the single event that fits the member best. Judge, in this order: shared interests (the candidate's "hook" is a \
taste the member and the event share), an invitation they received, dietary fit, neighborhood (home or work), how \
lively the table is, and how soon it is.

Then write the text that goes between the brand prefix and the booking link. Code adds "Cuculi:" before your \
text, and the booking link (and, when needed, the opt-out line) after it. Rules for your text:
- Address the member by first name, exactly as given (when it is null, greet them without a name), and name the \
event exactly as given.
- Say when with the candidate's "when" exactly as given ("tonight at 7pm", "tomorrow at 11am", "Friday at 7:30pm", \
"Sat Jun 21 at 7pm"). Never a bare weekday for an event a week or more away, never another day or date.
- Stay within the candidate's character budget: it is what one SMS segment leaves once code has added the rest. \
Plain ASCII only: no emoji, no curly quotes, no dashes other than "-".
- Never write a link, a web address, a phone number, an email address or a price.
- State only facts from the event you picked: when, venue, neighborhood, host, seats left, guests already in, \
table size. Say what each number counts ("3 seats left", "5 guests in", "a table for 12"). Words like "last \
seats" or "almost full" only with 3 seats left or fewer; no "join them" when no guest is in yet. Never invent a detail.
- Never name another member or guest; the event's host may be named.
- Tone by campaign. "Seat The Newcomer": warm and welcoming, first-timer friendly. "Return to Table": warm, \
nostalgic, friend-like, acknowledge the time away without pressure. "Fill the Table": real urgency with the true \
seat count and social proof. Always short and witty; open with the hook when there is one. When a "style" is \
given, write in that style: it is the variant of the copy experiment this member is in.
- Dinner and night words only for events from 5pm; morning words only before noon.
- No stock phrases ("don't miss out", "you won't want to miss", "good food and great company", "strangers become \
friends", "join us for an unforgettable"), no ALL-CAPS words, at most one "!", no "!!" or "??", no spammy phrases \
(free, winner, act now, limited time, guaranteed, click here), nothing about sex, drugs, tobacco, weapons, money \
or alcohol as the offer (no free, unlimited or included drinks, happy hour, shots, flights, BYOB).
- End your text so a link can follow it naturally (for example with a colon).

Examples of the register wanted (facts differ for every member):
- Seat The Newcomer: "Maya, Dumpling Workshop was made for a Chinese food fan: tomorrow at 6:30pm at The Vault. \
Save a seat:" / "Hi Leo! New faces welcome at Taco Supper Club, Friday at 7pm. Come hungry:" / "Ana, come as a \
stranger, leave with dinner plans: Vegan Feast, Sat Jun 21 at 7:30pm:"
- Return to Table: "Sam, your chair has been lonely. Pasta from Scratch, Thursday at 11am. Welcome back:" / "Hi Jo, \
back for more dim sum? Dim Sum Brunch, Sun Jul 6 at 11am:" / "Kim, it's been a while. Founders Dinner, tonight at \
7pm, has 6 guests in. Pull up a chair:"
- Fill the Table: "Ravi, only 2 seats left at Sushi Rolling Class, tomorrow at 6pm. Grab one:" / "Hi Bea! Jazz & Tapas \
Night tonight at 8pm has 3 seats left and 9 guests in. Join them:" / "Tom, a table for 12 at Ethiopian Feast, \
Friday at 7pm: 5 seats still open:"

If feedback lists problems with an earlier draft, fix every one of them.

Answer with JSON only, matching the schema: the event_id you picked (one of the candidates), the message text, \
a one-sentence reasoning for the pick, and your confidence from 0 to 100."""


# The experiment's variants ask for these styles in turn (README: "Experiments"): the first variant the first style.
STYLES = (
    "warm and personal, like a friend's invitation",
    "playful and witty, with a light joke about the food or the table",
)


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
        "today": f"{brief.campaign_date:%A %b} {brief.campaign_date.day}, {brief.campaign_date.year}",
        "member": {"first_name": brief.first_name or None, "profile": brief.member_summary},
        "candidates": [
            {
                "event_id": event.id,
                "name": event.name,
                "campaign": event.campaign,
                "when": event.when,
                "character_budget": brief.budget_for(event),
                "hook": event.hook or None,
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
    if brief.variants:
        payload["style"] = STYLES[brief.style[0] % len(STYLES)]
    if brief.feedback:
        payload["feedback_on_previous_draft"] = list(brief.feedback)
    return json.dumps(payload, ensure_ascii=False)
