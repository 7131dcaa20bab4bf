"""A fake Anthropic Messages API on 127.0.0.1, for the tests and the benchmark: no key, no network.

`POST /v1/messages` answers after `latency` seconds with a valid structured draft built from the prompt (or the next
scripted answer), or, to the judge, an approval (or the next scripted verdict); `POST /v1/messages/batches`,
`GET /v1/messages/batches/{id}` and its results serve Message Batches. Usage is estimated at four characters a
token; each system prompt is cached as the API would cache it, only when it reaches its model's minimum cacheable
length.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from cucu_pipeline_tests.fakes.faults import STATUS_FAULTS, FaultPlan, send_fault
from cucu_pipeline_tests.fakes.http import serve_http

CHARACTERS_PER_TOKEN = 4
MINIMUM_CACHEABLE_TOKENS = 2048  # Sonnet 4.6 as observed (anthropic-sdk-python#1194; its docs said 1,024)
MINIMUM_CACHEABLE_BY_MODEL = {"claude-haiku-4-5": 4096}  # Anthropic's prompt-caching docs
ERROR_TYPES = {"401": "authentication_error", "429": "rate_limit_error", "529": "overloaded_error"}  # else `api_error`


def estimated_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARACTERS_PER_TOKEN)


def compliant_draft(prompt: dict) -> dict:
    """What a well-behaved Claude answers: the first candidate and a short, factual text."""
    event = prompt["candidates"][0]
    first = prompt["member"]["first_name"]
    return {
        "event_id": event["event_id"],
        "message": f"{first}, {event['name']} is {event['when']}. Save a seat:",
        "reasoning": "Best fit by interests.",
        "confidence": 81,
    }


def approving_judgement(prompt: dict) -> dict:
    """What the judge answers by default: a good text, approved as it is."""
    return {
        "tone": 4, "personal": 4, "natural": 4, "call_to_action": 5, "fit": 5, "issues": [], "approved": True,
        "improved_message": "",
    }  # fmt: skip


def is_review(prompt: dict) -> bool:
    """A judge's request (one text and its event) rather than a writer's (a member and candidates)."""
    return "text" in prompt and "event" in prompt


def flawed_draft(prompt: dict) -> dict:
    """A first draft with a wrong fact (the day and time), which the checks refuse and a regeneration fixes."""
    draft = compliant_draft(prompt)
    when = prompt["candidates"][0]["when"]
    wrong = "Tuesday at 9pm" if when.startswith("Monday") else "Monday at 9pm"
    return {**draft, "message": draft["message"].replace(f" is {when}.", f" is {wrong}.")}


class FakeMessagesAPI:
    """`script` holds answers to give first, in order: ("draft", dict) | ("text", str) | ("refusal",) |
    (status, error_type) for an error response. After it, every `flawed_share` of first drafts (chosen by a hash of
    the prompt, so runs repeat) states a wrong day and time; regenerations (prompts with feedback) are compliant.
    `faults` may fail any HTTP request, and any entry of a batch (errored for a status fault, expired otherwise)."""

    def __init__(
        self,
        script: list | None = None,
        judge_script: list[dict] | None = None,
        judge_policy=approving_judgement,
        latency: float = 0.0,
        flawed_share: float = 0.0,
        batch_polls_until_ended: int = 1,
        faults: FaultPlan | None = None,
    ):
        self.faults = faults or FaultPlan()
        self.script = list(script or [])
        self.judge_script = list(judge_script or [])
        self.judge_policy = judge_policy  # prompt -> verdict, once the script is spent
        self.reviews: list[dict] = []  # the judge's requests, also in `requests`
        self.latency = latency
        self.flawed_share = flawed_share
        self.batch_polls_until_ended = batch_polls_until_ended
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.batches: dict[str, dict] = {}
        self.batch_polls: dict[str, int] = {}
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self._cached: set[str] = set()  # system prompts written to the cache

    def usage(self, body: dict) -> dict:
        system = body.get("system") or []
        system_text = "".join(block["text"] for block in system) if isinstance(system, list) else str(system)
        system_tokens = estimated_tokens(system_text)
        user_tokens = sum(estimated_tokens(message["content"]) for message in body["messages"])
        cacheable = any("cache_control" in block for block in system if isinstance(block, dict))
        usage = {
            "input_tokens": user_tokens + system_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
        minimum = MINIMUM_CACHEABLE_BY_MODEL.get(body.get("model", ""), MINIMUM_CACHEABLE_TOKENS)
        if cacheable and system_tokens >= minimum:
            key = hashlib.sha256(f"{body.get('model')}:{system_text}".encode()).hexdigest()
            with self.lock:
                written = key in self._cached
                self._cached.add(key)
            usage["input_tokens"] = user_tokens
            usage["cache_read_input_tokens" if written else "cache_creation_input_tokens"] = system_tokens
        return usage

    def message(self, body: dict, text: str, stop_reason: str = "end_turn") -> dict:
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "claude-sonnet-4-6"),
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {**self.usage(body), "output_tokens": estimated_tokens(text)},
        }

    def _flawed(self, prompt: dict) -> bool:
        if "feedback_on_previous_draft" in prompt or not self.flawed_share:
            return False
        digest = hashlib.sha256(json.dumps(prompt, sort_keys=True).encode()).digest()
        return int.from_bytes(digest[:4], "big") / 2**32 < self.flawed_share

    def respond(self, body: dict) -> tuple[int, dict, dict]:
        """The judge's verdict for a review (the next of `judge_script`, else `judge_policy`'s), the writer's answer
        for a brief."""
        prompt = json.loads(body["messages"][0]["content"])
        if not is_review(prompt):
            return self.answer(body)
        with self.lock:
            self.reviews.append(prompt)
            verdict = self.judge_script.pop(0) if self.judge_script else self.judge_policy(prompt)
        return 200, self.message(body, json.dumps(verdict)), {}

    def answer(self, body: dict) -> tuple[int, dict, dict]:
        with self.lock:
            step = self.script.pop(0) if self.script else ("default",)
        prompt = json.loads(body["messages"][0]["content"])
        if step[0] == "default":
            draft = flawed_draft(prompt) if self._flawed(prompt) else compliant_draft(prompt)
            return 200, self.message(body, json.dumps(draft)), {}
        if step[0] == "draft":
            return 200, self.message(body, json.dumps(step[1])), {}
        if step[0] == "text":
            return 200, self.message(body, step[1]), {}
        if step[0] == "refusal":
            return 200, self.message(body, "I can't help with that.", stop_reason="refusal"), {}
        status, error_type = step
        return status, {"type": "error", "error": {"type": error_type, "message": "fake"}}, {"retry-after-ms": "1"}

    def create_batch(self, body: dict, base_url: str) -> dict:
        with self.lock:
            batch_id = f"msgbatch_{len(self.batches):06d}"
        results = []
        for request in body["requests"]:
            status, answer, _ = self.respond(request["params"])
            fault = self.faults.next()
            if fault is not None and fault not in STATUS_FAULTS:
                result = {"type": "expired"}
            elif fault is not None or status != 200:
                result = {"type": "errored", "error": answer if status != 200 else self.error_body(fault)}
            else:
                result = {"type": "succeeded", "message": answer}
            results.append({"custom_id": request["custom_id"], "result": result})
        batch = {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "in_progress",
            "request_counts": {"processing": len(results), "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
            "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": None,
        }
        with self.lock:
            self.batches[batch_id] = {"batch": batch, "results": results, "base_url": base_url}
            self.batch_polls[batch_id] = 0
        return batch

    @staticmethod
    def error_body(fault: str) -> dict:
        return {"type": "error", "error": {"type": ERROR_TYPES.get(fault, "api_error"), "message": "injected fault"}}

    def poll_batch(self, batch_id: str) -> dict | None:
        with self.lock:
            if batch_id not in self.batches:
                return None
            self.batch_polls[batch_id] += 1
            entry = self.batches[batch_id]
            batch = entry["batch"]
            if self.batch_polls[batch_id] >= self.batch_polls_until_ended and batch["processing_status"] != "ended":
                succeeded = sum(r["result"]["type"] == "succeeded" for r in entry["results"])
                batch.update(
                    processing_status="ended",
                    ended_at="2026-01-01T00:01:00Z",
                    results_url=f"{entry['base_url']}/v1/messages/batches/{batch_id}/results",
                    request_counts={
                        "processing": 0,
                        "succeeded": succeeded,
                        "errored": len(entry["results"]) - succeeded,
                        "canceled": 0,
                        "expired": 0,
                    },
                )
            return dict(batch)

    @contextmanager
    def serve(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep output quiet
                pass

            def _send(
                self, status: int, payload: bytes, headers: dict | None = None, content_type: str = "application/json"
            ):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _fault(self) -> bool:
                fault = fake.faults.next()
                if fault:
                    send_fault(self, fault, fake.error_body(fault), fake.faults.stall_seconds, fake.faults.retry_after)
                return bool(fault)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self._fault():
                    return
                with fake.lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers))
                if self.path.startswith("/v1/messages/batches"):
                    host = f"http://{self.headers['Host']}"
                    return self._send(200, json.dumps(fake.create_batch(body, host)).encode())
                with fake.lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    time.sleep(fake.latency)
                    status, answer, headers = fake.respond(body)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1
                self._send(status, json.dumps(answer).encode(), headers)

            def do_GET(self):
                if self._fault():
                    return
                parts = self.path.split("?")[0].strip("/").split("/")  # v1 messages batches {id} [results]
                batch = fake.poll_batch(parts[3]) if len(parts) >= 4 else None
                if batch is None:
                    return self._send(404, json.dumps({"type": "error", "error": {"type": "not_found_error"}}).encode())
                if len(parts) == 5 and parts[4] == "results":
                    lines = "\n".join(json.dumps(result) for result in fake.batches[parts[3]]["results"])
                    return self._send(200, lines.encode(), content_type="application/binary")
                self._send(200, json.dumps(batch).encode())

        with serve_http(Handler) as url:
            yield url
