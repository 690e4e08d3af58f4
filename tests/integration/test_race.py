"""Never close wrongly (SPEC principle 4): a client note arriving between the read and
the close must prevent the close, against the real Redmine.

In-process: the real `RedmineAdapter` and `SyncService` on the harness's project,
with a thin subclass of the adapter that lets a person act at an exact moment of the
pass (through the REST API, as that person):
* just before the closing PUT: the close happens, the re-read after it sees the
  client's note, and the issue is reopened at once;
* after the listing read, just before the re-read that precedes the close: no close
  at all (the client's reply reopens the issue instead);
* likewise, an agent moving the issue on before that re-read: no close, no note.

The waiting issue: created Mon 2025-03-03 10:00 Almaty (real calendar), agent1 asks the
client at 10:20 and sets Feedback at 10:30; nobody answered since: an auto-close
candidate for a long time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slaharness import SlaHarness, almaty

from sup_sla_sync.adapters.redmine import RedmineAdapter
from sup_sla_sync.config import Settings, load_settings
from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.service.sync import PassResult, SyncService

MAR3 = almaty(2025, 3, 3, 10, 0)


class Interfering(RedmineAdapter):
    """The real adapter; `before_close` runs just before the closing PUT of an issue,
    `before_reread` just before a fresh single-issue read (the pass reads one issue
    alone only around a transition: the re-read before a close, and after it)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.close_to = settings.statuses.auto_close_to
        self.before_close: Callable[[int], None] | None = None
        self.before_reread: Callable[[int], None] | None = None
        self.updates: list[dict[str, Any]] = []

    def snapshot(self, issue_id: int, fresh: bool = True) -> IssueSnapshot:
        hook, self.before_reread = self.before_reread, None
        if hook is not None:
            hook(issue_id)
        return super().snapshot(issue_id, fresh)

    def update_issue(self, issue_id: int, **changes: Any) -> None:
        self.updates.append({"issue": issue_id, **changes})
        if changes.get("status") == self.close_to and self.before_close is not None:
            hook, self.before_close = self.before_close, None
            hook(issue_id)
        super().update_issue(issue_id, **changes)


def _settings(config: Path, key: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in [k for k in os.environ if k.startswith("SUP_SLA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SUP_SLA_REDMINE__API_KEY", key)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return load_settings(config)


def _waiting(sla: SlaHarness, project: str) -> int:
    return sla.create(
        "client1",
        "Cannot sign the contract",
        MAR3,
        project=project,
        journals=[
            (MAR3 + timedelta(minutes=20), "agent1", {"notes": "Which browser do you use?"}),
            (MAR3 + timedelta(minutes=30), "agent1", {"notes": "Waiting.", "status": "Feedback"}),
        ],
    )


def _pass(
    sla: SlaHarness, monkeypatch: pytest.MonkeyPatch, setup: Callable[[Interfering, int], None]
) -> tuple[int, PassResult, Interfering]:
    """One pass over a fresh project holding one waiting issue."""
    project = sla.new_project()
    issue_id = _waiting(sla, project)
    # Round the clock: the auto-close is posted in working time only, whatever the hour.
    settings = _settings(sla.config([project], round_the_clock=True), sla.rm.admin_key, monkeypatch)
    with Interfering(settings) as tracker:
        setup(tracker, issue_id)
        result = SyncService(settings, tracker).run_pass()
    tracker.project = project  # type: ignore[attr-defined]
    return issue_id, result, tracker


def _statuses(updates: list[Mapping[str, Any]]) -> list[str]:
    return [u["status"] for u in updates if u.get("status")]


def test_control_without_interference_the_issue_is_auto_closed(
    sla: SlaHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_id, result, _ = _pass(sla, monkeypatch, lambda tracker, issue_id: None)

    assert (result.closed, result.reopened, result.errors) == (1, 0, [])
    assert sla.fields(issue_id)["status"] == "Closed"
    assert len(sla.notes(issue_id, "auto_close")) == 1


def test_a_client_note_just_before_the_closing_put_reopens_the_issue_at_once(
    sla: SlaHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """client1 writes while the tool's closing PUT is on its way. Redmine closes the
    issue; the re-read after closing finds the client's note: the same pass moves the
    issue to In Progress with a `[sla:reopen]` note. It never stays Closed, and a second
    pass changes nothing."""

    def setup(tracker: Interfering, issue_id: int) -> None:
        tracker.before_close = lambda i: sla.rm.add_note("client1", i, "Chrome, version 120.")

    issue_id, result, tracker = _pass(sla, monkeypatch, setup)

    assert tracker.before_close is None, "the pass never tried to close the issue"
    assert result.errors == []
    assert (result.closed, result.reopened) == (0, 1)
    assert _statuses(tracker.updates) == ["Closed", "In Progress"]
    assert sla.fields(issue_id)["status"] == "In Progress"
    journals = sla.rm.journals(issue_id)
    notes = [j.get("notes") or "" for j in journals]
    tagged = [n.split("]")[0] + "]" for n in notes if n.startswith("[sla:")]
    assert tagged == ["[sla:auto_close]", "[sla:reopen]"]
    client = [j for j in journals if j["user"]["name"].startswith("Client")]
    assert [j["notes"] for j in client] == ["Chrome, version 120."]

    again = sla.sync(sla.config([tracker.project], round_the_clock=True))  # type: ignore[attr-defined]
    assert (again["closed"], again["reopened"], again["errors"]) == (0, 0, [])
    assert sla.fields(issue_id)["status"] == "In Progress"


def test_a_client_note_before_the_re_read_prevents_the_close(
    sla: SlaHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """client1 writes after the listing read (which still shows no reply) and just
    before the re-read that precedes the close: no close at all, no auto-close note;
    the reply reopens the issue instead (In Progress, one `[sla:reopen]` note)."""

    def setup(tracker: Interfering, issue_id: int) -> None:
        tracker.before_reread = lambda i: sla.rm.add_note("client1", i, "Firefox.")

    issue_id, result, tracker = _pass(sla, monkeypatch, setup)

    assert tracker.before_reread is None, "the pass never re-read the issue"
    assert result.errors == []
    assert (result.closed, result.reopened) == (0, 1)
    assert "Closed" not in _statuses(tracker.updates)
    assert sla.fields(issue_id)["status"] == "In Progress"
    assert sla.notes(issue_id, "auto_close") == []
    assert len(sla.notes(issue_id, "reopen")) == 1


def test_an_agent_moving_the_issue_before_the_re_read_prevents_the_close(
    sla: SlaHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """agent1 sets In Progress (no note) after the listing read, before the re-read:
    the status changed, so no close and no tool note about it."""

    def setup(tracker: Interfering, issue_id: int) -> None:
        tracker.before_reread = lambda i: sla.rm.update("agent1", i, status="In Progress")

    issue_id, result, tracker = _pass(sla, monkeypatch, setup)

    assert tracker.before_reread is None, "the pass never re-read the issue"
    assert (result.closed, result.reopened, result.errors) == (0, 0, [])
    assert _statuses(tracker.updates) == []
    assert sla.fields(issue_id)["status"] == "In Progress"
    assert sla.notes(issue_id, "auto_close") == [] and sla.notes(issue_id, "reopen") == []
