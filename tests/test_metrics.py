"""`run` with `daemon.metrics_port`: Prometheus /metrics and /healthz, scraped over HTTP.

The daemon runs on the fake clock of test_daemon.py (its waits move the clock, never
sleep); the metrics read the same clock, so "three intervals later" costs no time.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sup_sla_sync.adapters.notify import Notifier
from sup_sla_sync.adapters.redmine import RequestStats
from sup_sla_sync.config import Settings
from sup_sla_sync.core.writes import Note
from sup_sla_sync.errors import AuthError, LockBusy, SlaSyncError, TrackerUnavailable
from sup_sla_sync.service.daemon import Daemon
from sup_sla_sync.service.metrics import Metrics, MetricsServer
from sup_sla_sync.service.sync import PassResult, SyncService
from test_daemon import (  # the fixtures: a fake clock for `schedule`, 1 s first retry
    ClockedStop,
    FakeClock,
    ScriptedService,
    clock,  # noqa: F401
    fast_retries,  # noqa: F401
)

from factories import at, issue
from fake_tracker import FakeTracker

HOUR = 3600.0
SECRET_KEY = "0123456789abcdef-secret"
SECRET_PASSWORD = "hunter2-lock-password"


def scrape(server: MetricsServer) -> tuple[str, dict[tuple[str, frozenset], float]]:
    url = f"http://127.0.0.1:{server.port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = answer.read().decode()
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def health(server: MetricsServer) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as a:
            return a.status, a.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


@pytest.fixture
def served(clock: FakeClock):  # noqa: F811 (the fixture imported above)
    metrics = Metrics(HOUR, clock=lambda: clock.now.timestamp())
    server = metrics.serve("127.0.0.1", 0)  # a free port
    yield metrics, server
    server.close()


def run_daemon(service: ScriptedService, fake: FakeClock, metrics: Metrics) -> Daemon:
    daemon = Daemon(service, 60, contextlib.nullcontext, None, metrics)  # type: ignore[arg-type]
    daemon.stop = ClockedStop(fake)
    service.on_done = daemon.request_stop  # the last scripted pass ends the run
    thread = threading.Thread(target=daemon.run)
    thread.start()
    assert service.done.wait(10), "the daemon stopped making passes"
    thread.join(10)
    assert not thread.is_alive()
    return daemon


def counting_requests(
    service: ScriptedService, stats: RequestStats, server: MetricsServer, during: list
) -> None:
    """Each scripted pass sends 1 list page, 2 issue reads, 1 write and 1 retry, and
    scrapes /metrics and /healthz while it runs (into `during`)."""
    scripted = service.run_pass

    def run_pass() -> PassResult:
        stats.list_pages += 1
        stats.issue_reads += 2
        stats.writes += 1
        stats.retries += 1
        during.append((scrape(server)[1], health(server)))
        return scripted()

    service.run_pass = run_pass  # type: ignore[method-assign]
    service.tracker = SimpleNamespace(stats=stats)  # type: ignore[attr-defined]


def test_the_scrape_follows_the_passes_and_health_turns_503_after_three_intervals(
    served,
    clock: FakeClock,  # noqa: F811
) -> None:
    metrics, server = served
    assert health(server) == (503, "no successful pass yet\n")
    first = PassResult(
        seen=3,
        seconds=0.4,
        states=Counter({("on_track", "vip"): 2, ("breached", "basic"): 1}),
        writes=Counter({("fields", ""): 3, ("note", "first_response:breach"): 1}),
    )
    second = PassResult(
        seen=3,
        seconds=1.5,
        states=Counter({("on_track", "vip"): 1, ("at_risk", "vip"): 1, ("met", "basic"): 1}),
        writes=Counter({("note", "first_response:75"): 1}),
    )
    service = ScriptedService(first, second)
    during: list = []
    counting_requests(service, RequestStats(list_pages=100), server, during)
    run_daemon(service, clock, metrics)
    succeeded = clock.now.timestamp()
    # While the first pass ran: its requests were visible, and health said what goes on.
    samples, status = during[0]
    assert value(samples, "sup_sla_sync_http_requests_total", kind="list_pages") == 101
    assert value(samples, "sup_sla_sync_http_retries_total") == 1
    assert status == (503, "no successful pass yet (a pass has been running for 0 s)\n")

    _, samples = scrape(server)
    assert value(samples, "sup_sla_sync_passes_total", outcome="ok") == 2
    assert value(samples, "sup_sla_sync_passes_total", outcome="tracker_unavailable") == 0
    assert value(samples, "sup_sla_sync_pass_duration_seconds_count") == 2
    assert value(samples, "sup_sla_sync_pass_duration_seconds_sum") == pytest.approx(1.9)
    assert value(samples, "sup_sla_sync_pass_duration_seconds_bucket", le="1.0") == 1
    # The issues as of the last pass: its states, and zero for what it no longer saw.
    assert value(samples, "sup_sla_sync_issues", sla_state="on_track", level="vip") == 1
    assert value(samples, "sup_sla_sync_issues", sla_state="at_risk", level="vip") == 1
    assert value(samples, "sup_sla_sync_issues", sla_state="met", level="basic") == 1
    assert value(samples, "sup_sla_sync_issues", sla_state="breached", level="basic") == 0
    assert value(samples, "sup_sla_sync_writes_total", kind="fields", tag="") == 3
    assert value(samples, "sup_sla_sync_writes_total", kind="note", tag="first_response:75") == 1
    assert (
        value(samples, "sup_sla_sync_writes_total", kind="note", tag="first_response:breach") == 1
    )
    # The adapter's counts since the process started (100 pages before the daemon did).
    assert value(samples, "sup_sla_sync_http_requests_total", kind="list_pages") == 102
    assert value(samples, "sup_sla_sync_http_requests_total", kind="issue_reads") == 4
    assert value(samples, "sup_sla_sync_http_requests_total", kind="writes") == 2
    assert value(samples, "sup_sla_sync_http_retries_total") == 2
    assert value(samples, "sup_sla_sync_lock_skips_total", reason="busy") == 0
    assert value(samples, "sup_sla_sync_notifications_total", outcome="sent") == 0
    assert value(samples, "sup_sla_sync_last_success_timestamp_seconds") == succeeded
    status, text = health(server)
    assert status == 200 and text.startswith("ok: last successful pass 0 s ago")

    # The tracker goes away: the daemon retries with backoff on the fake clock.
    failures = 20
    down = ScriptedService(*[TrackerUnavailable("cannot reach the tracker")] * failures)
    run_daemon(down, clock, metrics)
    assert clock.now.timestamp() - succeeded >= 3 * HOUR  # the retries took that long
    _, samples = scrape(server)
    assert value(samples, "sup_sla_sync_passes_total", outcome="tracker_unavailable") == failures
    assert value(samples, "sup_sla_sync_passes_total", outcome="ok") == 2
    assert value(samples, "sup_sla_sync_last_success_timestamp_seconds") == succeeded
    status, text = health(server)
    assert status == 503
    assert text.startswith("no successful pass for ")
    assert text.endswith("last attempt: the tracker is unreachable)\n")
    assert text.count("\n") == 1  # one line


def test_health_is_200_until_three_intervals_have_passed() -> None:
    now = [1_000_000.0]
    metrics = Metrics(300, clock=lambda: now[0])
    metrics.record("ok", PassResult())
    now[0] += 3 * 300 - 1
    assert metrics.health()[0] is True
    metrics.record("tracker_unavailable", None)  # a failure does not make it younger
    assert metrics.health()[0] is True
    now[0] += 1
    healthy, reason = metrics.health()
    assert not healthy and reason.startswith("no successful pass for 900 s")


def test_lock_skips_are_counted_apart_from_passes(served, clock: FakeClock) -> None:  # noqa: F811
    metrics, server = served

    def busy():
        raise LockBusy("another sup-sla-sync pass holds the lock")

    daemon = Daemon(ScriptedService(), 60, busy, None, metrics)  # type: ignore[arg-type]
    daemon.job()
    daemon.job()
    _, samples = scrape(server)
    assert value(samples, "sup_sla_sync_lock_skips_total", reason="busy") == 2
    assert sum(v for (name, _), v in samples.items() if name == "sup_sla_sync_passes_total") == 0
    assert health(server)[0] == 503


def test_no_secret_reaches_the_scrape_or_the_health_check(served, clock: FakeClock) -> None:  # noqa: F811
    metrics, server = served
    service = ScriptedService(
        AuthError(f"the tracker refused the API key {SECRET_KEY}"),
        SlaSyncError(f"lock service at redis://:{SECRET_PASSWORD}@db:6379/0 refused"),
        RuntimeError(f"bug with {SECRET_KEY}"),
    )
    run_daemon(service, clock, metrics)
    metrics.count_notification(f"failed: tgram://{SECRET_PASSWORD}/chat")
    metrics.count_notification("sent")
    text, samples = scrape(server)
    status, reason = health(server)
    for secret in (SECRET_KEY, SECRET_PASSWORD):
        assert secret not in text and secret not in reason
    assert value(samples, "sup_sla_sync_passes_total", outcome="key_refused") == 1
    assert value(samples, "sup_sla_sync_passes_total", outcome="error") == 1
    assert value(samples, "sup_sla_sync_passes_total", outcome="unexpected_error") == 1
    assert value(samples, "sup_sla_sync_notifications_total", outcome="other") == 1
    assert value(samples, "sup_sla_sync_notifications_total", outcome="sent") == 1
    assert status == 503 and "unexpectedly" in reason


def test_the_notifier_tells_the_metrics_each_outcome() -> None:
    """No global registry: the notifier is handed the metrics' counter (as `run` does)."""
    metrics = Metrics(HOUR)
    notifier = Notifier(
        ["json://127.0.0.1:9/hook"],  # the discard port: nothing listens, the send fails
        ["breach"],
        "https://tracker.example",
        on_outcome=metrics.count_notification,
    )
    breach = Note("first_response:breach", "просрочено", private=True)
    notifier.note_written(issue("2025-01-13 10:00"), breach)
    notifier.note_written(issue("2025-01-13 10:00"), Note("faq", "ответ", private=False))
    assert metrics.notifications.labels("failed")._value.get() == 1  # the breach only
    assert metrics.notifications.labels("sent")._value.get() == 0


