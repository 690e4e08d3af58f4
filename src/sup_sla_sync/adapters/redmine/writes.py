"""How the tool writes to Redmine (the tracker port's `write` and `move`).

Redmine's own rules, learned the hard way:

- one PUT per issue carries the fields, the due date and the first note together, so that
  a pass's changes are one journal where Redmine allows it (a private note sent with field
  changes is stored as two journals anyway); any further note is a PUT of its own;
- watchers go first: a note whose answer is lost then leaves no watcher behind (the next
  pass sees the note's tag and plans neither);
- Redmine refuses a due date before the start date with a 422, and would take the fields
  and the note down with it: that issue's due date is then written apart, last;
- Redmine answers 204 and silently keeps the old status when no workflow allows the new
  one, while storing the note: a move is checked against the statuses the workflow offers
  before writing, and verified by reading the issue again after.

Writes are never retried here (a repeated PUT could post a note twice).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.core.writes import Plan, Transition
from sup_sla_sync.errors import TrackerError, UpdateRefused
from sup_sla_sync.ports.tracker import OnWritten

log = logging.getLogger("sup_sla_sync.sync")  # as before the move: log output is behaviour


class _IssueApi(Protocol):
    """Redmine's issue calls the protocol is built on (RedmineAdapter; tests' fake)."""

    def snapshot(self, issue_id: int, fresh: bool = True) -> IssueSnapshot: ...

    def allowed_statuses(self, issue_id: int) -> frozenset[str] | None: ...

    def update_issue(
        self,
        issue_id: int,
        *,
        custom_fields: Mapping[str, str | None] | None = None,
        due_date: Any = ...,
        status: str | None = None,
        priority: str | None = None,
        notes: str | None = None,
        private_notes: bool = False,
    ) -> None: ...

    def add_watcher(self, issue_id: int, user_id: int) -> None: ...


class RedmineWrites:
    """The port's `write` and `move` over Redmine's issue calls (a mixin: the class it is
    mixed into provides `_IssueApi`)."""

    # Issues whose due date Redmine refused together with the fields (this run).
    _due_date_apart: set[int]

    def write(self: _WritesApi, plan: Plan, on_written: OnWritten) -> int:
        """Write the plan: the watchers, then the fields, the due date and the first note
        in one update, then any other note (then the due date, if it goes apart). Returns
        the number of write requests made."""
        apart = _apart(self)
        writes = 0
        for user_id in plan.watchers:
            self.add_watcher(plan.issue_id, user_id)
            on_written("watcher", None)
            writes += 1
        notes = list(plan.notes)
        first = notes.pop(0) if notes else None
        due_date: date | None = plan.due_date
        if plan.fields or due_date or first:
            together: dict[str, Any] = {}
            if plan.fields:
                together["custom_fields"] = plan.fields
            if first is not None:
                together.update(notes=first.text, private_notes=first.private)
            if due_date and plan.issue_id not in apart:
                try:
                    self.update_issue(plan.issue_id, due_date=due_date, **together)
                except UpdateRefused as exc:
                    # Redmine refuses a due date before the start date, and would take the
                    # fields and the note down with it: this issue's due date goes alone.
                    log.info(
                        "issue %s: the due date is refused with the fields (%s); writing it apart",
                        plan.issue_id,
                        exc,
                    )
                    apart.add(plan.issue_id)
                else:
                    due_date = None
                    together = {}
                    writes += 1
                    on_written("due_date", None)
                    _told_together(plan, first, on_written)
            if together:
                self.update_issue(plan.issue_id, **together)
                writes += 1
                _told_together(plan, first, on_written)
        for note in notes:
            self.update_issue(plan.issue_id, notes=note.text, private_notes=note.private)
            on_written("note", note)
            writes += 1
        if due_date:  # last: if Redmine refuses it again, the rest is written
            self.update_issue(plan.issue_id, due_date=due_date)
            on_written("due_date", None)
            writes += 1
        return writes

    def move(
        self: _WritesApi, issue_id: int, transition: Transition, on_written: OnWritten
    ) -> IssueSnapshot:
        """Write the change and its note in one update; return the issue as re-read."""
        if transition.status:
            allowed = self.allowed_statuses(issue_id)
            if allowed is not None and transition.status not in allowed:
                raise TrackerError(
                    f"issue {issue_id}: no workflow lets the tool's user move it to status "
                    f"{transition.status!r} ({transition.kind}); nothing was written"
                )
        self.update_issue(
            issue_id,
            status=transition.status,
            priority=transition.priority,
            notes=transition.note.text,
            private_notes=transition.note.private,
        )
        log.info("issue %s: %s", issue_id, transition.kind, extra={"issue": issue_id})
        on_written("transition", transition.note)  # the note is in, whatever the status
        issue = self.snapshot(issue_id)
        if transition.status and issue.status != transition.status:
            raise TrackerError(
                f"issue {issue_id}: the tracker kept status {issue.status!r} instead of "
                f"{transition.status!r} ({transition.kind})"
            )
        return issue


class _WritesApi(_IssueApi, Protocol):
    _due_date_apart: set[int]


def _apart(api: _WritesApi) -> set[int]:
    try:
        return api._due_date_apart
    except AttributeError:
        api._due_date_apart = set()
        return api._due_date_apart


def _told_together(plan: Plan, first: Any, on_written: OnWritten) -> None:
    if plan.fields:
        on_written("fields", None)
    if first is not None:
        on_written("note", first)
