"""`[notify]`: events sent outside Redmine through Apprise, to real local receivers.

A JSON webhook (http.server on 127.0.0.1, behind a `json://` URL) and an SMTP server
(aiosmtpd, behind a `mailto://` URL) receive what Apprise really sends. The tracker is
the in-memory one; times are Astana wall times (Monday 2025-01-13 is a working day).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from sup_sla_sync.adapters.notify import Notifier, event_of, url_problems
from sup_sla_sync.config import Settings
from sup_sla_sync.entrypoints import cli
from sup_sla_sync.errors import AuthError, ConfigError, TrackerError, TrackerUnavailable
from sup_sla_sync.logs import mask_url
from sup_sla_sync.service.daemon import Daemon
from sup_sla_sync.service.sync import PassResult, SyncService

from factories import at, issue, note, status
from fake_tracker import FakeTracker

TRACKER_URL = "https://tracker.example"
IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."
ALL_EVENTS = [
    "breach",
    "escalation",
    "auto_close",
    "auto_close_warning",
    "intake_language",
    "pass_failed",
]


# --- receivers ------------------------------------------------------------------------


@dataclass
class Receiver:
    """A JSON webhook: every POST it got, answered with `status`."""

    port: int
    status: int = 200
    posts: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str = "sla") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    @property
    def titles(self) -> list[str]:
        return [post["title"] for post in self.posts]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            box.posts.append(json.loads(self.rfile.read(length)))
            self.send_response(box.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


@dataclass
class Mailbox:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with socket.socket() as probe:  # aiosmtpd needs a known port to check it is up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


# --- the pass -------------------------------------------------------------------------


class Clock:
    def __init__(self, when: str) -> None:
        self.now = at(when)

    def set(self, when: str) -> None:
        self.now = at(when)

    def __call__(self) -> datetime:
        return self.now


def notified(
    config: Settings,
    tracker: FakeTracker,
    clock: Any = None,
    on_outcome: Any = None,
) -> SyncService:
    """A service handed the notifier `run` and `sync` build (adapters/notify.py)."""
    tracker.shown_url = TRACKER_URL
    notifier = Notifier.from_settings(config, tracker, on_outcome)
    kwargs = {"clock": clock} if clock is not None else {}
    return SyncService(config, tracker, notifications=notifier, **kwargs)


def settings(*urls: str, events: list[str] | None = None, **extra: Any) -> Settings:
    notify: dict[str, Any] = {"urls": list(urls)}
    if events is not None:
        notify["events"] = events
    return Settings(
        redmine={"url": TRACKER_URL},
        staff={"groups": ["Support"], "lead": "lead1"},
        notify=notify,
        **extra,
    )


def waiting(issue_id: int) -> Any:
    """Answered at 10:20, waiting for the client since Monday 11:00."""
    return issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день, проверяем"),
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите номер документа"),
        level="VIP",
        issue_id=issue_id,
        subject="Не подписывается ЭСФ",
        description=IDENTIFIED,
    )


def desk() -> list[Any]:
    """#7 VIP never answered (first response due Mon 12:00, resolution Tue 10:00);
    #8 waiting for the client since Mon 11:00; #9 insults the desk (basic, Mon 12:00)."""
    return [
        issue("2025-01-13 10:00", level="VIP", subject="Срочно: отчёт", description=IDENTIFIED),
        waiting(8),
        issue(
            "2025-01-13 12:00",
            issue_id=9,
            subject="Опять",
            description="Вы идиоты, ничего не работает. " + IDENTIFIED,
        ),
    ]


@pytest.mark.parametrize(
    ("tag", "event"),
    [
        ("first_response:breach", "breach"),
        ("resolution:breach", "breach"),
        ("first_response:escalation_1", "escalation"),
        ("resolution:escalation_2", "escalation"),
        ("auto_close", "auto_close"),
        ("auto_close:warning", "auto_close_warning"),
        ("intake:language", "intake_language"),
        ("first_response:75", None),
        ("reopen", None),
        ("intake:scope", None),
        ("faq", None),
    ],
)
def test_the_event_of_each_note_tag(tag: str, event: str | None) -> None:
    assert event_of(tag) == event


