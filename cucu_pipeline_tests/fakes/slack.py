"""A fake Slack Web API on 127.0.0.1: `chat.postMessage` as Slack answers it, every post recorded."""

from __future__ import annotations

import json
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from cucu_pipeline_tests.fakes.http import serve_http

TOKEN = "xoxb-test-token"


@contextmanager
def fake_slack():
    """Yields (api_url, posts): each post is the JSON body Slack received."""
    posts: list[dict] = []

    class SlackAPI(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the handler's protocol)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                answer = {"ok": False, "error": "invalid_auth"}
            elif self.path != "/api/chat.postMessage":
                answer = {"ok": False, "error": "unknown_method"}
            else:
                posts.append(json.loads(body))
                answer = {"ok": True, "channel": posts[-1]["channel"], "ts": f"{len(posts)}.0001"}
            encoded = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, *args):
            pass

    with serve_http(SlackAPI) as url:
        yield f"{url}/api/", posts
