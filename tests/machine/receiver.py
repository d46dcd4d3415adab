"""A webhook receiver on loopback (a thread with the standard library's HTTP server), and a
Standard Webhooks verifier written from the specification's text: the signed content is
``{webhook-id}.{webhook-timestamp}.{body}``, HMAC-SHA256 keyed by the base64 part of the
``whsec_`` secret, sent base64-encoded as ``v1,<signature>`` (space-separated if several);
the timestamp must be recent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    answers: list[int] = field(default_factory=list)  # status codes to give, then 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def next_status(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def wait_for(self, count: int, timeout_s: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} arrived"
            time.sleep(0.05)
        return list(self.received)


@contextmanager
def running_receiver(answers: list[int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            status = receiver.next_status()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.received.append(Received(self.path, headers, body))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


class InvalidSignature(Exception):
    pass


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance_s: int = 300) -> None:
    """Standard Webhooks verification, from the specification."""
    if not secret.startswith("whsec_"):
        raise InvalidSignature("not a whsec_ secret")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance_s:
        raise InvalidSignature("timestamp too old or too new")
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return
    raise InvalidSignature("no matching v1 signature")
