"""The Messages API over HTTP: every answer has a deadline however slowly its bytes arrive, and a server's request
to wait before retrying is obeyed only up to a cap."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import anthropic
import httpx2


class ClaudeDeadlineExceeded(anthropic.APIError):
    """An answer still arriving at the deadline. The SDK retries statuses, timeouts and dropped connections, never
    this, so a trickling answer costs one deadline rather than one per retry; the template writes that text."""


class DeadlineStream(httpx2.SyncByteStream):
    """An answer's body that fails once `deadline` (a `time.monotonic()` instant) has passed: the read timeout
    restarts with every byte, so an answer that trickles in would otherwise hold the step forever."""

    def __init__(self, stream: httpx2.SyncByteStream, request: httpx2.Request, deadline: float, seconds: float):
        self.stream, self.request, self.deadline, self.seconds = stream, request, deadline, seconds

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.stream:
            if time.monotonic() > self.deadline:
                self.stream.close()
                message = f"Claude sent no full answer within {self.seconds:g} s"
                raise ClaudeDeadlineExceeded(message, self.request, body=None)
            yield chunk

    def close(self) -> None:
        self.stream.close()


def capped_wait(response: httpx2.Response, cap_seconds: float) -> None:
    """Rewrite the response's `retry-after-ms` and `retry-after` (seconds or an HTTP date) to at most the cap: the
    SDK obeys them however long they ask, and a server asking for minutes would hold the morning's run that long."""
    if (milliseconds := response.headers.get("retry-after-ms")) is not None:
        try:
            response.headers["retry-after-ms"] = f"{min(float(milliseconds), cap_seconds * 1000):g}"
        except ValueError:
            del response.headers["retry-after-ms"]
    if (value := response.headers.get("retry-after")) is not None:
        try:
            seconds = float(value)
        except ValueError:
            date = email.utils.parsedate_tz(value)
            seconds = email.utils.mktime_tz(date) - time.time() if date else 0.0
        response.headers["retry-after"] = f"{min(max(seconds, 0.0), cap_seconds):g}"


class BoundedHttpClient(anthropic.DefaultHttpxClient):
    """The SDK's own HTTP client (its connection limits, keep-alive and proxies), with a deadline on each answer,
    counted from when the request is sent, and retry waits capped."""

    def __init__(self, deadline_seconds: float, retry_after_cap_seconds: float, **kwargs):
        self.deadline_seconds, self.retry_after_cap_seconds = deadline_seconds, retry_after_cap_seconds
        super().__init__(**kwargs)

    def send(self, request: httpx2.Request, *, stream: bool = False, **kwargs) -> httpx2.Response:
        deadline = time.monotonic() + self.deadline_seconds
        response = super().send(request, stream=True, **kwargs)
        capped_wait(response, self.retry_after_cap_seconds)
        response.stream = DeadlineStream(response.stream, request, deadline, self.deadline_seconds)
        if not stream:
            try:
                response.read()
            finally:
                response.close()
        return response
