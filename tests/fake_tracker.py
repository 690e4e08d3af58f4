"""An in-memory tracker that behaves like Redmine where the sync pass can tell.

It implements the whole tracker port (`ports.tracker.Tracker`): the reads in memory, and
the writes through Redmine's write protocol (`adapters.redmine.writes.RedmineWrites`)
over an in-memory `update_issue`: writes append journals by the tool's user, as Redmine
does (a private note sent with field changes becomes two journals), so a second pass sees
its own work.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, tzinfo
from typing import Any

from sup_sla_sync.adapters.redmine.writes import RedmineWrites
from sup_sla_sync.core.model import (
    DUE_DATE,
    PRIORITY,
    STATUS,
    FieldChange,
    IssueSnapshot,
    Journal,
    People,
    cf,
)
from sup_sla_sync.errors import TrackerError

from factories import PEOPLE, TOOL

URL = "https://sup.example.kz"


class FakeTracker(RedmineWrites):
    def __init__(self, *issues: IssueSnapshot, now: Callable[[], datetime]) -> None:
        self.projects: list[str] = []  # the configured projects (empty: every issue)
        self._due_date_apart: set[int] = set()
        self.issues = {issue.id: issue for issue in issues}
        self.now = now
        self.people = PEOPLE
        self.writes: list[tuple[int, dict[str, Any]]] = []
        self.watchers_added: list[tuple[int, int]] = []
        self.reads: list[int] = []
        self.fail_on: dict[int, Exception] = {}
        self.before_write: Callable[[int, dict[str, Any]], None] | None = None
        self._ids = itertools.count(50_000)
        self.listings: list[tuple[str, datetime | None]] = []  # ("full"|"changed", since)
        self.remembered: list[int] = []
        self.settled = False  # what is_settled answers
        self.remember_calls: list[tuple[list[int], datetime | None]] = []
        self._listing_started_at: datetime | None = None

    # --- the port's own (the rest is below, in Redmine's shape)
    def list_issues(
        self, closed_since, *, on_error=None, on_listed=None
    ) -> Iterator[IssueSnapshot]:
        return self.iter_issues(self.projects, closed_since, on_error=on_error, on_listed=on_listed)

    def list_changed(self, since: datetime, *, on_error=None) -> Iterator[IssueSnapshot]:
        return self.iter_changed(self.projects, since, on_error=on_error)

    def list_created(self, since, until, zone, *, on_listed=None) -> Iterator[IssueSnapshot]:
        return self.iter_issues_created(self.projects, since, until, zone, on_listed=on_listed)

    def read_issue(self, issue_id: int) -> IssueSnapshot:
        return self.snapshot(issue_id)

    def in_scope(self, issue: IssueSnapshot) -> bool:
        return not self.projects or issue.project in self.projects

    scope_setting = "redmine.projects"

    def configured(self, settings: Any) -> FakeTracker:
        """Take the port's own settings from `settings` (`[redmine]`), as the real adapter
        does: the projects and the address shown."""
        self.projects = list(settings.redmine.projects)
        self.shown_url = settings.redmine.shown_url.rstrip("/")
        return self

    def as_viewer(self) -> tuple[int | None, str | None]:
        return TOOL, None  # the in-memory tracker shows everyone everything

    shown_url = URL
    state_key = "fake-tracker-key"

    def issue_url(self, issue_id: int) -> str:
        return f"{self.shown_url}/issues/{issue_id}"

    # --- reading
    def load_people(
        self, staff_groups: list[str], vip_groups: list[str], lead: str, policy_groups=()
    ) -> People:
        return self.people

    def iter_issues(
        self,
        projects: list[str],
        closed_since: datetime | None,
        *,
        on_error=None,
        on_listed=None,
    ) -> Iterator[IssueSnapshot]:
        self.listings.append(("full", closed_since))
        self._listing_started_at = self.now()
        if on_listed is not None:
            on_listed(len(self.issues))
        for issue_id in sorted(self.issues):
            if not projects or self.issues[issue_id].project in projects:
                yield self.snapshot(issue_id)

    def iter_issues_created(
        self,
        projects: list[str],
        since: date,
        until: date,
        zone: tzinfo,
        *,
        on_error=None,
        on_listed=None,
    ) -> Iterator[IssueSnapshot]:
        if on_listed is not None:
            on_listed(len(self.issues))
        for issue_id in sorted(self.issues):
            issue = self.snapshot(issue_id)
            if since <= issue.created_on.astimezone(zone).date() <= until:
                yield issue

    def iter_changed(
        self, projects: list[str], since: datetime, *, on_error=None, on_listed=None
    ) -> Iterator[IssueSnapshot]:
        """Issues updated at or after `since` (any status), as Redmine's updated_on filter."""
        self.listings.append(("changed", since))
        self._listing_started_at = self.now()
        changed = [i for i in sorted(self.issues) if self.issues[i].updated_on >= since]
        if on_listed is not None:
            on_listed(len(changed))
        for issue_id in changed:
            yield self.snapshot(issue_id)

    @property
    def listing_started_at(self) -> datetime | None:
        return self._listing_started_at

    def server_now(self) -> datetime:
        return self.now()

    def remember(self, snapshots, settled_before: datetime | None) -> None:
        ids = [s.id for s in snapshots]
        self.remembered += ids
        self.remember_calls.append((sorted(ids), settled_before))

    def is_settled(self, snapshot: IssueSnapshot) -> bool:
        return self.settled

    def count_open_created_before(self, projects: list[str], before: datetime) -> int:
        return sum(
            1
            for issue in self.issues.values()
            if issue.created_on < before and issue.status not in ("Closed", "Rejected", "Resolved")
        )

    def snapshot(self, issue_id: int, fresh: bool = True) -> IssueSnapshot:
        if issue_id in self.fail_on:
            raise self.fail_on[issue_id]
        if issue_id not in self.issues:
            raise TrackerError(f"issue {issue_id}: not found or not visible")
        self.reads.append(issue_id)
        return self.issues[issue_id]

    def is_reachable(self) -> bool:
        return True

    def allowed_statuses(self, issue_id: int) -> frozenset[str] | None:
        return None  # as Redmine before 5.0: the move is checked after writing

    # --- people's actions (tests)
    def person_writes(self, issue_id: int, journal: Journal, status: str | None = None) -> None:
        issue = self.issues[issue_id]
        self.issues[issue_id] = replace(
            issue,
            status=status or issue.status,
            journals=(*issue.journals, journal),
            updated_on=journal.created_on,
        )

    # --- writing
    def update_issue(self, issue_id: int, **changes: Any) -> None:
        if self.before_write:
            self.before_write(issue_id, changes)
        self.writes.append((issue_id, changes))
        issue = self.issues[issue_id]
        now = self.now()
        details: list[FieldChange] = []
        fields = dict(issue.custom_fields)
        for name, value in (changes.get("custom_fields") or {}).items():
            if fields.get(name) != value:
                details.append(FieldChange(cf(name), fields.get(name), value))
                fields[name] = value
        status = changes.get("status") or issue.status
        if status != issue.status:
            details.append(FieldChange(STATUS, issue.status, status))
        priority = changes.get("priority") or issue.priority
        if priority != issue.priority:
            details.append(FieldChange(PRIORITY, issue.priority, priority))
        due: date | None = changes.get("due_date", issue.due_date)
        if due != issue.due_date:
            details.append(FieldChange(DUE_DATE, str(issue.due_date), str(due)))
        notes = changes.get("notes") or ""
        private = bool(changes.get("private_notes"))
        journals = list(issue.journals)
        if notes and private and details:
            journals.append(Journal(next(self._ids), TOOL, now, changes=tuple(details)))
            journals.append(Journal(next(self._ids), TOOL, now, notes, True))
        elif notes or details:
            journals.append(Journal(next(self._ids), TOOL, now, notes, private, tuple(details)))
        self.issues[issue_id] = replace(
            issue,
            custom_fields=fields,
            status=status,
            priority=priority,
            due_date=due,
            journals=tuple(journals),
            updated_on=now,
        )

    def add_watcher(self, issue_id: int, user_id: int) -> None:
        self.watchers_added.append((issue_id, user_id))
        issue = self.issues[issue_id]
        self.issues[issue_id] = replace(issue, watcher_ids=issue.watcher_ids | {user_id})

    # --- inspection
    def notes(self, issue_id: int) -> list[Journal]:
        return [j for j in self.issues[issue_id].journals if j.notes]
