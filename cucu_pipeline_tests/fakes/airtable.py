"""A fake Airtable on 127.0.0.1: the REST endpoints pyairtable uses for a Messages table (list, with
`filterByFormula` evaluated as Airtable does and `fields[]`, update and upsert)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from cucu_pipeline_tests.fakes.faults import STATUS_FAULTS, FaultPlan, send_fault
from cucu_pipeline_tests.fakes.formula import FormulaError, Record, compile_formula
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
        # Airtable's LAST_MODIFIED_TIME() per record id; records the test put in were last modified at the epoch.
        self.modified: dict[str, dt.datetime] = {}
        self.clock = lambda: dt.datetime.now(dt.UTC)
        self._listings: dict[tuple, list[dict]] = {}
        # A field's type, as Airtable enforces it: a value it refuses fails the whole request with 422
        # INVALID_VALUE_FOR_COLUMN and writes none of its records (each predicate says which values it refuses).
        self.refuses: dict[str, Callable[[object], bool]] = {}
        # The base's schema, as the metadata API serves and changes it: table name -> {"id", "fields"}.
        self.tables: dict[str, dict] = {}

    def meta(self, method: str, path: str, body: dict | None) -> tuple[int, dict]:
        """Airtable's metadata API for one base (https://airtable.com/developers/web/api/get-base-schema): list the
        tables, create a table with its fields, create a field on a table (by id or name)."""
        parts = path.rstrip("/").split("/")  # ["", "v0", "meta", "bases", base, "tables", (table, "fields")]
        if method == "GET" and len(parts) == 6:
            return 200, {"tables": [self._table_model(name) for name in self.tables]}
        if method == "POST" and len(parts) == 6:
            if body["name"] in self.tables:
                return 422, {"error": {"type": "DUPLICATE_TABLE_NAME", "message": "a table has that name"}}
            self.tables[body["name"]] = {"id": f"tbl{len(self.tables):014d}", "fields": []}
            for field in body["fields"]:
                self._add_field(body["name"], field)
            return 200, self._table_model(body["name"])
        if method == "POST" and len(parts) == 8 and parts[7] == "fields":
            name = next((n for n, table in self.tables.items() if parts[6] in (n, table["id"])), None)
            if name is None:
                return 404, {"error": {"type": "TABLE_NOT_FOUND", "message": "no such table"}}
            if any(field["name"] == body["name"] for field in self.tables[name]["fields"]):
                return 422, {"error": {"type": "DUPLICATE_OR_EMPTY_FIELD_NAME", "message": "a field has that name"}}
            return 200, self._add_field(name, body)
        return 404, {"error": {"type": "NOT_FOUND", "message": path}}

    def _add_field(self, table: str, field: dict) -> dict:
        fields = self.tables[table]["fields"]
        added = {"id": f"fld{len(fields):014d}", **field}
        fields.append(added)
        return added

    def _table_model(self, name: str) -> dict:
        table = self.tables[name]
        primary = table["fields"][0]["id"] if table["fields"] else None
        return {"id": table["id"], "name": name, "primaryFieldId": primary, "fields": table["fields"], "views": []}

    def refusal(self, body: dict) -> tuple[int, dict] | None:
        for item in body.get("records", []):
            for field, value in item.get("fields", {}).items():
                if field in self.refuses and self.refuses[field](value):
                    message = f'Field "{field}" cannot accept the provided value'
                    return 422, {"error": {"type": "INVALID_VALUE_FOR_COLUMN", "message": message}}
        return None

    def _touch(self, record: dict) -> None:
        self.modified[record["id"]] = self.clock()

    def listing(self, formula: str | None, fields: list[str], first_page: bool = True) -> list[dict]:
        """The records a list request returns, in table order: those the formula holds for, with only `fields`.
        A listing's later pages reuse what its first page found, so a long listing evaluates the formula once."""
        cache_key = (formula, tuple(fields))
        if first_page or cache_key not in self._listings:
            epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
            test = compile_formula(formula) if formula else None
            chosen = [r for r in self.records if test is None or test(Record(r, self.modified.get(r["id"], epoch)))]
            if fields:
                chosen = [{**r, "fields": {k: v for k, v in r["fields"].items() if k in fields}} for r in chosen]
            self._listings = {cache_key: chosen}
        return self._listings[cache_key]

    def update(self, body: dict) -> tuple[int, dict]:
        """PATCH without `performUpsert`: each record by its id."""
        by_id = {record["id"]: record for record in self.records}
        if any(item["id"] not in by_id for item in body["records"]):
            return 422, {"error": {"type": "ROW_DOES_NOT_EXIST", "message": "no such record"}}
        for item in body["records"]:
            by_id[item["id"]]["fields"].update(item["fields"])
            self._touch(by_id[item["id"]])
        return 200, {"records": [by_id[item["id"]] for item in body["records"]]}

    def delete(self, ids: list[str], batch: bool) -> tuple[int, dict]:
        """DELETE: a batch naming a missing record fails whole (422), a single missing record is a 404."""
        present = {record["id"] for record in self.records}
        if len(ids) > 10 or not ids:
            return 422, {"error": {"type": "INVALID_RECORDS", "message": "between 1 and 10 record ids"}}
        if any(record_id not in present for record_id in ids):
            if batch:
                return 422, {"error": {"type": "ROW_DOES_NOT_EXIST", "message": "no such record"}}
            return 404, {"error": {"type": "NOT_FOUND", "message": "Could not find what you are looking for"}}
        self.records[:] = [record for record in self.records if record["id"] not in set(ids)]
        deleted = [{"id": record_id, "deleted": True} for record_id in ids]
        return 200, ({"records": deleted} if batch else deleted[0])

    def upsert(self, body: dict) -> tuple[int, dict]:
        if len(body.get("records", [])) > 10:
            return 422, {"error": {"type": "INVALID_RECORDS", "message": "at most 10 records"}}
        if refused := self.refusal(body):
            return refused
        if "performUpsert" not in body:
            return self.update(body)
        keys = body["performUpsert"]["fieldsToMergeOn"]
        created, updated, written = [], [], []
        by_keys: dict[tuple, list[dict]] = {}  # one pass per request, not one per item: the table may hold a year
        for record in self.records:
            by_keys.setdefault(tuple(record["fields"].get(k) for k in keys), []).append(record)
        for item in body["records"]:
            matches = by_keys.get(tuple(item["fields"].get(k) for k in keys), [])
            if len(matches) > 1:
                return 422, {"error": {"type": "INVALID_REQUEST", "message": "more than one record matches"}}
            if matches:
                matches[0]["fields"].update(item["fields"])
                self._touch(matches[0])
                updated.append(matches[0]["id"])
                written.append(matches[0])
            else:
                record = {
                    "id": f"rec{len(self.records):014d}",
                    "createdTime": "2026-01-01T00:00:00.000Z",
                    "fields": dict(item["fields"]),
                }
                self.records.append(record)
                by_keys[tuple(item["fields"].get(k) for k in keys)] = [record]
                self._touch(record)
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

            def do_DELETE(self):
                fault = self._fault("DELETE")
                if fault:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds, fake.faults.retry_after)
                url = urlparse(self.path)
                single = url.path.rstrip("/").split("/")[-1]
                ids = parse_qs(url.query).get("records[]", []) or ([single] if single.startswith("rec") else [])
                with fake.lock:
                    if fake.fail_writes_after is not None and fake.writes >= fake.fail_writes_after:
                        return self._send(500, {"error": {"type": "SERVER_ERROR", "message": "down"}})
                    fake.writes += 1
                    status, answer = fake.delete(ids, batch=not single.startswith("rec"))
                self._send(status, answer)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self._fault("POST")
                with fake.lock:
                    self._send(*fake.meta("POST", urlparse(self.path).path, body))

            def do_GET(self):
                fault = self._fault("GET")
                if fault:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds, fake.faults.retry_after)
                if urlparse(self.path).path.startswith("/v0/meta/"):
                    with fake.lock:
                        return self._send(*fake.meta("GET", urlparse(self.path).path, None))
                query = parse_qs(urlparse(self.path).query)
                size = min(int(query.get("pageSize", ["100"])[0]), fake.page_size_limit)
                start = int(query.get("offset", ["0"])[0])
                with fake.lock:
                    try:
                        formula, fields = query.get("filterByFormula", [None])[0], query.get("fields[]", [])
                        listed = fake.listing(formula, fields, first_page=start == 0)
                    except FormulaError as error:
                        return self._send(422, {"error": {"type": "INVALID_FILTER_BY_FORMULA", "message": str(error)}})
                    page = [json.loads(json.dumps(record)) for record in listed[start : start + size]]
                    more = start + size < len(listed)
                body = {"records": page, **({"offset": str(start + size)} if more else {})}
                self._send(200, body)

        with serve_http(Handler) as url:
            yield url
