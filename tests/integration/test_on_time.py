"""On time (SPEC.md, `run`; issue 17): the daemon wakes at the next instant of a known
issue, not only every `daemon.interval_minutes`. With a poll every five minutes, a
15-minute first answer (the online assistant) gets its 75% reminder within a minute of
the instant, long before the next poll.

Round the clock (24x7), so the test runs at any hour. The instant is the core's: the
first whole minute at which `decide`, on the issue as Redmine holds it before the daemon
starts, plans the reminder (to the second: 75% of 15 minutes from a creation with seconds).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from slaharness import SlaHarness

from sup_sla_sync.adapters.redmine import RedmineAdapter
from sup_sla_sync.config import load_settings
from sup_sla_sync.service.sync import SyncService

REMINDER = "[sla:first_response:75]"
IDENTIFIED = "Ivanov Ivan, IIN 880101300388, Dala Trade LLP."


def planned_at(sla: SlaHarness, config, issue_id: int, tag: str) -> datetime:
    """The first second from now at which decide plans a note starting with `tag`."""
    settings = load_settings(config)
    redmine = settings.redmine.model_copy(update={"api_key": SecretStr(sla.rm.admin_key)})
    settings = settings.model_copy(update={"redmine": redmine})
    with RedmineAdapter(settings) as tracker:
        service = SyncService(settings, tracker)
        snapshot = tracker.snapshot(issue_id)
        people = service.people()

        def plans(moment: datetime) -> bool:
            notes = service.decide(snapshot, people, moment).plan.notes
            return any(n.text.startswith(tag) for n in notes)

        moment = datetime.now(UTC).replace(second=0, microsecond=0)
        for _ in range(30):
            if plans(moment):  # then the very second, within the minute before
                second = moment - timedelta(seconds=59)
                while not plans(second):
                    second += timedelta(seconds=1)
                return second
            moment += timedelta(minutes=1)
    raise AssertionError(f"issue {issue_id}: {tag} is not planned in the next 30 minutes")


def test_a_15_minute_first_answer_gets_its_reminder_within_a_minute_with_a_5_minute_poll(
    sla: SlaHarness,
) -> None:
    project = sla.new_project()
    config = sla.config(
        [project],
        round_the_clock=True,
        overrides={"daemon": {"interval_minutes": 5}, "auto_close": {"enabled": False}},
    )
    # 75% of 15 minutes is 11:15 after creation: the reminder falls due in the next
    # minute or two, after the daemon's first poll and minutes before its second.
    created = datetime.now(UTC) - timedelta(minutes=10, seconds=30)
    issue_id = sla.create(
        "client1",
        "Chat: the signature fails",
        created,
        project=project,
        description=IDENTIFIED,
        custom_fields={"Channel": "Online assistant"},
    )
    instant = planned_at(sla, config, issue_id, REMINDER)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sup_sla_sync", *sla.argv(config, "run")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sla.env(),
        cwd=sla.tmp_path,
    )
    started = datetime.now(UTC)
    try:
        deadline = time.monotonic() + 240  # the second poll would come at 300 s
        while time.monotonic() < deadline and not sla.notes(issue_id, "first_response:75"):
            time.sleep(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    sla.assert_no_secret(out + err)
    [reminder] = sla.notes(issue_id, "first_response:75")
    written = datetime.fromisoformat(reminder["created_on"].replace("Z", "+00:00"))
    assert instant > started, "the instant must come after the daemon's first poll"
    late = (written - instant).total_seconds()
    assert -1 <= late <= 60, f"written {written}, instant {instant}: {late:.0f} s late"
    # Written by a pass the instant woke, not by a poll: one poll (the first) in the run.
    passes = [line for line in err.splitlines() if "pass done" in line]
    assert sum("woken_by=poll" in line for line in passes) == 1, err[-3000:]
    assert any("woken_by=instant" in line and "reminders=1" in line for line in passes), err[-3000:]
