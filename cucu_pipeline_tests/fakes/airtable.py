"""A fake Airtable on 127.0.0.1: the REST endpoints pyairtable uses for a Messages table (list and upsert)."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from cucu_pipeline_tests.fakes.faults import STATUS_FAULTS, FaultPlan, send_fault
from cucu_pipeline_tests.fakes.http import serve_http


class FakeAirtable:
    """The Airtable REST endpoints pyairtable uses for a Messages table (list and upsert), with injectable faults.

    `faults` decides each request's fate. On a write, refusals (429, 5xx) happen before the write and stalls, drops
    and garbled answers after it: the worst case for a client, which then retries a write that already landed.
    `fail_writes_after` answers every write after that many with a 500, as a base that went down mid-publish.
    """

    def __init__(self, records: list[dict] | None = None, page_size_limit: int = 100, faults: FaultPlan | None = None):
        self.records = records if records is not None else []
        self.page_size_limit = page_size_limit
        self.faults = faults or FaultPlan()
        self.requests: list[tuple[str, str]] = []
        self.fail_writes_after: int | None = None
        self.writes = 0
        self.write_delay = 0.0  # seconds each write takes, to catch a publish halfway
        self.auth_headers: set[str] = set()
        self.lock = threading.Lock()

    def update(self, body: dict) -> tuple[int, dict]:
        """PATCH without `performUpsert`: each record by its id."""
        by_id = {record["id"]: record for record in self.records}
        if any(item["id"] not in by_id for item in body["records"]):
            return 422, {"error": {"type": "ROW_DOES_NOT_EXIST", "message": "no such record"}}
        for item in body["records"]:
            by_id[item["id"]]["fields"].update(item["fields"])
        return 200, {"records": [by_id[item["id"]] for item in body["records"]]}

    def upsert(self, body: dict) -> tuple[int, dict]:
        if len(body.get("records", [])) > 10:
            return 422, {"error": {"type": "INVALID_RECORDS", "message": "at most 10 records"}}
        if "performUpsert" not in body:
            return self.update(body)
        keys = body["performUpsert"]["fieldsToMergeOn"]
        created, updated, written = [], [], []
        for item in body["records"]:
            matches = [r for r in self.records if all(r["fields"].get(k) == item["fields"].get(k) for k in keys)]
            if len(matches) > 1:
                return 422, {"error": {"type": "INVALID_REQUEST", "message": "more than one record matches"}}
            if matches:
                matches[0]["fields"].update(item["fields"])
                updated.append(matches[0]["id"])
                written.append(matches[0])
            else:
                record = {
                    "id": f"rec{len(self.records):014d}",
                    "createdTime": "2026-01-01T00:00:00.000Z",
                    "fields": dict(item["fields"]),
                }
                self.records.append(record)
                created.append(record["id"])
                written.append(record)
        return 200, {"records": written, "createdRecords": created, "updatedRecords": updated}

    @contextmanager
    def serve(self):
        fake = self
        error_body = {"errors": [{"error": "INJECTED_FAULT", "message": "injected by the test"}]}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _fault(self, method: str) -> str | None:
                fake.requests.append((method, self.path))
                fake.auth_headers.add(self.headers.get("Authorization", ""))
                return fake.faults.next()

            def do_PATCH(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fault = self._fault("PATCH")
                if fault in STATUS_FAULTS:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds, fake.faults.retry_after)
                time.sleep(fake.write_delay)
                with fake.lock:
                    if fake.fail_writes_after is not None and fake.writes >= fake.fail_writes_after:
                        return self._send(500, {"error": {"type": "SERVER_ERROR", "message": "down"}})
                    fake.writes += 1
                    status, answer = fake.upsert(body)
                if fault:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds, fake.faults.retry_after)
                self._send(status, answer)

            def do_GET(self):
                fault = self._fault("GET")
                if fault:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds, fake.faults.retry_after)
                query = parse_qs(urlparse(self.path).query)
                size = min(int(query.get("pageSize", ["100"])[0]), fake.page_size_limit)
                start = int(query.get("offset", ["0"])[0])
                with fake.lock:
                    page = [json.loads(json.dumps(record)) for record in fake.records[start : start + size]]
                    more = start + size < len(fake.records)
                body = {"records": page, **({"offset": str(start + size)} if more else {})}
                self._send(200, body)

        with serve_http(Handler) as url:
            yield url
