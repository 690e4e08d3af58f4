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
from sup_sla_sync.service.sync import SyncService

log = logging.getLogger("sup_sla_sync.daemon")

FIRST_RETRY_SECONDS = 15.0


class Daemon:
    def __init__(
        self,
        service: SyncService,
        interval_minutes: float,
        lock: Callable[[], AbstractContextManager[object]],
        heartbeat: Path | None = None,
    ) -> None:
        self.service = service
        self.heartbeat = heartbeat
        self.interval_seconds = interval_minutes * 60
        self.lock = lock
        self.stop = threading.Event()
        self.scheduler = schedule.Scheduler()
        self.failures = 0
        self.passes = 0

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
        requests_before = self._requests()
        try:
            with self.lock():
                result = self.service.run_pass()
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
        except LockUnavailable as exc:
            outcome = "skipped: the lock service is unreachable"
            log.warning("skipping this pass: %s", exc)
        except LockBusy as exc:
            outcome = "skipped: another pass holds the lock"
            log.info("skipping this pass: %s", exc)
        except AuthError as exc:
            outcome = "the tracker refused the API key"
            self._retry_later(str(exc), logging.ERROR)
        except TrackerUnavailable as exc:
            outcome = "tracker unavailable"
            self._retry_later(f"tracker unavailable: {exc}", logging.WARNING)
        except SlaSyncError as exc:
            outcome = str(exc)
            self._retry_later(str(exc), logging.ERROR)
        except Exception:  # the daemon must outlive any bug in one pass
            outcome = "unexpected error"
            log.exception("pass failed unexpectedly")
            self._retry_later("unexpected error", logging.ERROR)
        self._beat(outcome)
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
            temporary.write_text(json.dumps(data) + "\n", encoding="utf-8")
            os.replace(temporary, self.heartbeat)
        except OSError as exc:
            log.warning("cannot write the heartbeat file %s: %s", self.heartbeat, exc)

    def _retry_later(self, reason: str, level: int) -> None:
        self.failures += 1
        delay = min(FIRST_RETRY_SECONDS * 2 ** (self.failures - 1), self.interval_seconds)
        log.log(level, "%s; next attempt in %.0f s", reason, delay)
        self.scheduler.clear("retry")
        self.scheduler.every(max(1, round(delay))).seconds.do(self._retry_once).tag("retry")

    def _retry_once(self) -> object:
        self.job()
        return schedule.CancelJob
