"""What a text may not say or link to: carriers' SHAFT topics and drugs, alcohol as the offer, spam and phishing
phrasing, and links other than the booking link (docs/writing.md: "Writing and checking").

Each list holds one entry per term (a regular-expression fragment matched as whole words on lower-cased text), so
each entry can be shown to catch a text of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

FORBIDDEN_TOPICS = (
    # sex and hate
    r"sex\w*", r"nude\w*", r"xxx", r"porn\w*", r"escort\w*", r"onlyfans", r"hate (speech|groups?|crimes?)",
    r"nazi\w*", r"white power",
    # tobacco and vaping
    r"tobacco", r"cigar\w*", r"vap(e|es|ing)", r"nicotine", r"juul", r"hookah", r"shisha", r"e-?cigs?",
    # cannabis and other drugs, slang included
    r"cannabis", r"cbd", r"thc", r"marijuana", r"weed", r"420", r"delta-8", r"edibles", r"stoned", r"kush",
    r"shrooms", r"magic mushrooms?", r"psilocybin", r"mdma", r"ecstasy", r"lsd", r"cocaine", r"ketamine",
    # firearms
    r"guns?", r"firearms?", r"ammo", r"ammunition", r"rifles?", r"pistols?", r"handguns?", r"ar-15", r"glocks?",
    # money offers carriers filter
    r"loans?", r"payday", r"crypto\w*", r"bitcoin", r"debt", r"casinos?", r"gambl\w*",
)  # fmt: skip
_DRINKS = (
    r"(drinks?|wine|beers?|shots?|booze|cocktails?|margaritas?|mimosas?|sangria|sake|mezcal|tequila|whiske?y|"
    r"bourbon|spirits?)"
)
ALCOHOL_OFFERS = (
    r"open bar", r"bottomless", rf"free {_DRINKS}", rf"unlimited {_DRINKS}", r"all you can drink",
    rf"{_DRINKS} (are |is )?included", rf"{_DRINKS} on (us|the house)", r"happy hour", r"shots?", r"booze",
    r"byob", r"(bar|pub) crawl", rf"{_DRINKS} flights?", r"tasting flights?", rf"{_DRINKS} tasting",
    r"get (drunk|wasted|hammered|tipsy)",
)  # fmt: skip
ALCOHOL_MENTIONS = (r"wine", r"beer", r"cocktails?", r"brewery", r"winery", r"mezcal", r"tequila", r"bubbles")
SPAM_PHRASES = (
    r"free money", r"100% free", r"winner", r"you('ve)? won", r"prize", r"cash", r"act now", r"urgent",
    r"limited time", r"last chance", r"guaranteed", r"risk[- ]free", r"no credit check", r"click here", r"call now",
    r"buy now", r"\$\$+",
)  # fmt: skip
PHISHING_PHRASES = (
    r"verify (your )?account", r"account (locked|suspended)", r"confirm your (identity|password|ssn)", r"gift ?cards?",
    r"zelle", r"venmo", r"cash ?app", r"wire transfer", r"password", r"social security", r"bank details",
)  # fmt: skip
SHORTENERS = frozenset(
    "bit.ly bitly.com tinyurl.com goo.gl is.gd v.gd bc.vc budurl.com clicky.me lc.chat s2r.co soo.gd tiny.cc ow.ly "
    "t.co t.ly rb.gy rebrand.ly cutt.ly shorturl.at buff.ly lnkd.in bl.ink short.io tiny.one s.id qr.net adf.ly "
    "shorte.st".split()
)


def _whole_words(entries: tuple[str, ...]) -> re.Pattern:
    # Lookarounds rather than `\b`: an entry may start with no word character (`$$`).
    return re.compile(rf"(?<!\w)(?:{'|'.join(entries)})(?!\w)")


FORBIDDEN = _whole_words(FORBIDDEN_TOPICS)
ALCOHOL_OFFER = _whole_words(ALCOHOL_OFFERS)
ALCOHOL_MENTION = _whole_words(ALCOHOL_MENTIONS)
SPAM = _whole_words(SPAM_PHRASES)
PHISHING = _whole_words(PHISHING_PHRASES)
# Any term of every list, in one pass: nearly no text holds one, and each list is then read only for those that do.
ANY_LISTED = _whole_words(FORBIDDEN_TOPICS + ALCOHOL_OFFERS + ALCOHOL_MENTIONS + SPAM_PHRASES + PHISHING_PHRASES)

# A link is any token that ends in a real public suffix (every TLD of the Public Suffix List, read from the copy
# tldextract ships: no network), with or without a scheme or `www.`.
_LINK_CANDIDATE = re.compile(r"(?i)\bhttps?://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,63}\b(?:/\S*)?")
_SCHEME = re.compile(r"(?i)^https?://")


@lru_cache(maxsize=1)
def _suffixes():
    """tldextract's reader of the shipped list, built when a text is first checked: loading tldextract takes 0.13 s
    of every start of the definitions."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def _has_public_suffix(candidate: str) -> bool:
    return bool(_suffixes()(candidate).suffix)  # tldextract reads the host out of a URL, in any case


def find_links(text: str) -> list[re.Match]:
    return [
        match
        for match in _LINK_CANDIDATE.finditer(text)
        if _SCHEME.match(match.group(0)) or _has_public_suffix(match.group(0))
    ]


def link_host(url: str) -> str:
    """`https://www.bit.ly/x` -> `bit.ly`: the host a shortener list names."""
    host = _SCHEME.sub("", url).split("/")[0].lower()
    return host.removeprefix("www.")
