"""A small LLM server on loopback for the tests: speaks Ollama's /api/generate or OpenAI's /v1/chat/completions.

It records every request (path, headers, decoded JSON body) and answers as told: a text, an HTTP
status, a delay before answering, or a body that is not JSON.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    headers: dict
    raw: bytes
    body: dict | None


@dataclass
class FakeLLM:
    """The server's behaviour (change the fields between requests) and what it has seen."""

    api: str = "ollama"  # or "openai"
    reply: str = "1. 첫째 방안\n2. 둘째 방안\n3. 셋째 방안"
    status: int = 200
    delay: float = 0.0
    raw_reply: bytes | None = None  # sent as is instead of a well-formed answer
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        return f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, body: dict | None) -> bytes:
        """The JSON body of a successful answer in this server's dialect."""
        model = (body or {}).get("model", "?")
        if self.api == "openai":
            return json.dumps(
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "model": model,
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": self.reply}}],
                }
            ).encode()
        return json.dumps({"model": model, "created_at": "2026-01-01T00:00:00Z", "response": self.reply, "done": True}).encode()

    def start(self) -> FakeLLM:
        """Serve on a free loopback port in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — the http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = None
                fake.requests.append(Recorded(self.path, dict(self.headers), raw, body))
                if fake.delay:
                    time.sleep(fake.delay)
                expected = "/v1/chat/completions" if fake.api == "openai" else "/api/generate"
                if self.path != expected:
                    status, payload = 404, b'{"error": "not found"}'
                elif fake.status != 200:
                    status, payload = fake.status, b'{"error": "model crashed"}'
                else:
                    status, payload = 200, fake.raw_reply if fake.raw_reply is not None else fake.answer(body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()
