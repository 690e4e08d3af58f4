"""`sync --dry-run`, `sync --format json` and `explain --format json` (SPEC: CLI).

A fresh project with two issues on fixed past dates (real calendar):
* STAMP: VIP (field), priority High (urgent), Support, created Thu 2025-01-02 10:00;
  clocks start Sun 2025-01-05 09:00 (decreed working day): first response 60 min
  -> 2025-01-05T10:00+05:00, resolution 540 -> 2025-01-05T18:00+05:00, due date
  2025-01-05; never answered, long past: breached.
* CLOSE: basic, created Mon 2025-03-03 10:00, agent1 asked for more and set
  Feedback at 10:30, no client note since: auto-close candidate. A client reads the
  auto-close, so it is posted in working time only: CLOSE is in a second project under a
  round-the-clock contract policy, so the test passes at any time of day.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from slaharness import SlaHarness, almaty

JAN2 = almaty(2025, 1, 2, 10, 0)
MAR3 = almaty(2025, 3, 3, 10, 0)
SYNC_KEYS = {"seen", "updated", "reminders", "breaches", "reopened", "closed", "errors"}
STAMP_FIELDS = {
    "SLA first response due": "2025-01-05T10:00+05:00",
    "SLA resolution due": "2025-01-05T18:00+05:00",
    "SLA state": "breached",
    "Category": "Consultation",
}


def _config(sla: SlaHarness, projects: list[str]) -> Path:
    policy = {"name": "24x7", "projects": projects[1:], "calendar": {"mode": "24x7"}}
    return sla.config(projects, overrides={"policies": [policy]})


def _two_issues(sla: SlaHarness) -> tuple[list[str], int, int]:
    project = sla.new_project()
    waiting_project = sla.new_project()
    stamp = sla.create(
        "client1",
        "Where is the archive?",
        JAN2,
        project=project,
        priority="High",
        custom_fields={"SLA level": "VIP"},
    )
    close = sla.create(
        "client2",
        "Signature question",
        MAR3,
        project=waiting_project,
        journals=[
            (
                MAR3 + timedelta(minutes=30),
                "agent1",
                {"notes": "Which certificate do you use?", "status": "Feedback"},
            )
        ],
    )
    return [project, waiting_project], stamp, close


def test_dry_run_writes_nothing_and_prints_the_planned_writes(sla: SlaHarness) -> None:
    """`sync --dry-run` (text, then JSON) over the project: exit 0, the planned
    field stamps of STAMP and the auto-close of CLOSE are printed, and Redmine holds
    exactly what it held before (journals, updated_on, fields, status)."""
    projects, stamp, close = _two_issues(sla)
    config = _config(sla, projects)
    before = {i: sla.state(i) for i in (stamp, close)}

    text = sla.run(config, "sync", "--dry-run")
    summary = sla.sync(config, dry_run=True)

    assert text.rc == 0, str(text)
    lines = text.stdout.splitlines()
    assert any(
        ln.startswith(f"#{stamp} fields:") and "2025-01-05T10:00+05:00" in ln for ln in lines
    )
    assert any(ln.startswith(f"#{close} auto_close:") and "Closed" in ln for ln in lines), lines
    assert "dry run" in lines[-1]
    assert set(summary) >= SYNC_KEYS
    assert (summary["seen"], summary["updated"], summary["closed"]) == (2, 2, 1)
    assert summary["errors"] == []
    planned = summary["planned"]
    fields = [w for w in planned if w["issue"] == stamp and w["write"] == "fields"]
    assert len(fields) == 1 and fields[0]["due_date"] == "2025-01-05"
    assert fields[0]["fields"] == STAMP_FIELDS
    closing = [w for w in planned if w["issue"] == close and w["write"] == "auto_close"]
    assert len(closing) == 1
    assert closing[0]["status"] == "Closed" and closing[0]["private"] is False
    assert closing[0]["note"].startswith("[sla:auto_close]")
    assert {i: sla.state(i) for i in (stamp, close)} == before


def test_sync_json_summary_has_the_spec_keys(sla: SlaHarness) -> None:
    """A real pass with `--format json`: exactly the SPEC's keys, the right counts,
    and Redmine now holds the stamps and the closed status."""
    projects, stamp, close = _two_issues(sla)

    summary = sla.sync(_config(sla, projects))

    assert set(summary) == SYNC_KEYS
    assert (summary["seen"], summary["updated"], summary["closed"]) == (2, 2, 1)
    assert (summary["reopened"], summary["errors"]) == (0, [])
    assert sla.fields(close)["status"] == "Closed"
    issue = sla.rm.issue(stamp)
    for name, value in STAMP_FIELDS.items():
        assert sla.rm.custom_field_value(issue, name) == value
    assert issue["due_date"] == "2025-01-05"


def test_explain_json_has_the_spec_keys_and_targets(sla: SlaHarness) -> None:
    """`explain ID --format json` for STAMP: VIP urgent, targets 60/540, the due
    times of the module docstring, breached, not met; for CLOSE (paused in
    Feedback): resolution due null and paused true. explain writes nothing."""
    projects, stamp, close = _two_issues(sla)
    config = _config(sla, projects)
    before = {i: sla.state(i) for i in (stamp, close)}

    data = sla.explain(config, stamp)
    paused = sla.explain(config, close)

    assert {
        "issue",
        "level",
        "channel",
        "priority",
        "category",
        "sla_state",
        "first_response",
        "resolution",
    } <= set(data)
    assert {"target_minutes", "due", "met_at", "state"} <= set(data["first_response"])
    assert {"target_minutes", "due", "used_minutes", "paused", "state"} <= set(data["resolution"])
    assert (data["issue"], data["level"], data["channel"]) == (stamp, "vip", "other")
    assert (data["priority"], data["category"], data["sla_state"]) == (
        "urgent",
        "consultation",
        "breached",
    )
    first, resolution = data["first_response"], data["resolution"]
    assert (first["target_minutes"], first["due"]) == (60, "2025-01-05T10:00+05:00")
    assert (first["met_at"], first["state"]) == (None, "breached")
    assert (resolution["target_minutes"], resolution["due"]) == (540, "2025-01-05T18:00+05:00")
    assert (resolution["paused"], resolution["state"]) == (False, "breached")
    assert resolution["used_minutes"] > 540

    assert (paused["issue"], paused["level"], paused["priority"]) == (close, "basic", "normal")
    assert paused["resolution"]["due"] is None
    assert paused["resolution"]["paused"] is True
    assert paused["resolution"]["used_minutes"] == 30  # 10:00-10:30, then Feedback
    assert paused["resolution"]["target_minutes"] == 1080
    assert paused["first_response"]["met_at"] == "2025-03-03T10:30+05:00"
    assert {i: sla.state(i) for i in (stamp, close)} == before