def test_every_event_once_across_passes_and_a_restart(receiver: Receiver) -> None:
    config = settings(
        receiver.url(),
        events=ALL_EVENTS,
        auto_close={"warn_before_working_hours": 2},
        escalation={"after_breach_working_minutes": [60]},
    )
    clock = Clock("2025-01-13 12:05")
    tracker = FakeTracker(*desk(), now=clock)
    svc = notified(config, tracker, clock)

    first = svc.run_pass()
    assert first.errors == [] and first.notifications == {"sent": 2, "failed": 0}
    assert receiver.titles == [
        "[sla:first_response:breach] #7 Срочно: отчёт",
        "[sla:intake:language] #9 Опять",
    ]
    assert svc.run_pass().notifications == {"sent": 0, "failed": 0}  # nothing new

    clock.set("2025-01-13 17:05")  # escalation level 1 of #7 (13:00), #8's warning (17:00)
    svc.run_pass()
    assert receiver.titles[2:] == [
        "[sla:first_response:escalation_1] #7 Срочно: отчёт",
        "[sla:auto_close:warning] #8 Не подписывается ЭСФ",
    ]

    clock.set("2025-01-14 10:05")  # a restart: a new service, no memory, the same tracker
    restarted = notified(config, tracker, clock)
    assert restarted.run_pass().notifications == {"sent": 2, "failed": 0}
    assert receiver.titles[4:] == [
        "[sla:resolution:breach] #7 Срочно: отчёт",
        "[sla:auto_close] #8 Не подписывается ЭСФ",
    ]
    notified(config, tracker, clock).run_pass()
    assert len(receiver.posts) == 6  # once each, after two more passes and a restart

    close = receiver.posts[5]
    (written,) = [j for j in tracker.notes(8) if j.notes.startswith("[sla:auto_close] ")]
    assert close["message"] == f"{written.notes}\n\n{TRACKER_URL}/issues/8"


def test_only_the_configured_events_are_sent(receiver: Receiver) -> None:
    clock = Clock("2025-01-13 12:05")
    tracker = FakeTracker(*desk(), now=clock)
    notified(settings(receiver.url(), events=["intake_language"]), tracker, clock).run_pass()
    assert receiver.titles == ["[sla:intake:language] #9 Опять"]
    assert any(j.notes.startswith("[sla:first_response:breach]") for j in tracker.notes(7))


def test_a_failing_receiver_fails_no_pass_and_gets_no_duplicate(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[str] = []
    receiver.status = 500
    clock = Clock("2025-01-13 12:05")
    tracker = FakeTracker(desk()[0], now=clock)
    svc = notified(settings(receiver.url()), tracker, clock, outcomes.append)  # as `run` does
    result = svc.run_pass()
    assert result.errors == [] and result.breaches == 1
    assert result.as_json()["notifications"] == {"sent": 0, "failed": 1}
    assert len(tracker.notes(7)) == 1  # the note is the record
    receiver.status = 200
    clock.set("2025-01-13 12:30")
    assert svc.run_pass().as_json()["notifications"] == {"sent": 0, "failed": 0}
    assert len(receiver.posts) == 1  # the failed send was not retried
    assert outcomes == ["failed"]


def test_nothing_is_sent_for_a_dry_run_explain_or_a_note_that_failed(
    receiver: Receiver,
) -> None:
    clock = Clock("2025-01-13 12:05")
    tracker = FakeTracker(desk()[0], now=clock)
    svc = notified(settings(receiver.url()), tracker, clock)
    dry = svc.run_pass(dry_run=True)
    assert dry.breaches == 1 and "notifications" not in dry.as_json(dry_run=True)
    assert svc.explain(7).plan.notes
    assert receiver.posts == []

    def refuse_notes(issue_id: int, changes: dict[str, Any]) -> None:
        if changes.get("notes"):
            raise TrackerError(f"issue {issue_id}: the tracker refused the note (422)")

    tracker.before_write = refuse_notes
    result = svc.run_pass()
    assert [e["issue"] for e in result.errors] == [7]
    assert receiver.posts == [] and result.notifications == {"sent": 0, "failed": 0}


def test_an_e_mail_with_the_title_as_subject_and_the_issue_link(mailbox: Mailbox) -> None:
    url = f"mailto://127.0.0.1:{mailbox.port}?from=sla@example.kz&to=desk@example.kz&mode=insecure"
    clock = Clock("2025-01-13 12:05")
    tracker = FakeTracker(desk()[0], now=clock)
    result = notified(settings(url), tracker, clock).run_pass()
    assert result.notifications == {"sent": 1, "failed": 0}
    (message,) = mailbox.messages
    assert message["Subject"] == "[sla:first_response:breach] #7 Срочно: отчёт"
    assert message["To"] == "desk@example.kz"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{TRACKER_URL}/issues/7" in text and "@lead1" in text


# --- the daemon: pass_failed ----------------------------------------------------------


class FailingService:
    """Each pass from a script (a PassResult or an exception), with a real notifier."""

    def __init__(self, notifier: Notifier, *script: object) -> None:
        self.notifier = notifier
        self.script = list(script)
        self.stop_requested = threading.Event()

    def run_pass(self) -> PassResult:
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, PassResult)
        return step