def test_other_paths_are_404_and_a_taken_port_is_a_configuration_error(served) -> None:
    _, server = served
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/admin", timeout=5)
    assert error.value.code == 404
    with pytest.raises(SlaSyncError, match=r"daemon.metrics_host/metrics_port: cannot listen"):
        Metrics(HOUR).serve("127.0.0.1", server.port)


def test_a_real_pass_reports_its_issues_by_state_and_level_and_its_writes() -> None:
    now = at("2025-01-13 11:31")  # Monday
    tracker = FakeTracker(
        issue("2025-01-13 10:00", level="VIP", issue_id=1),  # 91 of 120 min: reminded
        issue("2025-01-13 11:00", issue_id=2),  # basic, 31 of 540 min
        issue("2025-01-10 17:00", level="VIP", prio="High", issue_id=3),  # due Fri 18:00
        now=lambda: now,
    )
    settings = Settings(staff={"groups": ["Support"], "lead": "lead1"})
    told: list[tuple[int, int]] = []
    service = SyncService(settings, tracker, clock=lambda: now)
    result = service.run_pass(progress=lambda done, total: told.append((done, total)))
    assert result.states == {
        ("at_risk", "vip"): 1,
        ("on_track", "basic"): 1,
        ("breached", "vip"): 1,
    }
    assert result.writes[("fields", "")] == 3
    assert result.writes[("note", "first_response:75")] == 1
    assert result.writes[("note", "first_response:breach")] == 1
    assert told == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_the_metrics_clock_is_the_daemons_fake_one(served, clock: FakeClock) -> None:  # noqa: F811
    metrics, _ = served
    before = clock.now
    run_daemon(ScriptedService(PassResult()), clock, metrics)
    clock.now += timedelta(hours=2, minutes=59)
    assert metrics.health()[0] is True
    clock.now += timedelta(minutes=1)
    assert metrics.health()[0] is False
    assert metrics.last_success == before.timestamp()
