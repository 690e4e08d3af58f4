"""`run`: passes on schedule, outages retried with backoff, a clean stop.

No test waits in real time: the scheduler reads a fake clock, and the daemon's waits
(on its stop event) move that clock on instead of sleeping.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import threading
import types
from types import SimpleNamespace

import pytest
import schedule

from sup_sla_sync.adapters.redmine import RequestStats
from sup_sla_sync.errors import AuthError, LockBusy, TrackerUnavailable
from sup_sla_sync.service import daemon as daemon_module
from sup_sla_sync.service.daemon import Daemon
from sup_sla_sync.service.sync import PassResult


class ScriptedService:
    """Answers each pass from a script: a PassResult, or an exception to raise."""

    def __init__(self, *script: object) -> None:
        self.script = list(script)
        self.calls = 0
        self.stop_requested = threading.Event()
        self.done = threading.Event()
        self.on_done = lambda: None  # called by the last scripted pass

    def run_pass(self) -> PassResult:
        self.calls += 1
        step = self.script.pop(0) if self.script else PassResult()
        if not self.script:
            self.done.set()
            self.on_done()
        if isinstance(step, Exception):
            raise step
        return step


class FakeClock:
    """The scheduler's idea of now (naive local time, as `schedule` keeps it)."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 1, 5, 9, 0)
        self.waits: list[float] = []

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += datetime.timedelta(seconds=seconds)


class ClockedStop(threading.Event):
    """The daemon's stop event; waiting on it moves the fake clock on, never sleeps."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock

    def wait(self, timeout: float | None = None) -> bool:
        if not self.is_set() and timeout is not None:
            self.clock.wait(timeout)
        return self.is_set()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """`schedule` reads `datetime.datetime.now()`: give it a module whose now is ours."""
    fake = FakeClock()

    class FakeDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> datetime.datetime:  # type: ignore[override]
            return fake.now if tz is None else fake.now.astimezone(tz)

    module = types.ModuleType("datetime")
    module.__dict__.update(vars(datetime))
    module.datetime = FakeDatetime  # type: ignore[attr-defined]
    monkeypatch.setattr(schedule, "datetime", module)
    return fake


def run_until_done(
    service: ScriptedService, clock: FakeClock, lock=contextlib.nullcontext
) -> Daemon:
    daemon = Daemon(service, interval_minutes=60, lock=lock)  # type: ignore[arg-type]
    daemon.stop = ClockedStop(clock)
    # The last scripted pass asks for the stop, as a SIGTERM during it would: the daemon
    # cannot race on to its next hourly pass on the fake clock.
    service.on_done = daemon.request_stop
    thread = threading.Thread(target=daemon.run)
    thread.start()
    assert service.done.wait(10), "the daemon stopped making passes"
    daemon.request_stop()
    thread.join(10)
    assert not thread.is_alive()
    return daemon


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(daemon_module, "FIRST_RETRY_SECONDS", 1)


def test_an_outage_is_retried_with_backoff_and_the_daemon_lives_on(caplog, clock) -> None:
    caplog.set_level(logging.INFO, logger="sup_sla_sync")
    service = ScriptedService(
        TrackerUnavailable("cannot reach the tracker at http://x: refused"),
        PassResult(seen=3),
    )
    daemon = run_until_done(service, clock)
    assert service.calls == 2 and daemon.passes == 1 and daemon.failures == 0
    assert clock.waits == [1]  # the retry came one (fake) second after the outage
    messages = [r.getMessage() for r in caplog.records]
    assert any("tracker unavailable" in m and "next attempt in 1 s" in m for m in messages)
    assert any(m == "pass done" for m in messages)


def test_the_pass_line_counts_the_requests_of_that_pass(caplog, clock) -> None:
    caplog.set_level(logging.INFO, logger="sup_sla_sync")
    service = ScriptedService(TrackerUnavailable("refused"), PassResult(seen=2))
    stats = RequestStats(list_pages=5, issue_reads=7)  # from before the daemon started

    def run_pass() -> PassResult:
        stats.list_pages += 1  # the failed pass read a page too
        if service.calls == 1:
            stats.issue_reads += 2
        return ScriptedService.run_pass(service)

    service.run_pass = run_pass  # type: ignore[method-assign]
    service.tracker = SimpleNamespace(stats=stats)  # type: ignore[attr-defined]
    run_until_done(service, clock)
    [line] = [r.__dict__ for r in caplog.records if r.getMessage() == "pass done"]
    assert (line["http_list_pages"], line["http_issue_reads"], line["http_writes"]) == (1, 2, 0)
    assert line["seen"] == 2


def test_a_refused_key_and_a_bug_do_not_kill_it(caplog, clock) -> None:
    service = ScriptedService(
        AuthError("the tracker refused the API key"), RuntimeError("bug"), PassResult()
    )
    daemon = run_until_done(service, clock)
    assert service.calls == 3 and daemon.passes == 1
    assert sum(clock.waits) == 1 + 2  # retried after 1 s, then after 2 s
    assert any("refused the API key" in r.getMessage() for r in caplog.records)


def test_the_backoff_doubles_up_to_the_interval() -> None:
    service = ScriptedService()
    daemon = Daemon(service, interval_minutes=1, lock=contextlib.nullcontext)  # type: ignore[arg-type]
    delays = []
    for _ in range(8):
        daemon._retry_later("down", logging.WARNING)
        delays.append(daemon.scheduler.get_jobs("retry")[0].interval)
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]
    assert len(daemon.scheduler.get_jobs("retry")) == 1


def test_a_busy_lock_skips_the_pass() -> None:
    def busy():
        raise LockBusy("another sup-sla-sync pass holds the lock")

    service = ScriptedService()
    daemon = Daemon(service, interval_minutes=60, lock=busy)  # type: ignore[arg-type]
    daemon.job()
    assert service.calls == 0 and daemon.failures == 0


def test_a_stop_request_reaches_the_pass() -> None:
    service = ScriptedService()
    daemon = Daemon(service, interval_minutes=60, lock=contextlib.nullcontext)  # type: ignore[arg-type]
    daemon.request_stop()
    assert service.stop_requested.is_set() and daemon.stop.is_set()


def test_the_heartbeat_file_tells_the_last_outcome(tmp_path) -> None:
    beat = tmp_path / "beat.json"
    service = ScriptedService(TrackerUnavailable("down"), PassResult())
    daemon = Daemon(service, 60, contextlib.nullcontext, beat)  # type: ignore[arg-type]
    daemon.job()
    first = json.loads(beat.read_text())
    assert first["last_outcome"] == "tracker unavailable" and first["consecutive_failures"] == 1
    daemon.job()
    second = json.loads(beat.read_text())
    assert second["last_outcome"] == "ok" and second["passes"] == 1
