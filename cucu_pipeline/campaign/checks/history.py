"""What a text claims about the member's own past, and whether its words fit the kind of event (docs/writing.md:
"Writing and checking"), for every writer:

- a return ("again", "back", "welcome back", "encore", "reunion", "last time", "since March", "you loved"...) needs
  a past event; a claim of what they had ("back for more French food", "missed your dim sum fix", "your jazz
  streak") needs a past event whose name or categories hold those words;
- a first time ("your first table", "first dinner with us", "new to Cuculi") needs none;
- "dinner" and "supper" only for a dinner, hunger and eating words only where food is served;
- "a" before a consonant sound and "an" before a vowel sound ("an Ethiopian feast", never "a Ethiopian").

Words are read with the event's, venue's and host's own names taken out: "Taco Supper Club" is a name, not a claim.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cucu_pipeline.campaign.reasons.history import MemberHistory
from cucu_pipeline.campaign.reasons.kinds import DINNER, EventKind

_RETURN = re.compile(
    r"\b(again|welcome back|come back|coming back|be back|you're back|back (?:for|at|to|with|in)|encore|reunion|"
    r"sequel|missed you|missed your|it's been (?:a while|too long|ages)|long time no|last time|"
    r"like old times|you loved|you enjoyed|you liked|your usual|haven't seen you|since (?:january|february|march|"
    r"april|may|june|july|august|september|october|november|december)|where you left off|"
    r"your \w+(?: \w+)? streak(?! starts)|return(?:s|ing)? to the table|you came|you were at|another round)\b"
)
# Claims of a particular past: the words they name must be the member's (a past event's name or categories).
_PARTICULAR = (
    re.compile(r"\bback for (?:more|another) ([a-z' ]+?)(?=[?.!,:;]|$| at | with | night| table| class| is )"),
    re.compile(r"\bmissed (?:your|the) ([a-z' ]+?) (?:fix|nights?|tables?|classes?)\b"),
    re.compile(r"\byour ([a-z' ]+?) (?:streak(?! starts)|sequel|reunion|encore|fix)\b"),
    re.compile(r"\b(?:encore|sequel|reunion) for (?:a|an) ([a-z' ]+?) fans?\b"),
    re.compile(r"\b(?:a|an) ([a-z' ]+?) (?:reunion|encore|sequel)\b"),
    re.compile(r"\bmore ([a-z' ]+?) (?:is calling|calls)\b"),
    re.compile(r"\bstill into ([a-z' ]+?)(?=[?.!,:;]|$)"),
)
# Any of them, in one pass: few texts make a particular claim, and each pattern is then read only for those.
_ANY_PARTICULAR = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _PARTICULAR))
_FIRST = re.compile(
    r"\b(your first|first (?:cuculi|table|dinner|supper|time|visit|class|tasting|brunch|night|event)(?! for)|"
    r"first[- ]timer|new to cuculi|never been)\b"
)
_GENERIC = frozenset({"food", "the", "a", "an", "good", "great", "your", "our", "more", "night", "nights", "table"})
_DINNER_WORDS = re.compile(r"\b(dinner|dinners|supper|suppers)\b")
_HUNGER_WORDS = re.compile(
    r"\b(hungry|hunger|appetite|eat|eats|eating|leave full|fork|forks|feast|feasting|bites?|tasty|delicious|"
    r"snack|seconds|dig in|stomach)\b"
)
_A_VOWEL = re.compile(r"\ba ([aeiou][a-z]*)", re.IGNORECASE)
_AN_CONSONANT = re.compile(r"\ban ([b-df-hj-np-tv-z][a-z]*)", re.IGNORECASE)
# Spelling and sound disagree: "a unique", "a one-off", "an hour", "an honest".
_VOWEL_LETTER_CONSONANT_SOUND = re.compile(r"^(one|once|uni|use|usu|uti|euro|ewe|u[bcfgklmnprstz][aeiou])")
_CONSONANT_LETTER_VOWEL_SOUND = re.compile(r"^(hour|honest|honou?r|heir|herb)")


_AT_EVENT = (
    r"\b(?:you were at|you came to|back at|again at|back to|return to|returning to|another) {name}|{name} again\b"
)
_SINCE = re.compile(r"\bsince (january|february|march|april|may|june|july|august|september|october|november|december)")


@lru_cache(maxsize=4096)
def _at_event(name: str) -> re.Pattern:
    return re.compile(_AT_EVENT.format(name=re.escape(name)))


def false_history(
    lowered: str, named_out: str, history: MemberHistory, event_name: str, host: str | None = None
) -> list[str]:
    """Claims about the member's past that their attendance does not support: `lowered` is the text in lower case,
    `named_out` the same with the event's, venue's and host's names taken out."""
    problems = []
    at_event = _at_event(event_name.lower())
    if not history.named(event_name):
        problems += [f"says {m.group(0)!r}, never at this event" for m in at_event.finditer(lowered)]
    for match in _SINCE.finditer(named_out):
        if not history.count or f"{history.attended[0].day:%B}".lower() != match.group(1):
            problems.append(f"says {match.group(0)!r}, not when they last came")
    if not history.count:
        problems += [f"says {m.group(0)!r}, the member has never been" for m in _RETURN.finditer(named_out)]
    else:
        problems += [f"says {m.group(0)!r}, the member has been before" for m in _FIRST.finditer(named_out)]
    if _ANY_PARTICULAR.search(named_out):
        problems += _particular_claims(named_out, history.words | set((host or "").lower().split()))
    return problems


def _particular_claims(named_out: str, known: frozenset[str]) -> list[str]:
    problems = []
    for pattern in _PARTICULAR:
        for match in pattern.finditer(named_out):
            words = set(re.findall(r"[a-z]+", match.group(1))) - _GENERIC
            if words and not words <= known:
                problems.append(f"says {match.group(0)!r}, never at such an event")
    return problems


def misfit_words(text: str, named_out: str, kind: EventKind) -> list[str]:
    """Words that do not fit the kind of event, and articles that do not fit their word (`text` as written)."""
    problems = []
    if kind.kind != DINNER:
        problems += [f"says {m.group(0)!r} of a {kind.kind}" for m in _DINNER_WORDS.finditer(named_out)]
    if not kind.food:
        problems += [f"says {m.group(0)!r}, no food is served" for m in _HUNGER_WORDS.finditer(named_out)]
    problems += [
        f"says {m.group(0)!r}"
        for m in _A_VOWEL.finditer(text)
        if not _VOWEL_LETTER_CONSONANT_SOUND.match(m.group(1).lower())
    ]
    problems += [
        f"says {m.group(0)!r}"
        for m in _AN_CONSONANT.finditer(text)
        if not _CONSONANT_LETTER_VOWEL_SOUND.match(m.group(1).lower())
    ]
    return problems
