"""One pass: read issues, evaluate them, apply the planned writes (the service layer).

The only I/O is through the adapter; every decision comes from the pure core.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import SlaView, evaluate
from sup_sla_sync.core.decide import (
    MAX_TRANSITIONS,
    Decision,
    Plan,
    Transition,
    client_replied_during_close,
    count_writes,
    decide,
    is_clock_note,
    reopen_transition,
)
from sup_sla_sync.core.faq import Article
from sup_sla_sync.core.memo import Memo
from sup_sla_sync.core.model import IssueSnapshot, People
from sup_sla_sync.core.tags import AUTO_CLOSE, REOPEN, is_breach
from sup_sla_sync.errors import AuthError, SlaSyncError, TrackerError, TrackerUnavailable

log = logging.getLogger("sup_sla_sync.sync")

# On a cold start (no memory of the previous pass), closed issues updated this recently
# are looked at too, so an issue closed while the daemon was down still gets its final state.
COLD_START_CLOSED_LOOKBACK = timedelta(days=30)
# Group membership and logins change rarely; the daemon re-reads them this often, so that
# a pass costs only the issue listing when nothing changed.
PEOPLE_MAX_AGE_SECONDS = 15 * 60


class Tracker(Protocol):
    """What the pass needs from the Redmine adapter."""

    def load_people(self, staff_groups: list[str], vip_groups: list[str], lead: str) -> People: ...

    def iter_issues(
        self,
        projects: list[str],
        closed_since: datetime | None,
        *,
        on_error: Callable[[int, Exception], None] | None = None,
    ) -> Iterator[IssueSnapshot]: ...

    def iter_issues_created(
        self, projects: list[str], since: date, until: date, zone: tzinfo
    ) -> Iterator[IssueSnapshot]: ...

    def snapshot(self, issue_id: int, fresh: bool = True) -> IssueSnapshot: ...

    def is_reachable(self) -> bool: ...

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


@dataclass
class PassResult:
    seen: int = 0
    updated: int = 0
    reminders: int = 0
    breaches: int = 0
    reopened: int = 0
    closed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    planned: list[dict[str, Any]] = field(default_factory=list)  # dry-run only
    seconds: float = 0.0

    def as_json(self, dry_run: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "seen": self.seen,
            "updated": self.updated,
            "reminders": self.reminders,
            "breaches": self.breaches,
            "reopened": self.reopened,
            "closed": self.closed,
            "errors": self.errors,
        }
        if dry_run:
            data["counts"] = count_writes(self.planned)
            data["planned"] = self.planned
        return data


class SyncService:
    def __init__(
        self,
        settings: Settings,
        tracker: Tracker,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        faq: Sequence[Article] = (),
    ) -> None:
        self.settings = settings
        self.tracker = tracker
        # `faq`: the help centre's articles, read from `faq.file` by adapters/faq_file.py.
        self.rules = settings.rules(faq=faq)
        self.calendar = calendar or WorkCalendar.from_rules(settings.calendar_rules())
        # The answers of the pure text checks, kept across passes (the core keeps none).
        self.memo = Memo()
        self.clock = clock
        self.stop_requested = threading.Event()
        self._last_pass_start: datetime | None = None
        self._people: tuple[float, People] | None = None

    # --- reading ----------------------------------------------------------------------

    def people(self) -> People:
        """Staff, VIP clients and logins; re-read when older than PEOPLE_MAX_AGE."""
        loaded = time.monotonic()
        if self._people is None or loaded - self._people[0] > PEOPLE_MAX_AGE_SECONDS:
            staff = self.settings.staff
            people = self.tracker.load_people(
                staff.groups, self.settings.service_level.vip_groups, staff.lead
            )
            self._people = (loaded, people)
        return self._people[1]

    def view(self, issue: IssueSnapshot, people: People, now: datetime) -> SlaView:
        return evaluate(issue, self.calendar, self.rules, people, now, self.memo)

    def decide(
        self,
        issue: IssueSnapshot,
        people: People,
        now: datetime,
        max_transitions: int = MAX_TRANSITIONS,
    ) -> Decision:
        return decide(
            issue,
            self.rules,
            self.calendar,
            people,
            now,
            memo=self.memo,
            max_transitions=max_transitions,
        )

    def explain(self, issue_id: int, at: datetime | None = None) -> Decision:
        """The issue's SLA view and the writes `sync` would make, now or as of `at`.

        Read-only: a decision taken at another time than the real one is never applied;
        only `run_pass` writes, and it always takes the real clock.
        """
        return self.decide(self.tracker.snapshot(issue_id), self.people(), at or self.clock())

    def open_views(self, at: datetime | None = None) -> tuple[list[SlaView], People]:
        """Every open issue of the configured projects, evaluated now or as of `at` (for
        `queue`; read-only)."""
        people = self.people()
        now = at or self.clock()
        issues = self.tracker.iter_issues(self.settings.redmine.projects, None)
        return [self.view(issue, people, now) for issue in issues], people

    def report_views(self, since: date, until: date) -> tuple[list[SlaView], People]:
        """Every issue of the configured projects created from `since` to `until` (local
        dates, both included), of any status, evaluated now (for `report`)."""
        people = self.people()
        now = self.clock()
        issues = self.tracker.iter_issues_created(
            self.settings.redmine.projects, since, until, self.calendar.zone
        )
        return [self.view(issue, people, now) for issue in issues], people

    # --- a pass -----------------------------------------------------------------------

    def run_pass(self, issue_ids: Iterable[int] = (), dry_run: bool = False) -> PassResult:
        started = time.monotonic()
        now = self.clock()
        result = PassResult()
        people = self.people()
        closed_since = self._last_pass_start or (now - COLD_START_CLOSED_LOOKBACK)
        wanted = list(issue_ids)
        if wanted:
            issues: Iterable[IssueSnapshot] = self._read_each(wanted, result)
        else:
            issues = self.tracker.iter_issues(
                self.settings.redmine.projects,
                closed_since,
                on_error=lambda issue_id, exc: self._record_error(result, issue_id, str(exc)),
            )
        for issue in issues:
            if self.stop_requested.is_set():
                log.info("stop requested: the pass ends after issue %s", issue.id)
                break
            result.seen += 1
            try:
                self._process(issue, people, now, result, dry_run)
            except AuthError:
                raise
            except TrackerUnavailable as exc:
                if not self.tracker.is_reachable():
                    raise  # every further issue would fail the same way; the caller backs off
                self._record_error(result, issue.id, str(exc))  # this issue's trouble only
            except SlaSyncError as exc:
                self._record_error(result, issue.id, str(exc))
            except Exception as exc:  # one bad issue never stops a pass
                log.exception("issue %s: unexpected error", issue.id)
                self._record_error(result, issue.id, f"unexpected error: {exc!r}")
        if not wanted and not dry_run:
            self._last_pass_start = now
        result.seconds = round(time.monotonic() - started, 3)
        return result

    def _read_each(self, issue_ids: list[int], result: PassResult) -> Iterator[IssueSnapshot]:
        projects = self.settings.redmine.projects
        for issue_id in issue_ids:
            try:
                issue = self.tracker.snapshot(issue_id)
            except TrackerUnavailable:
                raise
            except SlaSyncError as exc:
                self._record_error(result, issue_id, str(exc))
                continue
            if projects and issue.project not in projects:
                self._record_error(
                    result, issue_id, f"project {issue.project!r} is not in redmine.projects"
                )
                continue
            yield issue

    @staticmethod
    def _record_error(result: PassResult, issue_id: int, error: str) -> None:
        prefix = f"issue {issue_id}: "
        error = error if error.startswith(prefix) else prefix + error  # the id, said once
        log.error("%s", error, extra={"issue": issue_id})
        result.errors.append({"issue": issue_id, "error": error})

    def _process(
        self, issue: IssueSnapshot, people: People, now: datetime, result: PassResult, dry: bool
    ) -> None:
        writes = 0
        decision = self.decide(issue, people, now)
        if dry:
            result.planned += decision.writes()
            for transition in decision.transitions:
                _count_transition(result, transition)
        else:
            # Status and priority changes first: they move the clocks the fields will show.
            # Each is written, the issue re-read, and the rest decided on what the tracker holds.
            taken = 0
            while decision.transitions and taken < MAX_TRANSITIONS:
                issue, done = self._apply_transition(
                    issue, decision.transitions[0], people, now, result
                )
                writes += done
                taken += 1
                decision = self.decide(issue, people, now, MAX_TRANSITIONS - taken)
            writes += self._apply_plan(decision.plan)
        plan = decision.plan
        clock_notes = [n.tag for n in plan.notes if is_clock_note(n)]
        result.reminders += sum(1 for tag in clock_notes if not is_breach(tag))
        result.breaches += sum(1 for tag in clock_notes if is_breach(tag))
        if writes or (dry and result.planned and result.planned[-1]["issue"] == issue.id):
            result.updated += 1
        if plan.unavailable:
            names = ", ".join(repr(name) for name in plan.unavailable)
            raise TrackerError(
                f"custom field {names} is not enabled for this issue (project "
                f"{issue.project!r}, tracker {issue.tracker!r}): enable it in Redmine"
            )

    def _apply_transition(
        self,
        issue: IssueSnapshot,
        transition: Transition,
        people: People,
        now: datetime,
        result: PassResult,
    ) -> tuple[IssueSnapshot, int]:
        """Apply a status/priority change; return the issue as re-read and the writes made."""
        if transition.kind == AUTO_CLOSE:
            # Never close wrongly: decide again on a fresh read just before closing.
            issue = self.tracker.snapshot(issue.id)
            again = self.decide(issue, people, now, max_transitions=1).transitions
            fresh = again[0] if again else None
            if fresh is None or fresh.kind != AUTO_CLOSE:
                log.info("issue %s: changed before the auto-close; re-planned", issue.id)
                if fresh is None:
                    return issue, 0
                transition = fresh
        issue = self._write_transition(issue.id, transition)
        _count_transition(result, transition)
        writes = 1
        if transition.kind == AUTO_CLOSE and client_replied_during_close(issue, self.rules, people):
            # A client note arrived between the re-read and the close: reopen at once.
            log.warning("issue %s: the client wrote during the auto-close; reopened", issue.id)
            issue = self._write_transition(issue.id, reopen_transition(self.rules))
            result.closed -= 1
            result.reopened += 1
            writes += 1
        return issue, writes

    def _write_transition(self, issue_id: int, transition: Transition) -> IssueSnapshot:
        """Write the change and its note in one update; return the issue as re-read.

        Redmine answers 204 and silently keeps the old status when no workflow allows the
        new one, while storing the note: so the move is checked before, and after, writing.
        """
        if transition.status:
            allowed = self.tracker.allowed_statuses(issue_id)
            if allowed is not None and transition.status not in allowed:
                raise TrackerError(
                    f"issue {issue_id}: no workflow lets the tool's user move it to status "
                    f"{transition.status!r} ({transition.kind}); nothing was written"
                )
        self.tracker.update_issue(
            issue_id,
            status=transition.status,
            priority=transition.priority,
            notes=transition.note.text,
            private_notes=transition.note.private,
        )
        log.info("issue %s: %s", issue_id, transition.kind, extra={"issue": issue_id})
        issue = self.tracker.snapshot(issue_id)
        if transition.status and issue.status != transition.status:
            raise TrackerError(
                f"issue {issue_id}: the tracker kept status {issue.status!r} instead of "
                f"{transition.status!r} ({transition.kind})"
            )
        return issue

    def _apply_plan(self, plan: Plan) -> int:
        writes = 0
        if plan.fields:
            self.tracker.update_issue(plan.issue_id, custom_fields=plan.fields)
            writes += 1
        if plan.due_date:
            # Its own write: Redmine may refuse a due date (before the start date) and must
            # not take the SLA fields down with it.
            self.tracker.update_issue(plan.issue_id, due_date=plan.due_date)
            writes += 1
        for note in plan.notes:
            self.tracker.update_issue(plan.issue_id, notes=note.text, private_notes=note.private)
            log.info("issue %s: note %s", plan.issue_id, note.tag, extra={"issue": plan.issue_id})
            writes += 1
        for user_id in plan.watchers:
            self.tracker.add_watcher(plan.issue_id, user_id)
            writes += 1
        return writes


def _count_transition(result: PassResult, transition: Transition) -> None:
    if transition.kind == AUTO_CLOSE:
        result.closed += 1
    elif transition.kind == REOPEN:
        result.reopened += 1
