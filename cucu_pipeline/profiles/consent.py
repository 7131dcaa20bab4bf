"""Consent from the message table (docs/people.md: "Consent"): who revoked it, how, and who gave it back.

Twilio blocks a number only on its exact single-word keywords. The FCC lets a person revoke consent "by any
reasonable means" (47 CFR 64.1200(a)(10)), so the sender must also honour a reply that plainly asks to stop in other
words. When in doubt the list leans to opting out: a lost invitation costs less than an unwanted text.

A reply is a record whose message carries neither a link nor the "Reply STOP" line: every text this project sends
ends with its booking link, and only the sender writes "Reply STOP to opt out".
Consent is not point-in-time: the person's latest consent event applies to every date, backfills and re-runs included.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from cucu_pipeline.profiles.eligibility import of_any_record
from cucu_pipeline.profiles.message_history import OPT_OUT_STATUSES, normalized_statuses

# Twilio's default opt-out and opt-in keywords (OPTOUT and REVOKE since May 2025), compared without case, spaces
# or punctuation, so "Stop.", " S T O P " and "Opt-Out" count; "remove" alone asks the same.
OPT_OUT_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke", "remove"})
OPT_IN_KEYWORDS = frozenset({"start", "unstop", "yes"})
# Plain requests to stop, matched on the lower-cased words of the reply (punctuation removed, accents folded).
_POLITE = r"(?:please|pls|plz|now|thanks|thank you|thx|asap|immediately|already|for good|ok|okay|por favor|gracias|ya)"
# The words the FCC names for revoking consent (47 CFR 64.1200(a)(10), April 2025): each asks to stop in a phrase.
_FCC_WORDS = r"(?:stop|quit|end|cancel|revoke|unsubscribe|opt ?out)"
# The common Spanish opt-outs: "alto", "parar", "baja", "cancelar", "detener" alone or with politeness.
_SPANISH_WORDS = r"(?:alto|para|parar|baja|cancelar|detener|detenganse|basta)"
PLAIN_OPT_OUTS = (
    # "stop please", "please stop", "stop it", "STOP STOP", "remove", "baja por favor": the keyword with only
    # politeness or emphasis around it
    rf"^(?:{_POLITE} )*(?:{_FCC_WORDS}|remove|{_SPANISH_WORDS})"
    rf"(?: (?:it|all|this|that|them|these|everything|stop|me|{_POLITE}))*$",
    # "stop texting me", "quit messaging me", "please end these texts", "cancel the messages", "revoke my consent"
    rf"\b{_FCC_WORDS} (?:texting|txting|messaging|sending|contacting|spamming|calling|emailing|it with)\b",
    rf"\b{_FCC_WORDS} (?:the |these |your |all |my |this )*(?:texts?|messages?|sms|msgs?|spam|subscription|consent)\b",
    # Spanish: "no más mensajes", "no quiero más mensajes", "darme de baja", "dejen de enviarme mensajes"
    r"\bno (?:quiero )?mas (?:mensajes|textos|sms)\b",
    r"\bdar(?:me|se)? de baja\b",
    r"\bdej(?:a|en|ar|e) de (?:enviar|mandar|escribir)",
    # "don't text me", "do not contact me again", "never message me"
    r"\b(?:dont|don t|do not|never) (?:text|message|msg|contact|sms|send|bother)\b",
    # "no more texts", "no more messages please"
    r"\bno more (?:texts?|messages?|sms|msgs?|spam|invites?|invitations?)\b",
    # "opt out", "opt me out", "I want to opt out", "remove me", "take me off your list", "unsubscribe me"
    r"\bopt (?:me )?out\b",
    r"\bremove (?:me|my (?:number|phone|name))\b",
    r"\btake me off\b",
    r"\bunsubscribe\b",
    r"\bunsub\b",
    r"\bleave me alone\b",
    r"\bwrong (?:number|person)\b",
    r"\bnot interested\b",
    r"\b(?:lose|delete) my (?:number|phone)\b",
)
_PLAIN_OPT_OUT = re.compile("|".join(f"(?:{pattern})" for pattern in PLAIN_OPT_OUTS))

FLAG, STATUS, KEYWORD_REPLY, PLAIN_WORDS_REPLY, OPT_IN_REPLY = (
    "flag", "status", "keyword_reply", "plain_words_reply", "opt_in_reply"
)  # fmt: skip


def _folded(text: str) -> str:
    """Unicode NFKC ("ＳＴＯＰ" is "STOP"), then accents dropped ("más" is "mas"), in lower case."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _words(messages: pd.Series) -> pd.Series:
    """Lower-case words of each message, apostrophes dropped and other punctuation a space: "Don't!" -> "dont"."""
    texts = messages.fillna("")
    ascii_ = texts.str.isascii()  # nearly every reply: lower case is all NFKC and accents would change
    lowered = texts.str.lower().where(ascii_, texts[~ascii_].map(_folded)).str.replace(r"['’]", "", regex=True)
    return lowered.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def _first_lines(messages: pd.Series) -> pd.Series:
    """Each message's first line with words: the reply before a signature ("Stop\n-- Sent from my phone")."""
    return messages.str.strip().str.split(r"\s*\n", n=1, regex=True).str[0]


