"""Two daemons at once (SPEC principle 5): started on one configuration, on one machine
or on two machines against one tracker, they never post a note twice or close an issue
twice.

First the locks themselves against real servers (scripts/services/*.sh): a second
holder is refused, a dead holder's lock comes free (Redis: after its TTL; PostgreSQL: as
soon as its session ends), a lock lost during a pass is noticed. Then two real
`sup-sla-sync run` processes against the real Redmine on one fresh project:

(a) one machine: both on the same configuration file (the file lock);
(b) two machines: two configuration files in two folders (so their file locks differ)
    sharing `lock.backend = "redis"` and one `lock.name`;
(c) the same with `lock.backend = "postgres"`, the lock name derived from the tracker's
    URL and the projects (identical in both files, so no `lock.name` is needed).

Each: while this test holds the shared lock, both daemons start and skip their passes
(they do contend for one lock) and write nothing; once released, they run a pass every
3 s; one is stopped and the other acts on a change made after that (a standby takes
over at its next interval). Redmine then holds every tagged note exactly once, one
auto-close, one reopen per reopened issue.

Reminders and breaches are posted only within working hours: the round-the-clock
calendar (slaharness) makes them due whatever the real time.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slaharness import SlaHarness, almaty, now_minute

from sup_sla_sync.adapters.locks import lock_name, pass_lock
from sup_sla_sync.config import Settings, load_settings
from sup_sla_sync.errors import LockBusy

pytest_plugins = ["services"]

INTERVAL_MINUTES = 0.05  # a pass every 3 s
INTERVAL = INTERVAL_MINUTES * 60
VIP = {"SLA level": "VIP"}
MAR3 = almaty(2025, 3, 3, 10, 0)
HOST = socket.gethostname()


def _wait_for(what: str, condition: Callable[[], bool], timeout: float = 60) -> float:
    """Seconds waited until `condition()`; AssertionError after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for: {what}")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SUP_SLA_")}


# ------------------------------------------------------------------ the locks alone
HOLDER = """
import json, sys, time
from pathlib import Path
from sup_sla_sync.config import Settings
from sup_sla_sync.adapters.locks import pass_lock
with pass_lock(Settings(lock=json.loads(sys.argv[1])), Path(".")):
    print("held", flush=True)
    time.sleep(120)
"""


@contextmanager
def _holder(lock: dict[str, Any]) -> Iterator[subprocess.Popen[str]]:
    """Another process holding `lock` until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, json.dumps(lock)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == "held", f"the holder did not take the lock: {proc.stderr.read()}"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _lock(lock: dict[str, Any], tmp_path: Path) -> AbstractContextManager[Any]:
    return pass_lock(Settings(lock=lock), tmp_path)


def _free(lock: dict[str, Any], tmp_path: Path) -> bool:
    try:
        with _lock(lock, tmp_path):
            return True
    except LockBusy:
        return False


def test_redis_lock_is_renewed_while_held_and_expires_after_a_dead_holder(
    redis_url: str, tmp_path: Path
) -> None:
    """TTL 3 s, renewed every second: a second holder is refused with the holder named,
    still after 4 s (> TTL) of holding; the holder is SIGKILLed mid-hold (no release):
    the key is still there at once, and free 2-3 s later -- after the TTL, not before."""
    lock = {"backend": "redis", "url": redis_url, "name": f"it-{uuid.uuid4().hex}"}
    lock["ttl_seconds"] = 3
    with _holder(lock) as holder:
        with pytest.raises(LockBusy, match=rf"held by {re.escape(HOST)} pid {holder.pid}\b"):
            _lock(lock, tmp_path).__enter__()
        time.sleep(4)
        assert not _free(lock, tmp_path), "the holder's renewal did not keep the lock"
        holder.kill()
        holder.wait()
        killed = time.monotonic()
        assert not _free(lock, tmp_path), "a dead holder's lock vanished before its TTL"
        _wait_for("the dead holder's lock to expire", lambda: _free(lock, tmp_path), 10)
        expired_after = time.monotonic() - killed
    # renewed at most 1 s before the kill: 2-3 s of its TTL were left
    assert 1.0 <= expired_after <= 3 + 0.5, expired_after


def test_postgres_lock_is_released_when_the_holding_process_dies(
    postgres_url: str, tmp_path: Path
) -> None:
    """A second holder is refused, the holder named by its application name; another
    lock name is free meanwhile; SIGKILL the holder: its session ends, the lock is free
    within a second or two."""
    lock = {"backend": "postgres", "url": postgres_url, "name": f"it-{uuid.uuid4().hex}"}
    with _holder(lock) as holder:
        pattern = rf"held by sup-sla-sync {re.escape(HOST)} pid {holder.pid}\b"
        with pytest.raises(LockBusy, match=pattern):
            _lock(lock, tmp_path).__enter__()
        assert _free({**lock, "name": lock["name"] + "-other"}, tmp_path)
        holder.kill()
        holder.wait()
        waited = _wait_for("the dead holder's session to end", lambda: _free(lock, tmp_path), 10)
    assert waited < 5


def test_a_redis_lock_lost_during_the_pass_is_noticed(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The key vanishes mid-pass (as after a TTL that ran out during a stuck pass): the
    watchdog's next renewal notices, sets `lost` and logs an error; leaving the lock
    does not raise (and does not delete a key that is no longer ours)."""
    import redis

    caplog.set_level(logging.ERROR, logger="sup_sla_sync.lock")
    lock = {"backend": "redis", "url": redis_url, "name": f"it-{uuid.uuid4().hex}"}
    lock["ttl_seconds"] = 3
    client = redis.Redis.from_url(redis_url)
    with _lock(lock, tmp_path) as held:
        client.delete(held.key)
        client.set(held.key, "someone else")
        _wait_for("the loss to be noticed", held.lost.is_set, 5)
    assert client.get(held.key) == b"someone else"
    assert "lost the redis lock" in caplog.text
    client.close()


