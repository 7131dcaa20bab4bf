"""Phone normalization with `phonenumbers`, and the masking used wherever people see data."""

from __future__ import annotations

import contextlib
import random

import pandas as pd
import phonenumbers
import pytest

from cucu_pipeline.core.privacy import mask_email, mask_phone, mask_text, masked
from cucu_pipeline.sources.phones import normalize_phones, to_us_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(415) 555-0123", "+14155550123"),
        ("415.555.0123", "+14155550123"),
        ("+1 415 555 0123", "+14155550123"),
        ("4155550123", "+14155550123"),
        ("1-628-249-4662", "+16282494662"),
        ("555-0123", None),  # too short
        ("+44 20 7946 0958", None),  # valid, but British
        ("(415) 055-0123", None),  # no US exchange starts with 0
        ("call me", None),
        ("", None),
        (None, None),
    ],
)
def test_us_numbers_normalize_to_e164(raw, e164):
    assert to_us_e164(raw) == e164


def _parser_says(raw: str) -> str | None:
    number = None
    with contextlib.suppress(phonenumbers.NumberParseException):
        number = phonenumbers.parse(raw, "US")
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if number is not None
        and phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) == "US"
        else None
    )


@pytest.mark.parametrize(
    "raw",
    [
        "+4155550123",
        "1 415 555 0123",
        "+1 (416) 555-0123",
        "415-555-0123 ext 5",
        "(415)5550123",
        "14155550123",
        " 415 555 0123 ",
        "(800) 555-0123",
        "911",
        "+44 20 7946 0958",
        "415 555 01234",
        "(015) 555-0123",
        "1-415-555-0123",
        "+1-415-555-0123",
        "(415 555-0123",
        "+1 876 555 0123",
        "415 CALL NOW",
    ],
)
def test_plain_numbers_read_with_regexes_agree_with_the_general_parser(raw):
    assert to_us_e164(raw) == _parser_says(raw)
    assert normalize_phones(pd.Series([raw])).tolist() == [_parser_says(raw)]


def test_every_area_code_and_exchange_is_judged_as_the_general_parser_judges_it():
    # Every area code, personal-number and toll-free prefix: the regexes built from the library's US metadata must
    # accept and refuse exactly what `phonenumbers` does (Canadian and Caribbean area codes included).
    rng = random.Random(5)
    texts = [
        rng.choice(["({}) {}-{}", "{}.{}.{}", "+1 {} {} {}", "1-{}-{}-{}", "{}{}{}"]).format(
            f"{area:03d}", f"{rng.randrange(1000):03d}", f"{rng.randrange(10000):04d}"
        )
        for area in range(1000)
        for _ in range(12)
    ]
    expected = [_parser_says(text) for text in texts]
    assert normalize_phones(pd.Series(texts)).tolist() == expected
    assert 0 < sum(e164 is not None for e164 in expected) < len(texts)


def test_normalize_phones_keeps_alignment_and_missing_values():
    assert normalize_phones(pd.Series(["415.555.0123", None, "nope", "415.555.0123"])).tolist() == [
        "+14155550123",
        None,
        None,
        "+14155550123",
    ]


def test_masks_keep_too_little_to_contact_anyone():
    assert mask_phone("+14155550123") == "•••••••123"
    assert mask_email("sarah.chen@email.com") == "s•••@e•••.com"
    assert mask_text("Text +1 (415) 555-0123 or write sarah.chen@email.com") == "Text •••••••123 or write s•••@e•••.com"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("published_messages for 2026-02-10 was not materialized", "published_messages for 2026-02-10 was not"),
        ("message key 2026-02-10:u17", "message key 2026-02-10:u17"),
        ("call (415) 555-0100 on 2026-02-10", "call (•••••••100 on 2026-02-10"),
        ("2026-02-10 4155550123", "•••••••123"),
        ("host='127.0.0.1', port=40201; call 415.555.0123", "host='127.0.0.1', port=40201; call •••••••123"),
    ],
)
def test_campaign_dates_stay_readable_and_phones_beside_them_do_not(text, shown):
    masked_text = mask_text(text)
    assert shown in masked_text and "555" not in masked_text


def test_masked_frames_cover_every_contact_column():
    frame = pd.DataFrame(
        {"email": ["a@b.co"], "user_phone": ["+14155550123"], "phone_e164": ["+14155550123"], "name": ["Ana"]}
    )
    safe = masked(frame)
    assert safe.iloc[0].tolist() == ["a•••@b•••.co", "•••••••123", "•••••••123", "Ana"]
    assert frame.iloc[0, 0] == "a@b.co"  # the original is untouched
