"""`run`: a pass every `daemon.interval_minutes` until SIGINT/SIGTERM.

Nothing escapes a job: `schedule` drops a job whose exception escapes run_pending().
A tracker outage or refused key is logged and retried with backoff, never fatal.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import FrameType

import schedule

from .errors import AuthError, LockBusy, SlaSyncError, TrackerUnavailable
from .sync import SyncService

log = logging.getLogger("sup_sla_sync.daemon")

FIRST_RETRY_SECONDS = 15.0


class Daemon:
    def __init__(
        self,
        service: SyncService,
        interval_minutes: float,
        lock: Callable[[], AbstractContextManager[object]],
    ) -> None:
        self.service = service
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
        try:
            with self.lock():
                result = self.service.run_pass()
            self.passes += 1
            self.failures = 0
            log.info(
                "pass done",
                extra={
                    "event": "pass",
                    **result.as_json(),
                    "errors": len(result.errors),
                    "seconds": result.seconds,
                },
            )
        except LockBusy as exc:
            log.info("skipping this pass: %s", exc)
        except AuthError as exc:
            self._retry_later(f"the tracker refused the API key: {exc}", logging.ERROR)
        except TrackerUnavailable as exc:
            self._retry_later(f"tracker unavailable: {exc}", logging.WARNING)
        except SlaSyncError as exc:
            self._retry_later(str(exc), logging.ERROR)
        except Exception:  # the daemon must outlive any bug in one pass
            log.exception("pass failed unexpectedly")
            self._retry_later("unexpected error", logging.ERROR)
        return None

    def _retry_later(self, reason: str, level: int) -> None:
        self.failures += 1
        delay = min(FIRST_RETRY_SECONDS * 2 ** (self.failures - 1), self.interval_seconds)
        log.log(level, "%s; next attempt in %.0f s", reason, delay)
        self.scheduler.clear("retry")
        self.scheduler.every(max(1, round(delay))).seconds.do(self._retry_once).tag("retry")

    def _retry_once(self) -> object:
        self.job()
        return schedule.CancelJob