def test_a_dropped_postgres_session_is_noticed(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server ends the lock's session mid-pass (a restart, a dropped connection):
    the watchdog notices, sets `lost` and logs an error; the lock is free again."""
    import psycopg

    caplog.set_level(logging.ERROR, logger="sup_sla_sync.lock")
    lock = {"backend": "postgres", "url": postgres_url, "name": f"it-{uuid.uuid4().hex}"}
    held = _lock(lock, tmp_path)
    held.check_seconds = 0.2  # type: ignore[attr-defined]
    with held, psycopg.connect(postgres_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"sup-sla-sync {HOST} pid {os.getpid()}"[:63],),
        ).fetchall()
        assert ended == [(True,)]
        _wait_for("the loss to be noticed", held.lost.is_set, 5)
        assert _free(lock, tmp_path)
    assert "lost the postgres lock" in caplog.text


# ----------------------------------------------------------------- two real daemons
@dataclass
class Issues:
    reminder: int  # VIP, 100 min old: [sla:first_response:75]
    breach: int  # VIP, 200 min old: [sla:first_response:breach]
    close: int  # awaiting the client since 2025: [sla:auto_close]
    reopen: int  # the client answered: [sla:reopen]
    late_reply: int  # awaiting the client for an hour; answers while one daemon is left

    def all(self) -> list[int]:
        return [self.reminder, self.breach, self.close, self.reopen, self.late_reply]


def _issues(sla: SlaHarness, project: str) -> Issues:
    now = now_minute()

    def ago(minutes: int) -> Any:
        return now - timedelta(minutes=minutes)

    return Issues(
        reminder=sla.create(
            "client1",
            "Cannot send a document",
            ago(100),
            project=project,
            custom_fields=VIP,
            journals=[(ago(99), "agent1", {"assigned_to": "agent1"})],
        ),
        breach=sla.create(
            "client1",
            "The portal does not open",
            ago(200),
            project=project,
            custom_fields=VIP,
            journals=[(ago(199), "agent1", {"assigned_to": "agent1"})],
        ),
        close=sla.create(
            "client1",
            "Document is not signed",
            MAR3,
            project=project,
            journals=[
                (MAR3 + timedelta(minutes=20), "agent1", {"notes": "Which document?"}),
                (
                    MAR3 + timedelta(minutes=30),
                    "agent1",
                    {"notes": "Waiting for its number.", "status": "Feedback"},
                ),
            ],
        ),
        reopen=sla.create(
            "client2",
            "How do I revoke a signature?",
            ago(120),
            project=project,
            journals=[
                (ago(60), "agent1", {"notes": "Which one?", "status": "Feedback"}),
                (ago(30), "client2", {"notes": "The one of 1 March."}),
            ],
        ),
        late_reply=sla.create(
            "client1",
            "Where is my certificate?",
            ago(90),
            project=project,
            journals=[(ago(60), "agent1", {"notes": "Your IIN?", "status": "Feedback"})],
        ),
    )


def _start(sla: SlaHarness, config: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sup_sla_sync", "--config", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=sla.env(),
            cwd=config.parent,
        )


def _stop(proc: subprocess.Popen[bytes], log: Path) -> str:
    """SIGTERM; expect exit 0 within 30 s; the log."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{text[-4000:]}"
    return text


def _tags(sla: SlaHarness, issue_id: int) -> Counter[str]:
    return Counter(j["notes"][5:].split("]")[0] for j in sla.notes(issue_id))


def _status_changes(sla: SlaHarness, issue_id: int, to: str) -> int:
    target = str(sla.rm.status_id(to))
    return sum(
        1
        for j in sla.rm.journals(issue_id)
        for d in j["details"]
        if d["name"] == "status_id" and d["new_value"] == target
    )


def _done(sla: SlaHarness, issues: Issues) -> bool:
    return (
        bool(sla.notes(issues.reminder, "first_response:75"))
        and bool(sla.notes(issues.breach, "first_response:breach"))
        and sla.fields(issues.close)["status"] == "Closed"
        and sla.fields(issues.reopen)["status"] == "In Progress"
    )


def _two_daemons(sla: SlaHarness, project: str, configs: tuple[Path, Path]) -> dict[str, Any]:
    issues = _issues(sla, project)
    before = {i: sla.state(i) for i in issues.all()}
    logs = (sla.tmp_path / "daemon-1.log", sla.tmp_path / "daemon-2.log")
    shared = pass_lock(load_settings(configs[0]), configs[0].parent)
    timings: dict[str, float] = {}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # 1. This test holds the shared lock: both daemons start, skip, write nothing.
        with shared:
            procs = [_start(sla, c, log) for c, log in zip(configs, logs, strict=True)]
            timings["both skipped"] = _wait_for(
                "both daemons to skip a pass while the lock is held",
                lambda: all("skipping this pass" in log.read_text() for log in logs),
                30,
            )
            assert {i: sla.state(i) for i in issues.all()} == before
        # 2. Released: the daemons do the work between them, then idle for 2 intervals.
        timings["work done"] = _wait_for("every note, close and reopen", lambda: _done(sla, issues))
        time.sleep(2 * INTERVAL)
        # 3. One stops; the other (a standby until now, perhaps) acts on a later change.
        first_log = _stop(procs[0], logs[0])
        sla.rm.add_note("client1", issues.late_reply, "Here it is.")
        timings["standby took over"] = _wait_for(
            "the remaining daemon to reopen the late reply",
            lambda: sla.fields(issues.late_reply)["status"] == "In Progress",
            30,
        )
        time.sleep(INTERVAL)
        second_log = _stop(procs[1], logs[1])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    for text in (first_log, second_log):
        assert "Traceback" not in text and "lost the" not in text, text[-4000:]
        sla.assert_no_secret(text)
    # Every tagged note exactly once per issue: both daemons' passes, one at a time.
    expected = {
        issues.reminder: "first_response:75",
        issues.breach: "first_response:breach",
        issues.close: "auto_close",
        issues.reopen: "reopen",
        issues.late_reply: "reopen",
    }
    for issue_id, tag in expected.items():
        tags = _tags(sla, issue_id)
        assert tags[tag] == 1, (issue_id, tags)
        assert set(tags.values()) == {1}, (issue_id, tags)
    assert _status_changes(sla, issues.close, "Closed") == 1
    assert _status_changes(sla, issues.reopen, "In Progress") == 1
    assert _status_changes(sla, issues.late_reply, "In Progress") == 1
    assert sla.rm.user_id("lead1") in sla.state(issues.breach)["watchers"]
    passes = [text.count("pass done") for text in (first_log, second_log)]
    assert sum(passes) >= 3, passes
    return {"passes": passes, **{k: round(v, 1) for k, v in timings.items()}}


def _daemon_config(sla: SlaHarness, project: str, lock: dict[str, Any], name: str) -> Path:
    return sla.config(
        [project],
        round_the_clock=True,
        overrides={"daemon": {"interval_minutes": INTERVAL_MINUTES}, "lock": lock},
        name=name,
    )


def _machine(sla: SlaHarness, folder: str) -> str:
    (sla.tmp_path / folder).mkdir()
    return f"{folder}/sup-sla-sync.toml"


def test_two_daemons_on_one_machine_share_the_file_lock(sla: SlaHarness) -> None:
    project = sla.new_project()
    config = _daemon_config(sla, project, {}, "sup-sla-sync.toml")
    report = _two_daemons(sla, project, (config, config))
    print("file lock:", report)


def test_two_machines_share_a_redis_lock(sla: SlaHarness, redis_url: str) -> None:
    project = sla.new_project()
    lock = {
        "backend": "redis",
        "url": redis_url,
        "name": f"desk-{project}",
        "path": "sup-sla-sync.lock",  # each machine's own file: no help here
        "ttl_seconds": 6,
    }
    configs = (
        _daemon_config(sla, project, lock, _machine(sla, "machine-a")),
        _daemon_config(sla, project, lock, _machine(sla, "machine-b")),
    )
    report = _two_daemons(sla, project, configs)
    print("redis lock:", report)


def test_two_machines_share_a_postgres_lock(sla: SlaHarness, postgres_url: str) -> None:
    project = sla.new_project()
    lock = {"backend": "postgres", "url": postgres_url, "path": "sup-sla-sync.lock"}
    configs = (
        _daemon_config(sla, project, lock, _machine(sla, "machine-a")),
        _daemon_config(sla, project, lock, _machine(sla, "machine-b")),
    )
    names = {lock_name(load_settings(c)) for c in configs}
    assert names == {f"{sla.rm.url} {project}"}  # derived, the same on both machines
    report = _two_daemons(sla, project, configs)
    print("postgres lock:", report)
