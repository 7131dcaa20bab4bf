"""Every SMS rule with passing and failing examples (README: "Writing and checking")."""

from __future__ import annotations

import pytest

from cucu_pipeline.campaign.segments import count_segments, encoding, to_gsm7
from cucu_pipeline.campaign.sms_rules import MessageContext, check_message, extract_urls, textable_event_name

CONTEXT = MessageContext(
    first_name="Sarah",
    event_id="event_004",
    event_name="Dumpling Workshop",
    day_of_week="Friday",
    start_local_time="7:30pm",
    start_month_day=(2, 16),
    venue_name="The Vault",
    neighborhood="Financial District",
    host_name="Chef Ploy",
    spots_left=7,
    participant_count=5,
    max_participants=12,
    needs_opt_out=True,
    known_venues=frozenset({"The Vault", "Culinary Studio", "Pier 5 Loft"}),
    known_neighborhoods=frozenset({"Financial District", "SoMa", "Mission District"}),
    member_neighborhoods=frozenset({"Mission District"}),
)
LINK = "https://cucu.li/bookings/event_004"
GOOD = (
    f"Cuculi: Hi Sarah! Dumpling Workshop, Fri 7:30pm at The Vault: 7 seats left, 5 in. Join us: {LINK} "
    "Reply STOP to opt out"
)


def failures(text: str, context: MessageContext = CONTEXT) -> dict[str, str]:
    return {r.rule: r.detail for r in check_message(text, context) if not r.passed}


def test_a_good_message_passes_every_rule():
    assert failures(GOOD) == {}


@pytest.mark.parametrize(
    ("text", "segments", "kind"),
    [
        ("a" * 160, 1, "GSM-7"),
        ("a" * 161, 2, "GSM-7"),
        ("a" * 306, 2, "GSM-7"),
        ("a" * 307, 3, "GSM-7"),
        ("€" * 80, 1, "GSM-7"),  # the euro sign is an escape pair: two septets
        ("€" * 81, 2, "GSM-7"),
        ("a" * 152 + "€", 1, "GSM-7"),
        ("a" * 70, 1, "GSM-7"),
        ("é" * 70, 1, "GSM-7"),  # é is in the GSM-7 table
        ("á" * 70, 1, "UCS-2"),
        ("á" * 71, 2, "UCS-2"),
        ("🎉" * 35, 1, "UCS-2"),  # an emoji is two UTF-16 units
        ("🎉" * 36, 2, "UCS-2"),
    ],
)
def test_encoding_and_segments(text, segments, kind):
    assert encoding(text) == kind
    assert count_segments(text) == segments


def test_smart_encoding_fixes_lookalikes_and_accents():
    assert to_gsm7("“Zoë’s” café — fun…") == '"Zoe\'s" café - fun...'
    assert encoding(to_gsm7("“Zoë’s” café — fun…")) == "GSM-7"


