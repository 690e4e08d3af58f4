"""A fault-injecting HTTP proxy between the tool and the local Redmine (standard library).

The tool's `redmine.url` points at :attr:`ChaosProxy.url`; the proxy forwards to the real
Redmine (loopback only) and, with a fixed random seed, answers a share of the requests
(`fault_rate`) with a fault, drawn by weight from :data:`FAULTS`:

* ``http_500`` ... ``http_504``: that status, without forwarding (an HTML body, as a
  reverse proxy sends);
* ``reset_before``: the request is read, then the connection reset, nothing forwarded;
* ``reset_after``: forwarded (a write lands in Redmine), then the connection reset: the
  answer is lost;
* ``slow``: forwarded, then the answer held `delay_seconds` (beyond the tool's read
  timeout): the tool gives up on a request Redmine has already handled;
* ``cut_body``: forwarded, then the answer's head with a Content-Length larger than the
  body sent, half the body, and the connection closed;
* ``bad_json``: forwarded, then ``200`` with a body that is not JSON.

Every request and what was done to it is counted (:attr:`ChaosProxy.counts`, by kind;
``ok`` for a clean forward) and logged (:attr:`ChaosProxy.log`); `faulty(False)` turns the
faults off (the proxy then only forwards). The draws are taken from one
``random.Random(seed)`` in the order the requests arrive, so a seed replays the same
sequence of faults for the same sequence of requests.

Bounded: it listens on 127.0.0.1 only, forwards only to a loopback upstream, and is stopped
by :meth:`close` (a context manager); its threads are daemons.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Fault kinds and their default weights: a slow answer costs the tool a whole read timeout,
# so it is drawn less often than the others.
FAULTS: dict[str, float] = {
    "http_500": 1.0,
    "http_502": 1.0,
    "http_503": 1.0,
    "http_504": 1.0,
    "reset_before": 1.0,
    "reset_after": 1.0,
    "slow": 0.25,
    "cut_body": 1.0,
    "bad_json": 1.0,
}
# Faults after which the request has reached Redmine (a write has landed).
FORWARDED = frozenset({"reset_after", "slow", "cut_body", "bad_json"})
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)
REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
REASONS[504] = "Gateway Timeout"


@dataclass(frozen=True)
class Event:
    """One request the proxy handled: its number, method, path and what was done."""

    n: int
    method: str
    path: str
    kind: str  # "ok" or a fault kind


@dataclass
class _Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class ChaosProxy:
    """See the module docstring. `upstream`: the real Redmine's base URL (loopback)."""

    def __init__(
        self,
        upstream: str,
        *,
        seed: int,
        fault_rate: float = 0.2,
        weights: Mapping[str, float] | None = None,
        delay_seconds: float = 3.0,
        upstream_timeout: float = 60.0,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            raise ValueError(f"the chaos proxy forwards only to loopback http, not {upstream!r}")
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._prefix = parts.path.rstrip("/")
        self.seed = seed
        self.fault_rate = fault_rate
        self.weights = dict(FAULTS if weights is None else weights)
        unknown = set(self.weights) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.delay_seconds = delay_seconds
        self.upstream_timeout = upstream_timeout
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._faulty = True
        self._count = 0
        self.counts: Counter[str] = Counter()
        self.log: list[Event] = []
        self._busy = 0
        self._idle = threading.Condition(self._lock)

        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                proxy._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the events are in proxy.log

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that went away (after a slow answer, a reset) is expected

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="chaos-proxy", daemon=True
        )
        self._thread.start()

    # --- control --------------------------------------------------------------------------

    def faulty(self, on: bool) -> None:
        """Turn the faults on or off (off: every request is forwarded untouched)."""
        with self._lock:
            self._faulty = on

    @property
    def requests(self) -> int:
        return self._count

    @property
    def faults(self) -> int:
        return sum(n for kind, n in self.counts.items() if kind != "ok")

    def fault_counts(self) -> dict[str, int]:
        return {kind: n for kind, n in sorted(self.counts.items()) if kind != "ok"}

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is being forwarded (answers held back do not count: Redmine
        has handled their requests)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def __enter__(self) -> ChaosProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- serving --------------------------------------------------------------------------

    def _draw(self, method: str, path: str) -> str:
        with self._lock:
            self._count += 1
            self._busy += 1
            kind = "ok"
            # Always two draws, faulty or not: the sequence stays aligned with the requests.
            roll = self._rng.random()
            pick = self._rng.random()
            if self._faulty and roll < self.fault_rate and self.weights:
                total = sum(self.weights.values())
                at = pick * total
                for name, weight in self.weights.items():
                    at -= weight
                    if at < 0:
                        kind = name
                        break
                else:
                    kind = next(reversed(self.weights))
            self.counts[kind] += 1
            self.log.append(Event(self._count, method, path, kind))
            return kind

    def _done(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        kind = self._draw(handler.command, handler.path)
        done = False
        try:
            if kind.startswith("http_"):
                status = int(kind.removeprefix("http_"))
                page = f"<html><body><h1>{status} {REASONS[status]}</h1></body></html>\n"
                self._send(handler, _Answer(status, REASONS[status], [], page.encode()))
                return
            if kind == "reset_before":
                _reset(handler)
                return
            answer = self._forward(handler, body)
            if kind == "ok":
                self._send(handler, answer)
            elif kind == "reset_after":
                _reset(handler)
            elif kind == "slow":
                self._done()  # Redmine has answered: only the answer is held now
                done = True
                time.sleep(self.delay_seconds)
                self._send(handler, answer)
            elif kind == "cut_body":
                self._send_cut(handler, answer)
            elif kind == "bad_json":
                garbage = b'{"issue": {"id": 1, "subject": "tru<html>\x00not json'
                headers = [("Content-Type", "application/json; charset=utf-8")]
                self._send(handler, _Answer(200, "OK", headers, garbage))
        except OSError:
            handler.close_connection = True  # the client gave up (after a slow answer)
        finally:
            if not done:
                self._done()

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> _Answer:
        host, port = self._upstream
        conn = http.client.HTTPConnection(host, port, timeout=self.upstream_timeout)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
            if body:
                headers["Content-Length"] = str(len(body))
            conn.request(handler.command, self._prefix + handler.path, body or None, headers)
            response = conn.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return _Answer(response.status, response.reason, kept, data)
        finally:
            conn.close()

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, answer: _Answer) -> None:
        handler.send_response(answer.status, answer.reason)
        for key, value in answer.headers:
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(answer.body)
        handler.wfile.flush()

    @staticmethod
    def _send_cut(handler: BaseHTTPRequestHandler, answer: _Answer) -> None:
        """The head promises more than the body then sent; the connection closes."""
        handler.send_response(answer.status, answer.reason)
        for key, value in answer.headers:
            if key.lower() != "content-encoding":
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(answer.body) + 64))
        handler.end_headers()
        handler.wfile.write(answer.body[: len(answer.body) // 2])
        handler.wfile.flush()
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Abort the connection with a TCP reset (SO_LINGER 0), no answer at all."""
    handler.close_connection = True
    sock = handler.connection
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()  # its reference would keep the socket open past close()
        sock.close()