def test_pass_failed_once_per_outage_and_once_on_recovery(receiver: Receiver) -> None:
    notifier = Notifier([receiver.url()], ["pass_failed"], TRACKER_URL)
    down = TrackerUnavailable("cannot reach the tracker: connection refused")
    service = FailingService(
        notifier,
        down,
        down,
        AuthError("the tracker refused the API key"),
        PassResult(),
        PassResult(),
        down,
        PassResult(),
    )
    daemon = Daemon(service, 5, contextlib.nullcontext)  # type: ignore[arg-type]
    for _ in range(7):
        daemon.job()  # what the scheduler would call; retries are scheduled, not slept
    assert service.script == []
    assert [t.split(" ", 1)[0] for t in receiver.titles] == [
        "[sla:pass_failed]",
        "[sla:pass_failed:recovered]",
        "[sla:pass_failed]",
        "[sla:pass_failed:recovered]",
    ]
    assert "connection refused" in receiver.posts[0]["message"]
    assert TRACKER_URL in receiver.titles[0]


def test_pass_failed_is_not_sent_unless_chosen(receiver: Receiver) -> None:
    notifier = Notifier([receiver.url()], ["breach"], TRACKER_URL)
    service = FailingService(notifier, TrackerUnavailable("down"), PassResult())
    daemon = Daemon(service, 5, contextlib.nullcontext)  # type: ignore[arg-type]
    daemon.job()
    daemon.job()
    assert receiver.posts == []


# --- secrets --------------------------------------------------------------------------

PASSWORD = "Pa55w0rd-n0t-for-logs"
TOKEN = "T0KEN1234567abcdef"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"json://bot:{PASSWORD}@127.0.0.1:8080/hooks/{TOKEN}", "json://127.0.0.1:8080/***"),
        ("mailto://bot:pw1234@mail.example.kz?to=a@b.kz", "mailto://mail.example.kz/***"),
        ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-100123", "tgram://***/***"),
        ("slack://T1234ABCD/B1234ABCD/abcdEFGH1234ijkl", "slack://***/***"),
        ("json://localhost", "json://localhost"),
        ("not a url", "***"),
    ],
)
def test_a_masked_url_keeps_the_scheme_and_a_real_host_only(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_check_names_a_url_apprise_cannot_use_masked() -> None:
    config = settings("json://127.0.0.1:9/ok", f"nosuchscheme://{TOKEN}@example.kz/x")
    assert url_problems(config) == [
        "notify.urls[1]: nosuchscheme://example.kz/*** is not an Apprise URL Apprise can use "
        "(unknown scheme, or a required part missing: see https://github.com/caronc/apprise/wiki)"
    ]
    with pytest.raises(ConfigError, match=r"^notify.urls\[1\]: nosuchscheme://") as caught:
        notified(config, FakeTracker(now=Clock("2025-01-13 10:00")))
    assert TOKEN not in str(caught.value)


def test_no_secret_of_a_url_in_the_logs(receiver: Receiver, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="sup_sla_sync")
    caplog.set_level(logging.DEBUG, logger="apprise")
    receiver.status = 500
    url = f"json://bot:{PASSWORD}@127.0.0.1:{receiver.port}/hooks/{TOKEN}"
    clock = Clock("2025-01-13 12:05")
    svc = notified(settings(url), FakeTracker(desk()[0], now=clock), clock)
    assert svc.run_pass().notifications == {"sent": 0, "failed": 1}
    assert len(receiver.posts) == 1
    failed = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert any(f"json://127.0.0.1:{receiver.port}/***" in line for line in failed)
    assert PASSWORD not in caplog.text and TOKEN not in caplog.text
    with pytest.raises(ConfigError):
        Notifier([f"nosuchscheme://{PASSWORD}@x.example.kz/{TOKEN}"], ["breach"], TRACKER_URL)
    assert PASSWORD not in caplog.text and TOKEN not in caplog.text  # apprise's own line too


def cli_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, urls: list[str]) -> Any:
    clock = Clock("2025-01-13 12:05")
    tracker = FakeTracker(desk()[0], now=clock)
    monkeypatch.delenv("SUP_SLA_CONFIG", raising=False)
    monkeypatch.setattr(cli.App, "tracker", lambda self: tracker.configured(self.settings))
    monkeypatch.setattr(cli.App, "clock", lambda self: clock())
    config = tmp_path / "sup-sla-sync.toml"
    config.write_text(f'[redmine]\nurl = "{TRACKER_URL}"\n[staff]\nlead = "lead1"\n')
    return CliRunner().invoke(
        cli.main,
        ["--config", str(config), *args],
        env={
            "SUP_SLA_REDMINE__API_KEY": "0123456789abcdef",
            "SUP_SLA_NOTIFY__URLS": json.dumps(urls),
        },
    )


