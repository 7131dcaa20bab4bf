"""The waits the Messages API asks for, capped before the SDK obeys them."""

from __future__ import annotations

import email.utils
import time

import httpx2
import pytest

from cucu_pipeline.clients.claude_http import capped_wait


def capped(headers: dict[str, str]) -> dict[str, str]:
    response = httpx2.Response(429, headers=headers)
    capped_wait(response, cap_seconds=60)
    return {name: response.headers[name] for name in ("retry-after", "retry-after-ms") if name in response.headers}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "120", "retry-after-ms": "120000"}, {"retry-after": "60", "retry-after-ms": "60000"}),
        ({"retry-after": "2", "retry-after-ms": "1500"}, {"retry-after": "2", "retry-after-ms": "1500"}),
        ({"retry-after": "soon", "retry-after-ms": "later"}, {"retry-after": "0"}),  # unreadable: the SDK's backoff
        ({}, {}),
    ],
)
def test_a_requested_wait_is_obeyed_up_to_the_cap(headers, expected):
    assert capped(headers) == expected


def test_a_wait_until_an_http_date_is_capped_too():  # RFC 9110 allows a date; made now, so it is two minutes ahead
    assert capped({"retry-after": email.utils.formatdate(time.time() + 120, usegmt=True)}) == {"retry-after": "60"}
