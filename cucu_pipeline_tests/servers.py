"""Real protocol peers on 127.0.0.1: a MongoDB wire-protocol server, fake Airtable and Messages APIs, PostgreSQL."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dagster as dg

from cucu_pipeline.bench.fake_messages_api import serve_http
from cucu_pipeline.bench.faults import STATUS_FAULTS, FaultPlan, send_fault


def executable(name: str) -> str:
    """A command installed with the project: on PATH, or beside this Python when its venv is not activated."""
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def finished_runs(instance_folder: Path, count: int, timeout: float) -> list:
    """Wait until the instance in `instance_folder` holds `count` runs, all finished; return them."""
    finished = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + timeout
    with contextlib.chdir(instance_folder):  # the instance's storage paths are relative to its folder
        instance = dg.DagsterInstance.from_config(str(instance_folder))
        while time.monotonic() < deadline:
            runs = instance.get_runs()
            if len(runs) == count and all(run.status in finished for run in runs):
                return runs
            time.sleep(1)
    raise TimeoutError(f"runs not finished in {timeout} s: {[(r.tags.get('dagster/partition'), r.status) for r in runs]}")


def mongodb_uri_with_password(user: str, password: str, host: str) -> str:
    """A credentialed URI, assembled so the repository holds nothing a secret scanner would take for one."""
    return "@".join([f"mongodb://{user}:{password}", host])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def nx_mongodb(workdir: Path):
    """`nx-27017` (a MongoDB wire-protocol server backed by SQLite) on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [executable("nx-27017"), "--host", "127.0.0.1", "-p", str(port), "--db", "memory",
         "--log-file", str(workdir / "nx.log"), "--pid-file", str(workdir / "nx.pid")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


# `.ci/run` installs Debian's chromium and postgresql and sets this, so those tests run there instead of skipping.
SYSTEM_PACKAGES_REQUIRED = bool(os.environ.get("CUCU_REQUIRE_SYSTEM_PACKAGES"))


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL server binaries (package `postgresql`, installed by `.ci/run`), if present."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


@contextmanager
def postgresql():
    """A throwaway PostgreSQL cluster on a free loopback port, removed after the block; yields its settings.

    PostgreSQL refuses to run as root, so as root the cluster belongs to Debian's `postgres` user (in a folder of
    its own under /tmp, which that user can reach).
    """
    bin_dir, port, workdir = postgres_bin(), free_port(), Path(tempfile.mkdtemp(prefix="cucu-postgres-"))
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(workdir, "postgres")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True, "timeout": 60}
    data = workdir / "data"
    pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run([*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "--auth=trust"], **quiet)
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run([*pg_ctl, "-o", options, "-l", str(workdir / "server.log"), "-w", "start"], **quiet)
        try:
            subprocess.run([*as_owner, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "dagster",
                            "cucu_dagster"], **quiet)  # fmt: skip
            yield {"host": "127.0.0.1", "port": str(port), "username": "dagster", "password": "", "db": "cucu_dagster"}
        finally:
            subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], **quiet)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


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

    def upsert(self, body: dict) -> tuple[int, dict]:
        if len(body.get("records", [])) > 10:
            return 422, {"error": {"type": "INVALID_RECORDS", "message": "at most 10 records"}}
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
                record = {"id": f"rec{len(self.records):014d}", "createdTime": "2026-01-01T00:00:00.000Z",
                          "fields": dict(item["fields"])}  # fmt: skip
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
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds)
                time.sleep(fake.write_delay)
                with fake.lock:
                    if fake.fail_writes_after is not None and fake.writes >= fake.fail_writes_after:
                        return self._send(500, {"error": {"type": "SERVER_ERROR", "message": "down"}})
                    fake.writes += 1
                    status, answer = fake.upsert(body)
                if fault:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds)
                self._send(status, answer)

            def do_GET(self):
                fault = self._fault("GET")
                if fault:
                    return send_fault(self, fault, error_body, fake.faults.stall_seconds)
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