def _intents(words: pd.Series) -> pd.Series:
    compact = words.str.replace(" ", "", regex=False)
    intent = pd.Series(None, index=words.index, dtype=object)
    intent = intent.mask(words.str.contains(_PLAIN_OPT_OUT), PLAIN_WORDS_REPLY)
    intent = intent.mask(compact.isin(OPT_OUT_KEYWORDS), KEYWORD_REPLY)
    return intent.mask(compact.isin(OPT_IN_KEYWORDS), OPT_IN_REPLY)


def reply_intents(messages: pd.DataFrame) -> pd.Series:
    """Per record: `keyword_reply`, `plain_words_reply` or `opt_in_reply` for a reply that says so, else None. The
    whole reply is read, and its first line alone: a trailing signature must not hide a bare STOP. An opt-out read
    either way wins: when in doubt, the person opts out."""
    text = messages["message"].dropna()
    replies = text[~text.str.contains(r"http|\breply stop\b", case=False, regex=True)]
    whole, first = _intents(_words(replies)), _intents(_words(_first_lines(replies)))
    opt_outs = [KEYWORD_REPLY, PLAIN_WORDS_REPLY]
    intent = whole.where(whole.isin(opt_outs), first.where(first.isin(opt_outs)))
    return intent.fillna(whole).fillna(first).reindex(messages.index)


def consent_events(messages: pd.DataFrame) -> pd.Series:
    """Per record: how it changes consent (an opt-out status, an opt-out or opt-in reply), else None."""
    status = pd.Series(STATUS, index=messages.index).where(normalized_statuses(messages).isin(OPT_OUT_STATUSES))
    return reply_intents(messages).fillna(status)


def opts_out(messages: pd.DataFrame) -> pd.Series:
    """Records that revoke consent: an opt-out status, or a reply asking to stop."""
    return consent_events(messages).isin([STATUS, KEYWORD_REPLY, PLAIN_WORDS_REPLY])


def revoked_consent(messages: pd.DataFrame, who: pd.Series, events: pd.Series | None = None) -> pd.Series:
    """Per person (`who`, aligned with `messages`) whose latest consent event revokes it: how they opted out.

    Events are ordered by when they happened (sent, else created), then by record, so the order is reproducible.
    `events` are `consent_events(messages)` when the caller has them already."""
    events = pd.DataFrame(
        {
            "who": who,
            "event": consent_events(messages) if events is None else events,
            "at": messages["sent_date"].fillna(messages["created_date"]).fillna(messages["record_created_at"]),
            "record": messages["record_id"],
        }
    ).dropna(subset=["who", "event"])
    latest = events.sort_values(["at", "record"], kind="stable", na_position="first").drop_duplicates(
        "who", keep="last"
    )
    revoked = latest[latest["event"] != OPT_IN_REPLY]
    return pd.Series(revoked["event"].to_numpy(), index=pd.Index(revoked["who"], name="person_id"), dtype=object)


def opt_out_sources(users: pd.DataFrame, standing: pd.DataFrame) -> pd.Series:
    """How each member's person opted out (`flag`, `status`, `keyword_reply`, `plain_words_reply`), else None."""
    flagged = of_any_record(users["sms_opt_out"], users["person_id"])
    recorded = standing["opt_out_source"].reindex(users["person_id"]).to_numpy()
    return pd.Series(np.where(flagged, FLAG, recorded), index=users.index, dtype=object)
