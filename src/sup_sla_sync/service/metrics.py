"""What a supervisor can scrape from `run`: Prometheus `/metrics` and `/healthz`.

The metrics live in a registry of their own, served by prometheus_client's WSGI app on a
wsgiref thread beside the health check. Every label value is a fixed word, an SLA state,
a level or a note tag: never a URL, a key or an error message, so no secret can leak.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Metric,
    disable_created_metrics,
    make_wsgi_app,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from sup_sla_sync.core.model import ServiceLevel, SlaState
from sup_sla_sync.errors import ConfigError

if TYPE_CHECKING:
    from sup_sla_sync.service.sync import PassResult

# The `_created` twin of every counter doubles the scrape and tells an operator nothing.
disable_created_metrics()

HEALTHY_INTERVALS = 3  # /healthz: 503 once the last successful pass is older than this
# A pass of a quiet desk takes about a second; a first pass over a big tracker, minutes.
DURATION_BUCKETS = (0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)

# The outcome of one attempt, as the daemon names it: a pass that completed (with or
# without some issues failing), one that failed as a whole, or one skipped for the lock.
COMPLETED = ("ok", "issue_errors")
FAILED = ("tracker_unavailable", "key_refused", "error", "unexpected_error")
LOCK_SKIPS = {"lock_busy": "busy", "lock_unreachable": "unreachable"}
REASONS = {
    "ok": "the pass completed",
    "issue_errors": "the pass completed with some issues failing",
    "tracker_unavailable": "the tracker is unreachable",
    "key_refused": "the tracker refused the API key",
    "error": "the pass failed (see the log)",
    "unexpected_error": "the pass failed unexpectedly (see the log)",
    "lock_busy": "skipped: another pass held the lock",
    "lock_unreachable": "skipped: the lock service is unreachable",
}
REQUEST_KINDS = ("list_pages", "issue_reads", "writes", "other")
_WORD = re.compile(r"[a-z][a-z0-9_]{0,31}")


class Metrics:
    """The daemon's counters and gauges, and the health they imply."""

    def __init__(self, interval_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.interval_seconds = interval_seconds
        self.clock = clock  # seconds since the epoch; tests move it on instead of waiting
        self.last_success: float | None = None
        self.last_outcome: str | None = None
        self.running_since: float | None = None
        self._request_counts: _RequestCollector | None = None
        registry = self.registry = CollectorRegistry(auto_describe=True)
        prefix = "sup_sla_sync"
        self.passes = Counter(
            f"{prefix}_passes",
            "Pass attempts by outcome (ok, issue_errors, tracker_unavailable, key_refused, "
            "error, unexpected_error).",
            ["outcome"],
            registry=registry,
        )
        self.duration = Histogram(
            f"{prefix}_pass_duration_seconds",
            "How long each completed pass took.",
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.issues = Gauge(
            f"{prefix}_issues",
            "Issues evaluated by the last completed pass, by SLA state and service level.",
            ["sla_state", "level"],
            registry=registry,
        )
        self.writes = Counter(
            f"{prefix}_writes",
            "Writes to the tracker by kind (fields, due_date, note, transition, watcher) and "
            "note tag.",
            ["kind", "tag"],
            registry=registry,
        )
        self.notifications = Counter(
            f"{prefix}_notifications",
            "Notifications sent outside Redmine ([notify]) by outcome.",
            ["outcome"],
            registry=registry,
        )
        self.lock_skips = Counter(
            f"{prefix}_lock_skips",
            "Passes skipped for the lock: held by another pass (busy) or its service down.",
            ["reason"],
            registry=registry,
        )
        self.last_success_time = Gauge(
            f"{prefix}_last_success_timestamp_seconds",
            "When the last completed pass ended (Unix time; 0 = none yet).",
            registry=registry,
        )
        # Every series exists from the start: a rate() or an alert needs its zero.
        for outcome in (*COMPLETED, *FAILED):
            self.passes.labels(outcome)
        for reason in LOCK_SKIPS.values():
            self.lock_skips.labels(reason)
        for outcome in ("sent", "failed"):
            self.notifications.labels(outcome)
        self._set_issues({})

    # --- what the daemon reports -----------------------------------------------------------

    def count_requests(self, read: Callable[[], Mapping[str, int]]) -> None:
        """Expose the adapter's HTTP request counts (RequestStats.as_dict()), read at each
        scrape: a pass stuck on a slow tracker shows its retries while it lasts."""
        if self._request_counts is None:
            self._request_counts = _RequestCollector(read)
            self.registry.register(self._request_counts)
        self._request_counts.read = read  # a new daemon on the same metrics reads its own

    def started(self) -> None:
        """An attempt begins (the health check tells how long one has been running)."""
        self.running_since = self.clock()

    def record(self, outcome: str, result: PassResult | None) -> None:
        """One attempt ended: its outcome (a key of REASONS), its PassResult if it completed."""
        self.running_since = None
        self.last_outcome = outcome
        if outcome in LOCK_SKIPS:
            self.lock_skips.labels(LOCK_SKIPS[outcome]).inc()
            return
        self.passes.labels(outcome if outcome in REASONS else "error").inc()
        if result is None or outcome not in COMPLETED:
            return
        self.duration.observe(result.seconds)
        self._set_issues(result.states)
        for (kind, tag), count in result.writes.items():
            self.writes.labels(kind, tag).inc(count)
        self.last_success = self.clock()
        self.last_success_time.set(self.last_success)

    def _set_issues(self, states: Mapping[tuple[str, str], int]) -> None:
        known = [(str(state), str(level)) for state in SlaState for level in ServiceLevel]
        for state, level in [*known, *(key for key in states if key not in known)]:
            self.issues.labels(state, level).set(states.get((state, level), 0))

    # --- health ----------------------------------------------------------------------------

    def health(self) -> tuple[bool, str]:
        """Healthy while the last successful pass is younger than HEALTHY_INTERVALS
        intervals; the one-line reason either way."""
        now = self.clock()
        if self.running_since is not None:
            doing = f"a pass has been running for {max(0.0, now - self.running_since):.0f} s"
        elif self.last_outcome is not None:
            doing = f"last attempt: {REASONS.get(self.last_outcome, self.last_outcome)}"
        else:
            doing = ""
        if self.last_success is None:
            return False, "no successful pass yet" + (f" ({doing})" if doing else "")
        age = max(0.0, now - self.last_success)
        when = datetime.fromtimestamp(self.last_success, UTC).isoformat(timespec="seconds")
        if age < HEALTHY_INTERVALS * self.interval_seconds:
            return True, f"ok: last successful pass {age:.0f} s ago ({when})"
        return False, (
            f"no successful pass for {age:.0f} s, more than {HEALTHY_INTERVALS} intervals of "
            f"{self.interval_seconds:.0f} s (last at {when}; {doing})"
        )

    # --- serving ---------------------------------------------------------------------------

    def wsgi_app(self) -> Callable[..., Iterable[bytes]]:
        scrape = make_wsgi_app(self.registry)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ.get("PATH_INFO") or "/"
            if path == "/healthz":
                healthy, reason = self.health()
                status = "200 OK" if healthy else "503 Service Unavailable"
                start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
                return [reason.encode() + b"\n"]
            if path in ("/", "/metrics"):
                return scrape(environ, start_response)  # type: ignore[no-any-return]
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found: try /metrics or /healthz\n"]

        return app

    def count_notification(self, outcome: str) -> None:
        """Count one notification sent outside the tracker (`sent`, `failed`, …): the
        notifier's `on_outcome` while `run` serves metrics. Anything but a short lowercase
        word counts as `other`, so that an error text (which may hold an Apprise URL) never
        becomes a label."""
        self.notifications.labels(outcome if _WORD.fullmatch(outcome) else "other").inc()

    def serve(self, host: str, port: int) -> MetricsServer:
        """Serve /metrics and /healthz on a thread. Port 0 takes a free port
        (`MetricsServer.port` tells which)."""
        return MetricsServer(self, host, port)


class _RequestCollector(Collector):
    def __init__(self, read: Callable[[], Mapping[str, int]]) -> None:
        self.read = read

    def collect(self) -> Iterable[Metric]:
        counts = self.read()
        requests = CounterMetricFamily(
            "sup_sla_sync_http_requests",
            "HTTP requests sent to the tracker by kind (every attempt counts).",
            labels=["kind"],
        )
        for kind in REQUEST_KINDS:
            requests.add_metric([kind], counts.get(kind, 0))
        yield requests
        yield CounterMetricFamily(
            "sup_sla_sync_http_retries",
            "HTTP requests to the tracker that were retries of a failed one.",
            value=counts.get("retries", 0),
        )


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a slow scraper never holds the daemon's exit


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """A scrape every 15 s is not news: no access log on stderr."""


class MetricsServer:
    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics = metrics
        try:
            family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
            server_class = _ThreadingServer6 if family == socket.AF_INET6 else _ThreadingServer
            self.server = make_server(
                host, port, metrics.wsgi_app(), server_class, handler_class=_QuietHandler
            )
        except OSError as exc:
            raise ConfigError(
                f"daemon.metrics_host/metrics_port: cannot listen on {host}:{port}: "
                f"{exc.strerror or exc}"
            ) from exc
        self.host = host
        self.port = self.server.server_port
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.1,), name="metrics", daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
