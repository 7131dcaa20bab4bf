"""Every entry of the content word lists and the shortener list is caught by an example text of this test's own, and
by that entry alone, so deleting any entry fails a test (docs/writing.md: "Writing and checking")."""

from __future__ import annotations

import re

import pytest

from cucu_pipeline.campaign.checks.content_rules import (
    ALCOHOL_OFFERS,
    FORBIDDEN_TOPICS,
    PHISHING_PHRASES,
    SHORTENERS,
    SPAM_PHRASES,
)
from cucu_pipeline_tests.campaign.test_sms_rules import GOOD, failures

FORBIDDEN_EXAMPLES = {
    r"sex\w*": "a sexy night", r"nude\w*": "nude portraits", r"xxx": "xxx party", r"porn\w*": "food porn",
    r"escort\w*": "escorts welcome", r"onlyfans": "our onlyfans", r"hate (speech|groups?|crimes?)": "hate speech",
    r"nazi\w*": "grammar nazis", r"white power": "white power", r"tobacco": "tobacco pairing",
    r"cigar\w*": "cigars after", r"vap(e|es|ing)": "a vaping lounge", r"nicotine": "nicotine pouches",
    r"juul": "bring a juul", r"hookah": "hookah lounge", r"shisha": "shisha after", r"e-?cigs?": "e-cigs ok",
    r"cannabis": "cannabis pairing", r"cbd": "cbd dessert", r"thc": "thc gummies", r"marijuana": "marijuana",
    r"weed": "weed brownies", r"420": "420 friendly", r"delta-8": "delta-8 treats", r"edibles": "edibles served",
    r"stoned": "get stoned", r"kush": "kush dessert", r"shrooms": "shrooms", r"magic mushrooms?": "magic mushroom tea",
    r"psilocybin": "psilocybin", r"mdma": "mdma", r"ecstasy": "ecstasy", r"lsd": "lsd", r"cocaine": "cocaine",
    r"ketamine": "ketamine", r"guns?": "a gun show", r"firearms?": "firearms", r"ammo": "ammo",
    r"ammunition": "ammunition", r"rifles?": "rifle range", r"pistols?": "pistol", r"handguns?": "handguns",
    r"ar-15": "an ar-15", r"glocks?": "glocks", r"loans?": "fast loans", r"payday": "payday special",
    r"crypto\w*": "cryptocurrency", r"bitcoin": "bitcoin", r"debt": "debt relief", r"casinos?": "casino night",
    r"gambl\w*": "gambling",
}  # fmt: skip
ALCOHOL_EXAMPLES = {
    r"open bar": "an open bar",
    r"bottomless": "bottomless brunch",
    ALCOHOL_OFFERS[2]: "free wine",  # the drink entries share one list of drinks
    ALCOHOL_OFFERS[3]: "unlimited margaritas",
    r"all you can drink": "all you can drink",
    ALCOHOL_OFFERS[5]: "drinks included",
    ALCOHOL_OFFERS[6]: "beers on us",
    r"happy hour": "happy hour prices",
    r"shots?": "jello shots",
    r"booze": "booze cruise",
    r"byob": "byob",
    r"(bar|pub) crawl": "a bar crawl",
    ALCOHOL_OFFERS[12]: "a mezcal flight",
    r"tasting flights?": "a tasting flight",
    ALCOHOL_OFFERS[14]: "whiskey tasting",
    r"get (drunk|wasted|hammered|tipsy)": "get tipsy",
}
SPAM_EXAMPLES = {
    r"free money": "free money", r"100% free": "100% free dinner", r"winner": "every guest a winner",
    r"you('ve)? won": "you won a seat", r"prize": "a prize inside", r"cash": "cash back", r"act now": "act now",
    r"urgent": "urgent: dinner", r"limited time": "for a limited time", r"last chance": "last chance",
    r"guaranteed": "fun guaranteed", r"risk[- ]free": "risk-free", r"no credit check": "no credit check",
    r"click here": "click here", r"call now": "call now", r"buy now": "buy now", r"\$\$+": "$$ off",
}  # fmt: skip
PHISHING_EXAMPLES = {
    r"verify (your )?account": "verify your account", r"account (locked|suspended)": "account locked",
    r"confirm your (identity|password|ssn)": "confirm your identity", r"gift ?cards?": "a giftcard",
    r"zelle": "pay by zelle", r"venmo": "venmo me", r"cash ?app": "cashapp", r"wire transfer": "wire transfer",
    r"password": "your password", r"social security": "social security", r"bank details": "bank details",
}  # fmt: skip
SHORTENER_EXAMPLES = [
    "bit.ly/a", "bitly.com/a", "tinyurl.com/a", "goo.gl/a", "is.gd/a", "v.gd/a", "bc.vc/a", "budurl.com/a",
    "clicky.me/a", "lc.chat/a", "s2r.co/a", "soo.gd/a", "tiny.cc/a", "ow.ly/a", "t.co/a", "t.ly/a", "rb.gy/a",
    "rebrand.ly/a", "cutt.ly/a", "shorturl.at/a", "buff.ly/a", "lnkd.in/a", "bl.ink/a", "short.io/a", "tiny.one/a",
    "s.id/a", "qr.net/a", "adf.ly/a", "shorte.st/a",
]  # fmt: skip
LISTS = [
    (FORBIDDEN_TOPICS, FORBIDDEN_EXAMPLES, "shaft"),
    (ALCOHOL_OFFERS, ALCOHOL_EXAMPLES, "shaft"),
    (SPAM_PHRASES, SPAM_EXAMPLES, "spam_or_phishing"),
    (PHISHING_PHRASES, PHISHING_EXAMPLES, "spam_or_phishing"),
]


def matching_entries(entries: tuple[str, ...], text: str) -> list[str]:
    return [entry for entry in entries if re.search(rf"(?<!\w)(?:{entry})(?!\w)", text)]


@pytest.mark.parametrize(("entries", "examples", "rule"), LISTS)
def test_every_entry_has_an_example_of_its_own(entries, examples, rule):
    assert set(examples) == set(entries)
    for entry, example in examples.items():
        assert matching_entries(entries, example) == [entry], example


@pytest.mark.parametrize(
    ("example", "rule"), [(example, rule) for _, examples, rule in LISTS for example in examples.values()]
)
def test_every_example_is_blocked(example, rule):
    assert rule in failures(GOOD.replace("Join us:", f"{example.capitalize()}. Join us:"))


def test_every_shortener_is_named_by_an_example():
    assert {example.split("/")[0] for example in SHORTENER_EXAMPLES} == SHORTENERS


@pytest.mark.parametrize("example", SHORTENER_EXAMPLES)
def test_every_shortener_is_blocked(example):
    assert "no_shorteners" in failures(GOOD.replace("Join us:", f"Or {example} now:"))
