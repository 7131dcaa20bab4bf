"""Real protocol peers on 127.0.0.1 for the production clients: a MongoDB wire-protocol server and a fake Airtable."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


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
    executable = shutil.which("nx-27017") or str(Path(sys.executable).with_name("nx-27017"))
    port = free_port()
    process = subprocess.Popen(
        [executable, "--host", "127.0.0.1", "-p", str(port), "--db", "memory",
         "--log-file", str(workdir / "nx.log"), "--pid-file", str(workdir / "nx.pid")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class FakeAirtable:
    """The Airtable REST endpoints pyairtable uses for a Messages table, with injectable 429s."""

    def __init__(self, records: list[dict], page_size_limit: int = 100):
        self.records = records
        self.page_size_limit = page_size_limit
        self.requests: list[tuple[str, str]] = []
        self.throttle_next = 0  # answer this many requests with 429 first
        self.auth_headers: set[str] = set()

    @contextmanager
    def serve(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                fake.requests.append(("GET", self.path))
                fake.auth_headers.add(self.headers.get("Authorization", ""))
                if fake.throttle_next:
                    fake.throttle_next -= 1
                    return self._send(429, {"errors": [{"error": "RATE_LIMIT_REACHED"}]}, {"Retry-After": "0"})
                query = parse_qs(urlparse(self.path).query)
                size = min(int(query.get("pageSize", ["100"])[0]), fake.page_size_limit)
                start = int(query.get("offset", ["0"])[0])
                page = fake.records[start : start + size]
                body = {"records": page}
                if start + size < len(fake.records):
                    body["offset"] = str(start + size)
                self._send(200, body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
