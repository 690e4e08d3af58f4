"""`run`: a pass at every instant a known issue has, and a poll every
`daemon.interval_minutes`, until SIGINT/SIGTERM (SPEC.md, `run`).

The daemon sleeps until the earlier of its next poll (an incremental listing: what changed)
and the earliest wake-up instant of the issues it knows (`decide`'s `wake_at`: a reminder
fraction, a due time, an escalation, a warning or a close, the working minute a held note
waits for). A pass woken by an instant lists nothing: it evaluates from memory the issues
whose instant has come. So every note is written within a minute of its instant, whatever
the interval, and an idle daemon costs one request a poll.

Time: the polls are `schedule` jobs (wall clock), the instants are UTC times, and a sleep
is cut into slices of MAX_SLEEP_SECONDS so that a change of the machine's clock or a
suspend (the wall clock moved against the elapsed monotonic time) is seen within one: then
a poll at once, which evaluates everything that came due meanwhile, and the schedule afresh.

Nothing escapes a job: `schedule` drops a job whose exception escapes run_pending().
A tracker outage or refused key is logged and retried with backoff, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
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
# The longest single sleep: a clock change or a suspend is noticed within this.
MAX_SLEEP_SECONDS = 10.0
# The wall clock moving this much more (or less) than the elapsed time is a jump.
CLOCK_JUMP_SECONDS = 5.0
# An instant's pass that found the lock taken is tried again this much later.
LOCK_RETRY_SECONDS = 5.0


class Daemon:
    def __init__(
        self,
        service: SyncService,
        interval_minutes: float,
        lock: Callable[[], AbstractContextManager[object]],
        heartbeat: Path | None = None,
        metrics: Metrics | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
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
        self.clock = clock  # the instants' clock (UTC); `schedule` reads the wall clock too
        self.monotonic = monotonic
        # The earliest wake-up instant of a known issue after the last successful pass
        # (None: none, or the last pass failed and the retries and polls see to them).
        self.instant: datetime | None = None
        self.instant_passes = 0

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if not self.stop.is_set():
            log.info("stop requested; finishing the issue in hand")
        self.stop.set()
        self.service.stop_requested.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def run(self) -> None:
        self._schedule_polls()
        self.job()
        skew = self._skew()
        while not self.stop.is_set():
            moved = self._skew() - skew
            if abs(moved) > CLOCK_JUMP_SECONDS:
                log.warning(
                    "the machine's clock moved %+.0f s against the elapsed time (set, or a "
                    "suspend): a pass now, and the schedule afresh",
                    moved,
                )
                self._schedule_polls()
                self.job()
            skew = self._skew()
            self.scheduler.run_pending()  # a poll (or a retry) first: it sees the due too
            if self.instant is not None and self.clock() >= self.instant and not self.stop.is_set():
                self.job(poll=False)
            self.stop.wait(self.sleep_seconds())
        log.info("stopped after %d passes", self.passes)

    def sleep_seconds(self) -> float:
        """Until the next poll or retry, or the next instant, whichever is first; at most
        MAX_SLEEP_SECONDS (a clock jump is looked for between sleeps)."""
        waits = [MAX_SLEEP_SECONDS]
        idle = self.scheduler.idle_seconds
        if idle is not None:
            waits.append(idle)
        if self.instant is not None:
            waits.append((self.instant - self.clock()).total_seconds())
        return max(0.01, min(waits))

    def _schedule_polls(self) -> None:
        self.scheduler.clear("poll")
        self.scheduler.every(max(1.0, self.interval_seconds)).seconds.do(self.job).tag("poll")

    def _skew(self) -> float:
        """The wall clock less the monotonic one: constant unless the clock is set or the
        machine was suspended (the monotonic clock stands still meanwhile)."""
        return self.clock().timestamp() - self.monotonic()

    def job(self, poll: bool = True) -> object:
        """One pass (`poll`: with the listing of what changed; else only the issues whose
        instant has come); every failure is logged and retried later, never raised."""
        if self.stop.is_set():
            return schedule.CancelJob
        started_at = self.clock()
        outcome = "ok"
        label = "ok"  # the metrics' name of the outcome (service/metrics.py REASONS)
        result: PassResult | None = None
        if self.metrics is not None:
            self.metrics.started()
        requests_before = self._requests()
        try:
            with self.lock():
                result = self.service.run_pass() if poll else self.service.run_pass(poll=False)
            label = "issue_errors" if result.errors else "ok"
            self.passes += 1
            self.instant_passes += not poll
            self.failures = 0
            self.instant = self._next_instant(started_at)
            requests = {
                f"http_{kind}": count - requests_before.get(kind, 0)
                for kind, count in self._requests().items()
            }
            log.info(
                "pass done",
                extra={
                    "event": "pass",
                    "woken_by": "poll" if poll else "instant",
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
            self._instant_later(poll)
        except LockBusy as exc:
            outcome, label = "skipped: another pass holds the lock", "lock_busy"
            log.info("skipping this pass: %s", exc)
            self._instant_later(poll)
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

    def _instant_later(self, poll: bool) -> None:
        """A pass skipped for the lock: an instant's pass is tried again LOCK_RETRY_SECONDS
        after the attempt ended (an unreachable lock service may take its whole connect
        timeout to say so: never back to back), a poll's at the next poll."""
        if not poll and self.instant is not None:
            self.instant = self.clock() + timedelta(seconds=LOCK_RETRY_SECONDS)

    def _next_instant(self, after: datetime) -> datetime | None:
        next_instant = getattr(self.service, "next_instant", None)
        return next_instant(after) if next_instant is not None else None

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
        self.instant = None  # the retry, a poll, evaluates whatever came due meanwhile
        delay = min(FIRST_RETRY_SECONDS * 2 ** (self.failures - 1), self.interval_seconds)
        log.log(level, "%s; next attempt in %.0f s", reason, delay)
        if self.notifier is not None:
            self.notifier.pass_failed(reason)
        self.scheduler.clear("retry")
        self.scheduler.every(max(1, round(delay))).seconds.do(self._retry_once).tag("retry")

    def _retry_once(self) -> object:
        self.job()
        return schedule.CancelJob