def test_the_cli_shows_urls_masked_and_counts_in_the_sync_summary(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.status = 500
    url = f"json://bot:{PASSWORD}@127.0.0.1:{receiver.port}/hooks/{TOKEN}"
    shown = cli_run(tmp_path, monkeypatch, "config", urls=[url])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["notify"]["urls"] == [f"json://127.0.0.1:{receiver.port}/***"]
    assert PASSWORD not in shown.output and TOKEN not in shown.output

    synced = cli_run(
        tmp_path, monkeypatch, "-vv", "--log-format", "json", "sync", "--format", "json", urls=[url]
    )
    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.stdout)["notifications"] == {"sent": 0, "failed": 1}
    assert PASSWORD not in synced.output and TOKEN not in synced.output
    assert "notification to json://127.0.0.1" in synced.stderr  # logged, masked
    table = cli_run(tmp_path, monkeypatch, "sync", urls=[url])  # a new tracker: a new breach
    assert table.stdout.splitlines()[-1].endswith(", errors 0, notifications sent 0, failed 1")


def test_a_url_apprise_cannot_use_stops_sync_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli_run(tmp_path, monkeypatch, "sync", urls=[f"nosuchscheme://{TOKEN}@x.example.kz"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: notify.urls[0]: nosuchscheme://x.example.kz/***")
    assert TOKEN not in result.output
    bad = cli_run(tmp_path, monkeypatch, "config", urls=["json://ok.example.kz", f"{TOKEN} x"])
    assert bad.exit_code == 2 and "notify.urls[1]: *** is not an Apprise URL" in bad.stderr
    assert TOKEN not in bad.output


def test_check_lists_a_bad_url_as_a_problem_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_cli import InspectableTracker

    tracker = InspectableTracker(now=Clock("2025-01-13 10:00"))
    monkeypatch.setattr(cli.App, "tracker", lambda self: tracker.configured(self.settings))
    config = tmp_path / "sup-sla-sync.toml"
    config.write_text(f'[redmine]\nurl = "{TRACKER_URL}"\n[staff]\nlead = "lead1"\n')
    urls = ["json://hooks.example.kz/sla", f"nosuchscheme://{TOKEN}@x.example.kz"]
    result = CliRunner().invoke(
        cli.main,
        ["--config", str(config), "check"],
        env={"SUP_SLA_NOTIFY__URLS": json.dumps(urls)},
    )
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem: ")]
    assert problems == [
        "problem: notify.urls[1]: nosuchscheme://x.example.kz/*** is not an Apprise URL "
        "Apprise can use (unknown scheme, or a required part missing: see "
        "https://github.com/caronc/apprise/wiki)"
    ]
    assert TOKEN not in result.output
