"""`run`: a pass every `daemon.interval_minutes` until SIGINT/SIGTERM.

Nothing escapes a job: `schedule` drops a job whose exception escapes run_pending().
A tracker outage or refused key is logged and retried with backoff, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import schedule

from sup_sla_sync.errors import (
    AuthError,
    LockBusy,
    LockUnavailable,
    SlaSyncError,
    TrackerUnavailable,
)
from sup_sla_sync.service.metrics import Metrics
from sup_sla_sync.service.sync import PassResult, SyncService

log = logging.getLogger("sup_sla_sync.daemon")

FIRST_RETRY_SECONDS = 15.0


class Daemon:
    def __init__(
        self,
        service: SyncService,
        interval_minutes: float,
        lock: Callable[[], AbstractContextManager[object]],
        heartbeat: Path | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.service = service
        self.heartbeat = heartbeat
        self.metrics = metrics  # daemon.metrics_port: told of every attempt
        if metrics is not None:
            metrics.count_requests(self._requests)
        self.interval_seconds = interval_minutes * 60
        self.lock = lock
        self.stop = threading.Event()
        self.scheduler = schedule.Scheduler()
        self.failures = 0
        self.passes = 0
        # `[notify]` pass_failed: once per outage, and once when passes succeed again.
        self.notifier = getattr(service, "notifier", None)

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if not self.stop.is_set():
            log.info("stop requested; finishing the issue in hand")
        self.stop.set()
        self.service.stop_requested.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def run(self) -> None:
        self.scheduler.every(max(1, round(self.interval_seconds))).seconds.do(self.job)
        self.job()
        while not self.stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            self.stop.wait(max(0.05, min(1.0, idle if idle is not None else 1.0)))
        log.info("stopped after %d passes", self.passes)

    def job(self) -> object:
        """One pass; every failure is logged and retried later, never raised."""
        if self.stop.is_set():
            return schedule.CancelJob
        outcome = "ok"
        label = "ok"  # the metrics' name of the outcome (service/metrics.py REASONS)
        result: PassResult | None = None
        if self.metrics is not None:
            self.metrics.started()
        requests_before = self._requests()
        try:
            with self.lock():
                result = self.service.run_pass()
            label = "issue_errors" if result.errors else "ok"
            self.passes += 1
            self.failures = 0
            requests = {
                f"http_{kind}": count - requests_before.get(kind, 0)
                for kind, count in self._requests().items()
            }
            log.info(
                "pass done",
                extra={
                    "event": "pass",
                    **result.as_json(),
                    "errors": len(result.errors),
                    "seconds": result.seconds,
                    **requests,
                },
            )
            if self.notifier is not None:
                self.notifier.pass_succeeded()
        except LockUnavailable as exc:
            outcome, label = "skipped: the lock service is unreachable", "lock_unreachable"
            log.warning("skipping this pass: %s", exc)
        except LockBusy as exc:
            outcome, label = "skipped: another pass holds the lock", "lock_busy"
            log.info("skipping this pass: %s", exc)
        except AuthError as exc:
            outcome, label = "the tracker refused the API key", "key_refused"
            self._retry_later(str(exc), logging.ERROR)
        except TrackerUnavailable as exc:
            outcome, label = "tracker unavailable", "tracker_unavailable"
            self._retry_later(f"tracker unavailable: {exc}", logging.WARNING)
        except SlaSyncError as exc:
            outcome, label = str(exc), "error"
            self._retry_later(str(exc), logging.ERROR)
        except Exception:  # the daemon must outlive any bug in one pass
            outcome, label = "unexpected error", "unexpected_error"
            log.exception("pass failed unexpectedly")
            self._retry_later("unexpected error", logging.ERROR)
        self._beat(outcome)
        if self.metrics is not None:
            self.metrics.record(label, result)
        return None

    def _requests(self) -> dict[str, int]:
        """The tracker adapter's HTTP request counts by kind so far (none if it keeps none)."""
        stats = getattr(getattr(self.service, "tracker", None), "stats", None)
        return stats.as_dict() if stats is not None else {}

    def _beat(self, outcome: str) -> None:
        """Rewrite the heartbeat file atomically; a supervisor reads its age."""
        if self.heartbeat is None:
            return
        data = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "passes": self.passes,
            "consecutive_failures": self.failures,
            "last_outcome": outcome,
        }
        try:
            temporary = self.heartbeat.with_name(self.heartbeat.name + ".tmp")
            # A fresh file, never through a symlink a stranger left there (unlink removes
            # the link, not its target); rename replaces a link, never writes through it.
            temporary.unlink(missing_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(temporary, flags, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(data) + "\n")
            os.replace(temporary, self.heartbeat)
        except OSError as exc:
            log.warning("cannot write the heartbeat file %s: %s", self.heartbeat, exc)

    def _retry_later(self, reason: str, level: int) -> None:
        self.failures += 1
        delay = min(FIRST_RETRY_SECONDS * 2 ** (self.failures - 1), self.interval_seconds)
        log.log(level, "%s; next attempt in %.0f s", reason, delay)
        if self.notifier is not None:
            self.notifier.pass_failed(reason)
        self.scheduler.clear("retry")
        self.scheduler.every(max(1, round(delay))).seconds.do(self._retry_once).tag("retry")

    def _retry_once(self) -> object:
        self.job()
        return schedule.CancelJob
