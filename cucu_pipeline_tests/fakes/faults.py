"""Fault injection for the fake HTTP servers: rate limits, server errors, stalls, dropped connections, garbled bodies.

A `FaultPlan` decides, request by request, whether to fail and how; it is seeded, so a failing test repeats.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler

STATUS_FAULTS = {"401": 401, "429": 429, "500": 500, "502": 502, "503": 503, "529": 529}
# The transient faults a client must survive. A stall outlasts the client's read timeout; a drop closes the
# connection without an answer; a garbled answer is a 200 whose JSON is cut short. (A 401, a refused key, is not
# transient.)
FAULT_KINDS = ("429", "500", "502", "503", "529", "stall", "drop", "garbled")
# What Airtable answers: every transient fault but 529, which is Anthropic's own status.
AIRTABLE_KINDS = tuple(kind for kind in FAULT_KINDS if kind != "529")
# More ways a 200 goes wrong, for Airtable's paged reads: no body at all, a body shorter than its Content-Length, and
# JSON `null`.
BODY_FAULTS = ("empty", "truncated", "null")
# An answer that trickles in one byte at a time, each in time for the read timeout but the whole never in time.
SLOW_FAULTS = ("trickle",)


class FaultPlan:
    """Each request fails with probability `rate`, with a kind drawn from `kinds`; `script` lists kinds to inject
    first, in order (None lets a request through)."""

    def __init__(
        self,
        rate: float = 0.0,
        kinds: tuple[str, ...] = FAULT_KINDS,
        seed: int = 0,
        script: list[str | None] | None = None,
        stall_seconds: float = 2.0,
        retry_after: str = "0",
    ):
        unknown = set(kinds) - set(FAULT_KINDS) - set(BODY_FAULTS) - set(SLOW_FAULTS) - set(STATUS_FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.rate, self.kinds, self.script = rate, tuple(kinds), list(script or [])
        self.stall_seconds, self.retry_after = stall_seconds, retry_after
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.requests = 0

    def next(self) -> str | None:
        with self.lock:
            self.requests += 1
            if self.script:
                kind = self.script.pop(0)
            elif self.rate and self.random.random() < self.rate:
                kind = self.random.choice(self.kinds)
            else:
                kind = None
            if kind is not None:
                self.injected[kind] += 1
            return kind

    @property
    def total(self) -> int:
        return sum(self.injected.values())


def send_fault(
    handler: BaseHTTPRequestHandler, kind: str, error_body: dict, stall_seconds: float, retry_after: str = "0"
) -> None:
    """Answer (or not) as the fault says. Status faults carry both retry hints, asking for the same wait (10 ms at
    least): Airtable's and urllib3's `Retry-After` in seconds and Anthropic's `retry-after-ms`."""
    if kind in STATUS_FAULTS:
        payload = json.dumps(error_body).encode()
        handler.send_response(STATUS_FAULTS[kind])
        for name, value in (
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            ("Retry-After", retry_after),
            ("retry-after-ms", f"{max(10, float(retry_after) * 1000):g}"),
        ):
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
        return
    if kind == "trickle":  # `stall_seconds` between bytes of a page that would be valid
        payload = json.dumps({"records": [], "offset": "0" * 200}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        try:
            for byte in payload:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(stall_seconds)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up at its deadline
            handler.close_connection = True
        return
    if kind == "stall":
        time.sleep(stall_seconds)
    elif kind in ("garbled", "empty", "truncated", "null"):
        payload = {"garbled": b'{"records": [{"id": "rec', "empty": b"", "truncated": b'{"records": [', "null": b"null"}
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        # A truncated answer promises more than it sends, then the connection closes.
        handler.send_header("Content-Length", "4096" if kind == "truncated" else str(len(payload[kind])))
        handler.end_headers()
        handler.wfile.write(payload[kind])
        handler.close_connection = kind == "truncated"
        return
    handler.close_connection = True  # a stall or a drop: the connection closes with no answer
