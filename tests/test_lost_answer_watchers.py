"""A watcher that goes with a note is not lost when the pass fails between the two
(found by the chaos soak, tests/integration/test_chaos_soak.py, seed 1: the lead was not a
watcher of a breached issue, nor of one with insulting language).

The pass writes a note and adds the watchers that go with it: the lead for a breach and
for insulting language, the `[escalation] logins` for an escalation. When the note's write
lands in Redmine but its answer is lost (a connection reset after forwarding, a timeout),
or the watcher's own request fails, the issue is reported and the pass goes on; the next
pass sees the note's tag and plans no note, and (as the pass was written first) no watcher
either: the lead never watched the breached issue (SPEC: "Breach, private, once per clock:
... adds the lead as a watcher"). Expected: the watcher is there after the next pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sup_sla_sync.config import Settings
from sup_sla_sync.errors import TrackerUnavailable
from sup_sla_sync.service.sync import SyncService

from factories import AGENT, LEAD, at, issue
from fake_tracker import FakeTracker


class Clock:
    def __init__(self, when: str) -> None:
        self.now = at(when)

    def set(self, when: str) -> None:
        self.now = at(when)

    def __call__(self) -> datetime:
        return self.now


LOST = "cannot reach the tracker: connection reset by peer"


class LosingTracker(FakeTracker):
    """Applies every write; the answer to the first note starting with `lose_note` is lost
    (the write stays, an error is raised); the first watcher in `fail_watcher` fails."""

    def __init__(self, *issues: Any, now: Any, lose_note: str = "", fail_watcher: bool = False):
        super().__init__(*issues, now=now)
        self.lose_note = lose_note
        self.fail_watcher = fail_watcher

    def update_issue(self, issue_id: int, **changes: Any) -> None:
        super().update_issue(issue_id, **changes)
        if self.lose_note and (changes.get("notes") or "").startswith(self.lose_note):
            self.lose_note = ""
            raise TrackerUnavailable(f"issue {issue_id}: {LOST}")

    def add_watcher(self, issue_id: int, user_id: int) -> None:
        if self.fail_watcher:
            self.fail_watcher = False
            raise TrackerUnavailable(f"issue {issue_id}: {LOST}")
        super().add_watcher(issue_id, user_id)


def _run(
    tracker_kwargs: dict[str, Any],
    settings: Settings,
    start: str = "2025-01-13 12:05",  # a VIP issue of 10:00: first response due 12:00
    then: str = "2025-01-13 12:10",
    **issue_kwargs: Any,
):
    clock = Clock(start)
    tracker = LosingTracker(
        issue("2025-01-13 10:00", level="VIP", **issue_kwargs), now=clock, **tracker_kwargs
    )
    svc = SyncService(settings, tracker, clock=clock)
    first = svc.run_pass()
    clock.set(then)
    second = svc.run_pass()
    return tracker, first, second


SETTINGS = Settings(staff={"groups": ["Support"], "lead": "lead1"})


def test_breach_note_whose_answer_was_lost_still_gets_the_lead_as_watcher() -> None:
    tracker, first, second = _run({"lose_note": "[sla:first_response:breach]"}, SETTINGS)

    assert [e["issue"] for e in first.errors] == [7]  # reported, as it should be
    assert second.errors == []
    breaches = [j for j in tracker.notes(7) if j.notes.startswith("[sla:first_response:breach]")]
    assert len(breaches) == 1  # not posted twice
    assert LEAD in tracker.issues[7].watcher_ids, "the lead never became a watcher"


def test_breach_whose_watcher_request_failed_gets_the_lead_on_the_next_pass() -> None:
    tracker, first, _ = _run({"fail_watcher": True}, SETTINGS)

    assert [e["issue"] for e in first.errors] == [7]
    assert LEAD in tracker.issues[7].watcher_ids, "the lead never became a watcher"


def test_insult_note_whose_answer_was_lost_still_gets_the_lead_as_watcher() -> None:
    tracker, first, _ = _run(
        {"lose_note": "[sla:intake:language]"},
        SETTINGS,
        start="2025-01-13 10:05",  # long before the first response is due: no breach
        then="2025-01-13 10:10",
        description="Вы идиоты, ничего не работает",
    )

    assert [e["issue"] for e in first.errors] == [7]
    assert LEAD in tracker.issues[7].watcher_ids, "the lead never became a watcher"


def test_escalation_whose_answer_was_lost_still_gets_its_logins_as_watchers() -> None:
    settings = Settings(
        staff={"groups": ["Support"], "lead": "lead1"},
        escalation={"after_breach_working_minutes": [5], "logins": ["agent2"]},
    )
    clock = Clock("2025-01-13 12:02")
    tracker = LosingTracker(
        issue("2025-01-13 10:00", level="VIP", assigned_to=AGENT),
        now=clock,
        lose_note="[sla:first_response:escalation_1]",
    )
    svc = SyncService(settings, tracker, clock=clock)
    svc.run_pass()  # the breach and the lead
    clock.set("2025-01-13 12:10")  # 10 minutes past the due time: level 1
    escalated = svc.run_pass()
    clock.set("2025-01-13 12:15")
    svc.run_pass()

    assert [e["issue"] for e in escalated.errors] == [7]
    agent2 = next(i for i, login in tracker.people.logins.items() if login == "agent2")
    assert agent2 in tracker.issues[7].watcher_ids, "agent2 never became a watcher"
