"""`run`: passes on schedule, outages retried with backoff, a clean stop."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from types import SimpleNamespace

import pytest

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

    def run_pass(self) -> PassResult:
        self.calls += 1
        step = self.script.pop(0) if self.script else PassResult()
        if not self.script:
            self.done.set()
        if isinstance(step, Exception):
            raise step
        return step


def run_until_done(service: ScriptedService, lock=contextlib.nullcontext) -> Daemon:
    daemon = Daemon(service, interval_minutes=60, lock=lock)  # type: ignore[arg-type]
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


def test_an_outage_is_retried_with_backoff_and_the_daemon_lives_on(caplog) -> None:
    caplog.set_level(logging.INFO, logger="sup_sla_sync")
    service = ScriptedService(
        TrackerUnavailable("cannot reach the tracker at http://x: refused"),
        PassResult(seen=3),
    )
    daemon = run_until_done(service)
    assert service.calls == 2 and daemon.passes == 1 and daemon.failures == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any("tracker unavailable" in m and "next attempt in 1 s" in m for m in messages)
    assert any(m == "pass done" for m in messages)


def test_the_pass_line_counts_the_requests_of_that_pass(caplog) -> None:
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
    run_until_done(service)
    [line] = [r.__dict__ for r in caplog.records if r.getMessage() == "pass done"]
    assert (line["http_list_pages"], line["http_issue_reads"], line["http_writes"]) == (1, 2, 0)
    assert line["seen"] == 2


def test_a_refused_key_and_a_bug_do_not_kill_it(caplog) -> None:
    service = ScriptedService(
        AuthError("the tracker refused the API key"), RuntimeError("bug"), PassResult()
    )
    daemon = run_until_done(service)
    assert service.calls == 3 and daemon.passes == 1
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
