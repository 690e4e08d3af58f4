"""One pass at a time per configuration (SPEC principle 5): a second `sync` while the
lock is held exits with a clear message and writes nothing."""

from __future__ import annotations

import fcntl
import os

from slaharness import SlaHarness, almaty


def test_second_instance_exits_with_a_clear_message_and_writes_nothing(
    sla: SlaHarness,
) -> None:
    """This test process holds the configured file lock (as a running pass would);
    `sync` exits non-zero naming the lock, and the issue it would have stamped
    (created 2025-01-02 10:00) is untouched. Once released, the pass runs."""
    lock_path = sla.tmp_path / "held.lock"
    config = sla.config(overrides={"lock": {"path": str(lock_path)}})
    issue_id = sla.create("client1", "Locked out", almaty(2025, 1, 2, 10, 0))
    before = sla.state(issue_id)

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = sla.run(config, "sync", "--issue", str(issue_id))
    finally:
        os.close(fd)

    assert result.rc != 0, str(result)
    assert "lock" in result.stderr, str(result)
    assert sla.state(issue_id) == before

    sla.sync(config, issue_id)
    assert sla.fields(issue_id)["resolution_due"] == "2025-01-06T18:00+05:00"
