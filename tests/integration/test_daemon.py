"""`run`, the daemon (SPEC: CLI `run`; principles 1 and 2): a pass every
`daemon.interval_minutes` until SIGTERM, then exit 0. Between passes it may reuse
what it read (issues whose updated_on did not change): a change made in Redmine
while it runs must still be acted on in a later pass.

Real calendar, fixed past dates: created Thu 2025-01-02 10:00 -> basic resolution
due 2025-01-06T18:00; Feedback since Mon 2025-03-03 10:30 (long ago).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from slaharness import SlaHarness, almaty

JAN2 = almaty(2025, 1, 2, 10, 0)
MAR3 = almaty(2025, 3, 3, 10, 0)


def _wait_for(what: str, condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for: {what}")


def test_daemon_acts_on_changes_made_while_it_runs_and_stops_on_sigterm(
    sla: SlaHarness,
) -> None:
    """The daemon (a pass every 0.02 min = 1.2 s) over a fresh project stamps the
    first issue; an issue created while it runs is stamped by a later pass; a
    client note on a waiting issue (auto-close disabled here) gets it reopened.
    SIGTERM: exit 0, no traceback, no key in the output."""
    project = sla.new_project()
    config = sla.config(
        [project],
        overrides={"daemon": {"interval_minutes": 0.02}, "auto_close": {"enabled": False}},
    )
    first = sla.create("client1", "First", JAN2, project=project)
    waiting = sla.create(
        "client1",
        "Waiting",
        MAR3,
        project=project,
        journals=[
            (MAR3 + timedelta(minutes=30), "agent1", {"notes": "Which?", "status": "Feedback"})
        ],
    )

    proc = subprocess.Popen(
        [sys.executable, "-m", "sup_sla_sync", *sla.argv(config, "run")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sla.env(),
        cwd=sla.tmp_path,
    )
    try:
        _wait_for(
            "the first issue stamped",
            lambda: sla.fields(first)["resolution_due"] == "2025-01-06T18:00+05:00",
        )
        _wait_for(  # 10:00-10:30 used, then Feedback
            "the waiting issue stamped",
            lambda: sla.fields(waiting)["resolution_due"] == "paused, 1050 min left",
        )
        later = sla.create("client2", "Created while running", JAN2, project=project)
        sla.rm.add_note("client1", waiting, "Here it is.")
        _wait_for(
            "the new issue stamped",
            lambda: sla.fields(later)["resolution_due"] == "2025-01-06T18:00+05:00",
        )
        _wait_for(
            "the waiting issue reopened", lambda: sla.fields(waiting)["status"] == "In Progress"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    sla.assert_no_secret(out + err)
    assert len(sla.notes(waiting, "reopen")) == 1