def test_url_extraction_finds_bare_domains_too():
    assert extract_urls(f"Go {LINK}. Or bit.ly/abc, or www.example.com/x!") == [LINK, "bit.ly/abc", "www.example.com/x"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (GOOD.replace("Join us:", "Join us:" + " x" * 20), "length"),
        (GOOD.replace("Hi Sarah!", "Hi Sarah! 🥟"), "emoji"),
        (GOOD.replace("Hi Sarah!", "Hi Sarah! 🥟"), "encoding"),
        (GOOD.replace("Join us:", "“Join” us:"), "encoding"),  # curly quotes force UCS-2
        (GOOD.replace("Join us:", "Join us €:"), None),  # an extension character is still GSM-7
        (GOOD.replace(LINK, "https://bit.ly/3xYz"), "booking_link"),
        (GOOD.replace(LINK, "https://bit.ly/3xYz"), "no_shorteners"),
        (GOOD.replace("event_004", "event_005"), "booking_link"),
        (GOOD.replace("Join us:", f"Join us: {LINK}"), "booking_link"),  # two links
        (GOOD.replace("Join us:", "Call 415-555-0123:"), "no_other_contacts"),
        (GOOD.replace("Join us:", "Mail help@cucu.li:"), "no_other_contacts"),
        (GOOD.replace("Join us:", "Open bar:"), "shaft"),
        (GOOD.replace("Join us:", "Bring your vape:"), "shaft"),
        (GOOD.replace("Join us:", "You've won a prize:"), "spam_or_phishing"),
        (GOOD.replace("Join us:", "Verify your account:"), "spam_or_phishing"),
        (GOOD.replace("Join us:", "JOIN US NOW:"), "no_shouting"),
        (GOOD.replace("Hi Sarah!", "Hi Sarah!!"), "no_shouting"),
        (GOOD.replace("Cuculi: ", ""), "brand"),
        (GOOD.replace("Sarah", "there"), "first_name"),
        (GOOD.replace(" Reply STOP to opt out", ""), "opt_out"),
        (GOOD.replace("Dumpling Workshop", "our dinner"), "event_named"),
        (GOOD.replace("Fri", "Sat"), "facts"),  # a made-up day
        (GOOD.replace("Fri", "Saturday"), "facts"),
        (GOOD.replace("Fri", "Wednesday"), "facts"),
        (GOOD.replace("7:30pm", "8pm"), "facts"),
        (GOOD.replace("7 seats", "3 seats"), "facts"),  # a made-up seat count
        (GOOD.replace("at The Vault", "at Culinary Studio"), "facts"),
        (GOOD.replace("at The Vault", "in SoMa"), "facts"),
        (GOOD.replace("Join us:", "Feb 20 only:"), "facts"),
        (GOOD.replace("Join us:", "Hosted by Chef Mario:"), "facts"),
    ],
)
def test_each_rule_fails_on_its_example(text, rule):
    failed = failures(text)
    assert (rule in failed) if rule else not failed, failed


@pytest.mark.parametrize(
    "text",
    [
        GOOD.replace("Join us:", "Feb 16, hosted by Chef Ploy. Join us:"),  # the true date and host
        GOOD.replace("at The Vault", "in Financial District"),  # the event's neighborhood
        GOOD.replace("Join us:", "Near Mission District. Join us:"),  # the member's own neighborhood
        GOOD.replace("5 in", "12 max"),  # capacity is a true count too
        GOOD.replace("Fri", "Friday"),
    ],
)
def test_true_facts_pass(text):
    assert failures(text) == {}


def test_numbers_inside_names_are_not_facts():
    context = MessageContext(**{**CONTEXT.__dict__, "venue_name": "Pier 5 Loft"})
    assert "facts" not in failures(GOOD.replace("The Vault", "Pier 5 Loft"), context)


def test_opt_out_only_required_when_the_member_needs_it():
    quiet = MessageContext(**{**CONTEXT.__dict__, "needs_opt_out": False})
    assert failures(GOOD.replace(" Reply STOP to opt out", ""), quiet) == {}


def test_emoji_allowed_when_enabled_but_the_text_then_counts_as_ucs2():
    emoji_ok = MessageContext(**{**CONTEXT.__dict__, "allow_emoji": True, "needs_opt_out": False})
    short = f"Cuculi: Sarah! 🥟 Dumpling Workshop, Fri 7:30pm: {LINK}"
    assert failures(short, emoji_ok) == {}
    assert failures(GOOD.replace("Hi Sarah!", "Hi Sarah! 🥟"), emoji_ok) == {"segments": "3 segments"}


def test_alcohol_mentions_warn_and_offers_block():
    mention = {r.rule: r for r in check_message(GOOD.replace("Join us:", "Wine welcome:"), CONTEXT)}
    assert not mention["alcohol_mention"].passed and not mention["alcohol_mention"].hard
    assert mention["shaft"].passed
    assert not textable_event_name("Italian Wine Tasting") and not textable_event_name("Mezcal Tasting")
    assert textable_event_name("Natural Wine Night") and textable_event_name("Dumpling Workshop")
