"""One pass: read issues, evaluate them, apply the planned writes (the service layer).

The only I/O is through the adapter; every decision comes from the pure core.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

from sup_sla_sync.adapters.state import StateStore
from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import SlaView, evaluate
from sup_sla_sync.core.decide import (
    MAX_TRANSITIONS,
    Decision,
    client_replied_during_close,
    count_writes,
    decide,
    reopen_transition,
)
from sup_sla_sync.core.faq import Article
from sup_sla_sync.core.memo import Memo
from sup_sla_sync.core.model import IssueSnapshot, People
from sup_sla_sync.core.notekinds import counter_of
from sup_sla_sync.core.tags import AUTO_CLOSE, REOPEN
from sup_sla_sync.core.writes import Note, Plan, Transition
from sup_sla_sync.errors import (
    AuthError,
    SlaSyncError,
    TrackerError,
    TrackerUnavailable,
    UpdateRefused,
)
from sup_sla_sync.service.memory import Listing, PassMemory, fingerprint
from sup_sla_sync.service.notify import Notifier

log = logging.getLogger("sup_sla_sync.sync")

# On a cold start (no memory of the previous pass), closed issues updated this recently
# are looked at too, so an issue closed while the daemon was down still gets its final state.
COLD_START_CLOSED_LOOKBACK = timedelta(days=30)
# Group membership and logins change rarely; the daemon re-reads them this often, so that
# a pass costs only the issue listing when nothing changed.
PEOPLE_MAX_AGE_SECONDS = 15 * 60

# Told (issues done, total) as a long pass or report goes; the CLI draws it on a terminal.
Progress = Callable[[int, int], None]


class Tracker(Protocol):
    """What the pass needs from the Redmine adapter."""

    def load_people(
        self,
        staff_groups: list[str],
        vip_groups: list[str],
        lead: str,
        policy_groups: Sequence[str] = (),
    ) -> People: ...

    def iter_issues(
        self,
        projects: list[str],
        closed_since: datetime | None,
        *,
        on_error: Callable[[int, Exception], None] | None = None,
        on_listed: Callable[[int], None] | None = None,
    ) -> Iterator[IssueSnapshot]: ...

    def iter_issues_created(
        self,
        projects: list[str],
        since: date,
        until: date,
        zone: tzinfo,
        *,
        on_listed: Callable[[int], None] | None = None,
    ) -> Iterator[IssueSnapshot]: ...

    def iter_changed(
        self,
        projects: list[str],
        since: datetime,
        *,
        on_error: Callable[[int, Exception], None] | None = None,
    ) -> Iterator[IssueSnapshot]: ...

    @property
    def listing_started_at(self) -> datetime | None: ...

    def server_now(self) -> datetime: ...

    def remember(
        self, snapshots: Iterable[IssueSnapshot], settled_before: datetime | None
    ) -> None: ...

    def is_settled(self, snapshot: IssueSnapshot) -> bool: ...

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
    # Dry-run only: client-facing writes held for working hours ({"issue", "wait"}).
    waits: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    # For the daemon's metrics: issues evaluated by (sla_state, level), writes by (kind, tag).
    states: Counter[tuple[str, str]] = field(default_factory=Counter)
    writes: Counter[tuple[str, str]] = field(default_factory=Counter)
    notifications: dict[str, int] | None = None  # {"sent", "failed"} when [notify] is on

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
        if self.notifications is not None:
            data["notifications"] = self.notifications
        if dry_run:
            data["counts"] = count_writes(self.planned)
            data["planned"] = self.planned
            data["waits"] = self.waits
        return data


class SyncService:
    def __init__(
        self,
        settings: Settings,
        tracker: Tracker,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        faq: Sequence[Article] = (),
        state_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.tracker = tracker
        # `faq`: the help centre's articles, read from `faq.file` by adapters/faq_file.py.
        self.rules = settings.rules(faq=faq)
        self.calendar = calendar or WorkCalendar.from_rules(settings.calendar_rules())
        # The answers of the pure text checks, kept across passes (the core keeps none).
        self.memo = Memo()
        # Issues whose due date Redmine refused together with the fields (this run).
        self._due_date_apart: set[int] = set()
        self.clock = clock
        self.stop_requested = threading.Event()
        self._last_pass_start: datetime | None = None
        self._people: tuple[float, People] | None = None
        # `[notify]`: a bad URL fails here, naming notify.urls[N], before any pass.
        self.notifier = Notifier.from_settings(settings)
        # What the passes remember (in `state_dir`'s SQLite file too, when given): a pass
        # then lists only what changed and evaluates an unchanged issue only when it is due.
        full_scan = timedelta(minutes=settings.daemon.full_scan_minutes)
        store = (
            StateStore(state_dir, settings.redmine.api_key.get_secret_value())
            if state_dir
            else None
        )
        self.memory = PassMemory(store, full_scan)
        self._listed_in_this_run = False
        self._retry: set[int] = set()  # issues whose last evaluation failed: again next pass
        self._states: dict[int, tuple[str, str]] = {}  # each issue's last (state, level)
        self._state_tally: Counter[tuple[str, str]] = Counter()  # of _states' values
        self._disbelieved_warned: set[tuple[int, str, str]] = set()

    # --- reading ----------------------------------------------------------------------

    def people(self) -> People:
        """Staff, VIP clients and logins; re-read when older than PEOPLE_MAX_AGE."""
        loaded = time.monotonic()
        if self._people is None or loaded - self._people[0] > PEOPLE_MAX_AGE_SECONDS:
            staff = self.settings.staff
            people = self.tracker.load_people(
                staff.groups,
                self.settings.service_level.vip_groups,
                staff.lead,
                # The contract policies that match by the author's group need its members.
                [group for policy in self.settings.policies for group in policy.groups],
            )
            if staff.anonymous_is_staff:
                people = dataclasses.replace(people, anonymous_is_staff=True)
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

    def report_views(
        self, since: date, until: date, progress: Progress | None = None
    ) -> tuple[list[SlaView], People]:
        """Every issue of the configured projects created from `since` to `until` (local
        dates, both included), of any status, evaluated now (for `report`)."""
        people = self.people()
        now = self.clock()
        tally = _Tally(progress)
        listing = {"on_listed": tally.listed} if progress else {}
        issues = self.tracker.iter_issues_created(
            self.settings.redmine.projects, since, until, self.calendar.zone, **listing
        )
        views = []
        for issue in issues:
            views.append(self.view(issue, people, now))
            tally.step()
        tally.finish()  # the listing may hold a few issues outside the local dates
        return views, people

    # --- a pass -----------------------------------------------------------------------

    def run_pass(
        self,
        issue_ids: Iterable[int] = (),
        dry_run: bool = False,
        progress: Progress | None = None,
        poll: bool = True,
    ) -> PassResult:
        """One pass; `progress(done, total)` is told of each issue once the total is known
        (after the listing), for a caller that shows it.

        `poll=False` (the daemon woken by an instant, not by its interval): no listing, only
        the known issues whose wake-up instant has come, from memory; one whose decision
        writes anything is read again first, so that nothing is written on what the tracker
        held before (SPEC.md, `run`). Before the run's first listing it is a poll."""
        started = time.monotonic()
        now = self.clock()
        result = PassResult()
        self.notifier.reset()
        closed_since = self._last_pass_start or (now - COLD_START_CLOSED_LOOKBACK)
        wanted = list(issue_ids)
        tally = _Tally(progress)
        failed: set[int] = set()
        listing_kind: Listing | None = None
        from_memory = not wanted and not poll and not dry_run and self._listed_in_this_run
        # An instant's pass makes no request it does not need: people as the last poll
        # read them (a poll reads them again when old, and adopts what changed).
        people = self._people[1] if from_memory and self._people else self.people()
        if wanted:
            tally.listed(len(wanted))
            issues: Iterable[IssueSnapshot] = self._read_each(wanted, result)
        elif from_memory:
            # An issue whose evaluation failed is the next poll's (read again there), not
            # every instant's.
            due = self.memory.due(now, self._retry)
            tally.listed(len(due))
            issues = (self.memory.known[issue_id].snapshot for issue_id in due)
        else:

            def unreadable(issue_id: int, exc: Exception) -> None:
                self._record_error(result, issue_id, str(exc))
                failed.add(issue_id)
                tally.step()

            listing = {"on_listed": tally.listed} if progress else {}
            listing_kind = self._next_listing(people, dry_run)
            if listing_kind.full:
                issues = self.tracker.iter_issues(
                    self.settings.redmine.projects, closed_since, on_error=unreadable, **listing
                )
            else:
                assert listing_kind.since is not None
                issues = self._changed_and_due(listing_kind.since, now, unreadable, listing)
        listed: set[int] = set()
        completed = True
        for issue in issues:
            if self.stop_requested.is_set():
                log.info("stop requested: the pass ends after issue %s", issue.id)
                completed = False
                break
            result.seen += 1
            listed.add(issue.id)
            if (
                not dry_run
                and not wanted
                and not from_memory
                and self._unchanged_and_not_due(issue, now)
            ):
                tally.step()
                continue
            try:
                if from_memory:
                    current = self._current(issue, people, now)
                    if current is None:
                        tally.step()
                        continue
                    issue = current
                decision = self._process(issue, people, now, result, dry_run)
            except AuthError:
                raise
            except TrackerUnavailable as exc:
                if not self.tracker.is_reachable():
                    raise  # every further issue would fail the same way; the caller backs off
                self._record_error(result, issue.id, str(exc))  # this issue's trouble only
                failed.add(issue.id)
            except SlaSyncError as exc:
                self._record_error(result, issue.id, str(exc))
                failed.add(issue.id)
            except Exception as exc:  # one bad issue never stops a pass
                log.exception("issue %s: unexpected error", issue.id)
                self._record_error(result, issue.id, f"unexpected error: {exc!r}")
                failed.add(issue.id)
            else:
                if not dry_run and not wanted:
                    self.memory.remember(
                        issue, decision.wake_at, settled=self.tracker.is_settled(issue)
                    )
                    view = decision.view
                    self._set_state(issue.id, (str(view.state), str(view.classification.level)))
            tally.step()
        if from_memory:
            self._retry |= failed  # read again at the next poll
            self.memory.save()  # the new wake-up instants
        if (listing_kind is not None or from_memory) and not dry_run:
            if listing_kind is not None:
                self._end_listing(listing_kind, listed, failed, completed)
            # Issues by state and level: every known issue as last evaluated, not only the
            # few this pass looked at (kept up to date pass by pass, not counted again).
            if listing_kind is not None and listing_kind.full:
                known = self.memory.known
                self._states = {i: s for i, s in self._states.items() if i in known}
                self._state_tally = Counter(self._states.values())
            result.states = +self._state_tally
        if not wanted and not dry_run and not from_memory:
            self._last_pass_start = now  # the next full listing's closed issues start here
        result.seconds = round(time.monotonic() - started, 3)
        if self.notifier.enabled and not dry_run:
            result.notifications = self.notifier.counts.as_dict()
        return result

    def _unchanged_and_not_due(self, issue: IssueSnapshot, now: datetime) -> bool:
        """A listed issue exactly as this run last evaluated it, whose wake-up instant has
        not come: its decision cannot have changed (SPEC.md, "The daemon's passes"), so it
        is not evaluated again (a full listing of 10,000 unchanged issues then costs the
        listing, not 10,000 decisions)."""
        known = self.memory.known.get(issue.id)
        if (
            known is None
            or known.snapshot != issue
            or (known.wake_at is not None and known.wake_at <= now)
            or issue.id not in self._states
            or issue.id in self._retry
        ):
            return False
        self.memory.remember(issue, known.wake_at, settled=self.tracker.is_settled(issue))
        return True

    def _set_state(self, issue_id: int, value: tuple[str, str]) -> None:
        old = self._states.get(issue_id)
        if old != value:
            if old is not None:
                self._state_tally[old] -= 1
            self._state_tally[value] += 1
            self._states[issue_id] = value

    def next_instant(self, after: datetime) -> datetime | None:
        """The earliest wake-up instant of a known issue later than `after` (the daemon
        sleeps until then, or until its next poll if that comes first)."""
        return self.memory.earliest(after)

    # --- what changed, what is due ---------------------------------------------------

    def _current(self, issue: IssueSnapshot, people: People, now: datetime) -> IssueSnapshot | None:
        """`issue` as remembered if nothing is to be written to it now; else as the tracker
        holds it (read again: it may have changed since the last poll, or hold the tool's
        own writes of a pass since). None, and forgotten, if it left `redmine.projects`
        since the last listing: nothing is written to it."""
        if self.decide(issue, people, now).empty:
            return issue
        fresh = self.tracker.snapshot(issue.id)
        if not self._in_projects(fresh):
            return None
        return fresh

    def _in_projects(self, issue: IssueSnapshot) -> bool:
        """Whether `issue` is (still) in `redmine.projects`; if not, it is forgotten."""
        projects = self.settings.redmine.projects
        if not projects or issue.project in projects:
            return True
        log.info(
            "issue %s: moved to project %r, outside redmine.projects; left alone",
            issue.id,
            issue.project,
            extra={"issue": issue.id},
        )
        self.memory.forget(issue.id)
        self._retry.discard(issue.id)
        return False

    def _next_listing(self, people: People, dry_run: bool) -> Listing:
        """A full listing at start, for a dry run, and every `daemon.full_scan_minutes`;
        else only what changed since the previous listing (by the tracker's clock)."""
        if not self._listed_in_this_run:
            # A restarted daemon lists everything, but reads no journal of an issue whose
            # updated_on is unchanged since the saved state.
            # Settled when read, or updated well before the last listing began: either way
            # no change can still have come within the snapshot's updated_on second.
            self.tracker.remember(self.memory.settled_snapshots(), settled_before=None)
            listed_at = self.memory.state.listed_at
            if listed_at is not None:
                self.tracker.remember(self.memory.snapshots(), settled_before=listed_at)
        # Wake-up instants hold for the rules and people they were computed with.
        self.memory.adopt(fingerprint(self.rules, people))
        if dry_run or not self._listed_in_this_run:
            return Listing(full=True)
        return self.memory.next_listing(self.tracker.server_now())

    def _changed_and_due(
        self,
        since: datetime,
        now: datetime,
        unreadable: Callable[[int, Exception], None],
        listing: dict[str, Any],
    ) -> Iterator[IssueSnapshot]:
        """The issues updated since `since`, then the unchanged ones whose wake-up instant
        has come (from memory: no request), then those whose evaluation failed last time."""
        changed = list(
            self.tracker.iter_changed(self.settings.redmine.projects, since, on_error=unreadable)
        )
        seen = {issue.id for issue in changed}
        due = self.memory.due(now, seen)
        retry = sorted(self._retry - seen - set(due))
        if "on_listed" in listing:
            listing["on_listed"](len(changed) + len(due) + len(retry))
        yield from changed
        for issue_id in due:
            yield self.memory.known[issue_id].snapshot
        for issue_id in retry:
            try:
                fresh = self.tracker.snapshot(issue_id)
                if self._in_projects(fresh):
                    yield fresh
            except TrackerUnavailable:
                raise
            except SlaSyncError as exc:
                unreadable(issue_id, exc)

    def _end_listing(
        self, listing: Listing, listed: set[int], failed: set[int], completed: bool
    ) -> None:
        """Remember when this listing began, so that the next one starts there; an issue
        that failed is evaluated again next pass whether or not it changes."""
        self._retry = failed
        if not completed:
            return  # a stopped pass: the next one lists from the same point again
        started_at = self.tracker.listing_started_at
        if started_at is None:
            return
        if listing.full:
            self.memory.forget_all_but(listed | failed)
        self.memory.listed(started_at, listing.full)
        self._listed_in_this_run = True
        self.memory.save()

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
    ) -> Decision:
        writes = 0
        decision = self.decide(issue, people, now)
        if dry:
            result.planned += decision.writes()
            result.waits += [{"issue": issue.id, "wait": w} for w in decision.waits]
            for transition in decision.transitions:
                _count_transition(result, transition)
        else:
            # Status and priority changes first: they move the clocks the fields will show.
            # Each is written, the issue re-read, and the rest decided on what the tracker holds.
            if decision.before is not None:
                # Breach notes that fell due before the close that comes next: first, then
                # the rest decided on the issue as the tracker now holds it.
                writes += self._apply_plan(decision.before, result, issue)
                _count_notes(result, decision.before)
                issue = self.tracker.snapshot(issue.id)
                decision = self.decide(issue, people, now)
            taken = 0
            while decision.transitions and taken < MAX_TRANSITIONS:
                issue, done = self._apply_transition(
                    issue, decision.transitions[0], people, now, result
                )
                writes += done
                taken += 1
                decision = self.decide(issue, people, now, MAX_TRANSITIONS - taken)
            writes += self._apply_plan(decision.plan, result, issue)
        plan = decision.plan
        self._warn_disbelieved(issue.id, decision.view.classification.disbelieved)
        result.states[(str(decision.view.state), str(decision.view.classification.level))] += 1
        if dry and decision.before is not None:
            _count_notes(result, decision.before)
        _count_notes(result, plan)
        if writes or (dry and result.planned and result.planned[-1]["issue"] == issue.id):
            result.updated += 1
        if plan.unavailable:
            names = ", ".join(repr(name) for name in plan.unavailable)
            raise TrackerError(
                f"custom field {names} is not enabled for this issue (project "
                f"{issue.project!r}, tracker {issue.tracker!r}): enable it in Redmine"
            )
        return decision

    def _warn_disbelieved(self, issue_id: int, disbelieved: tuple[tuple[str, str], ...]) -> None:
        """Once a run per issue and value: a client set a field that grants service. Not
        believed (SPEC.md, principle 8); the warning tells the desk its workflow lets
        clients edit the field (Redmine's API does not show that to `check`)."""
        for name, value in disbelieved:
            if (issue_id, name, value) in self._disbelieved_warned:
                continue
            self._disbelieved_warned.add((issue_id, name, value))
            log.warning(
                "issue %s: %r = %r was set by a client: not believed; make the field "
                "read-only for client roles (setup-script --staff-only-role)",
                issue_id,
                name,
                value[:80] + ("..." if len(value) > 80 else ""),  # a client's text: bounded
                extra={"issue": issue_id},
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
        result.writes[("transition", transition.note.tag)] += 1
        _count_transition(result, transition)
        writes = 1
        if transition.kind == AUTO_CLOSE and client_replied_during_close(issue, self.rules, people):
            # A client note arrived between the re-read and the close: reopen at once.
            log.warning("issue %s: the client wrote during the auto-close; reopened", issue.id)
            issue = self._write_transition(issue.id, reopen_transition(self.rules))
            result.writes[("transition", REOPEN)] += 1
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
        self.notifier.note_written(issue, transition.note)  # the note is in, whatever the status
        if transition.status and issue.status != transition.status:
            raise TrackerError(
                f"issue {issue_id}: the tracker kept status {issue.status!r} instead of "
                f"{transition.status!r} ({transition.kind})"
            )
        return issue

    def _apply_plan(self, plan: Plan, result: PassResult, issue: IssueSnapshot) -> int:
        """Write the plan: the watchers first (so that a note whose answer is lost does not
        leave its watcher behind: the next pass sees the note's tag and plans neither),
        then the fields, the due date and the first note in one update, then any other
        note. Returns the number of write requests made."""
        writes = 0
        for user_id in plan.watchers:
            self.tracker.add_watcher(plan.issue_id, user_id)
            result.writes[("watcher", "")] += 1
            writes += 1
        notes = list(plan.notes)
        first = notes.pop(0) if notes else None
        due_date = plan.due_date
        if plan.fields or due_date or first:
            together: dict[str, Any] = {}
            if plan.fields:
                together["custom_fields"] = plan.fields
            if first is not None:
                together.update(notes=first.text, private_notes=first.private)
            if due_date and plan.issue_id not in self._due_date_apart:
                try:
                    self.tracker.update_issue(plan.issue_id, due_date=due_date, **together)
                except UpdateRefused as exc:
                    # Redmine refuses a due date before the start date, and would take the
                    # fields and the note down with it: this issue's due date goes alone.
                    log.info(
                        "issue %s: the due date is refused with the fields (%s); writing it apart",
                        plan.issue_id,
                        exc,
                    )
                    self._due_date_apart.add(plan.issue_id)
                else:
                    due_date = None
                    together = {}
                    writes += 1
                    result.writes[("due_date", "")] += 1
                    self._count_together(plan, first, result)
            if together:
                self.tracker.update_issue(plan.issue_id, **together)
                writes += 1
                self._count_together(plan, first, result)
            if first is not None:
                self._noted(issue, first)
        for note in notes:
            self.tracker.update_issue(plan.issue_id, notes=note.text, private_notes=note.private)
            result.writes[("note", note.tag)] += 1
            self._noted(issue, note)
            writes += 1
        if due_date:  # last: if Redmine refuses it again, the rest is written
            self.tracker.update_issue(plan.issue_id, due_date=due_date)
            result.writes[("due_date", "")] += 1
            writes += 1
        return writes

    @staticmethod
    def _count_together(plan: Plan, first: Note | None, result: PassResult) -> None:
        if plan.fields:
            result.writes[("fields", "")] += 1
        if first is not None:
            result.writes[("note", first.tag)] += 1

    def _noted(self, issue: IssueSnapshot, note: Note) -> None:
        log.info("issue %s: note %s", issue.id, note.tag, extra={"issue": issue.id})
        self.notifier.note_written(issue, note)


class _Tally:
    """Issues done of the total the listing announced, told to a Progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.total: int | None = None
        self.count = 0

    def listed(self, total: int) -> None:
        self.total = total
        if self.progress:
            self.progress(0, total)

    def step(self) -> None:
        self.count += 1
        if self.progress and self.total is not None:
            self.progress(self.count, max(self.count, self.total))

    def finish(self) -> None:
        if self.progress and self.total is not None and self.count != self.total:
            self.progress(self.count, self.count)


def _count_transition(result: PassResult, transition: Transition) -> None:
    """An auto-close or a reopen, in the pass's counts."""
    _count(result, transition.kind)


def _count_notes(result: PassResult, plan: Plan) -> None:
    """The reminders and breach notes of `plan`, in the pass's counts."""
    for note in plan.notes:
        _count(result, note.tag)


def _count(result: PassResult, tag: str) -> None:
    """One more in the PassResult counter of the tag's kind (core/notekinds.py), if any."""
    counter = counter_of(tag)
    if counter is not None:
        setattr(result, counter, getattr(result, counter) + 1)
