"""One pass: read issues, evaluate them, apply the planned writes (the service layer).

The only I/O is through the ports (`ports.tracker.Tracker`, `ports.notifications`) and
the pass memory's file; every decision comes from the pure core.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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
from sup_sla_sync.core.tags import AUTO_CLOSE
from sup_sla_sync.core.writes import Note, Plan, Transition
from sup_sla_sync.errors import AuthError, SlaSyncError, TrackerError, TrackerUnavailable
from sup_sla_sync.ports.notifications import NoNotifications, Notifications
from sup_sla_sync.ports.tracker import Tracker
from sup_sla_sync.service.memory import Listing, PassMemory, fingerprint

log = logging.getLogger("sup_sla_sync.sync")

# On a cold start (no memory of the previous pass), closed issues updated this recently
# are looked at too, so an issue closed while the daemon was down still gets its final state.
COLD_START_CLOSED_LOOKBACK = timedelta(days=30)
# Group membership and logins change rarely; the daemon re-reads them this often, so that
# a pass costs only the issue listing when nothing changed.
PEOPLE_MAX_AGE_SECONDS = 15 * 60

# Told (issues done, total) as a long pass or report goes; the CLI draws it on a terminal.
Progress = Callable[[int, int], None]


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
        notifications: Notifications | None = None,
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
        # `[notify]`: the notifications adapter the caller built (adapters/notify.py).
        self.notifier: Notifications = notifications or NoNotifications()
        # What the passes remember (in `state_dir`'s SQLite file too, when given): a pass
        # then lists only what changed and evaluates an unchanged issue only when it is due.
        full_scan = timedelta(minutes=settings.daemon.full_scan_minutes)
        store = StateStore(state_dir, tracker.state_key) if state_dir else None
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
        return self.decide(self.tracker.read_issue(issue_id), self.people(), at or self.clock())

    def open_views(self, at: datetime | None = None) -> tuple[list[SlaView], People]:
        """Every open issue of the configured projects, evaluated now or as of `at` (for
        `queue`; read-only)."""
        people = self.people()
        now = at or self.clock()
        issues = self.tracker.list_issues(None)
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
        issues = self.tracker.list_created(since, until, self.calendar.zone, **listing)
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
                issues = self.tracker.list_issues(closed_since, on_error=unreadable, **listing)
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
            result.notifications = self.notifier.counts()
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
        own writes of a pass since). None, and forgotten, if it left the configured projects
        since the last listing: nothing is written to it."""
        if self.decide(issue, people, now).empty:
            return issue
        fresh = self.tracker.read_issue(issue.id)
        if not self._in_projects(fresh):
            return None
        return fresh

    def _in_projects(self, issue: IssueSnapshot) -> bool:
        """Whether `issue` is (still) in the configured projects; if not, it is forgotten."""
        if self.tracker.in_scope(issue):
            return True
        log.info(
            "issue %s: moved to project %r, outside %s; left alone",
            issue.id,
            issue.project,
            self.tracker.scope_setting,
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
        changed = list(self.tracker.list_changed(since, on_error=unreadable))
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
                fresh = self.tracker.read_issue(issue_id)
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
        for issue_id in issue_ids:
            try:
                issue = self.tracker.read_issue(issue_id)
            except TrackerUnavailable:
                raise
            except SlaSyncError as exc:
                self._record_error(result, issue_id, str(exc))
                continue
            if not self.tracker.in_scope(issue):
                scope = self.tracker.scope_setting
                self._record_error(result, issue_id, f"project {issue.project!r} is not in {scope}")
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
        """Read, decide, apply: one issue's pass, as a plain loop.

        The issue comes as listed (or read) and is decided; the decision is applied in its
        order: the breach notes due before a move (`before`), then each move
        (`transitions`: a reopen, a raised priority, an auto-close, ...), each followed by
        a decision on the issue the move returned (`Tracker.move` reads it again: the next
        move, or the plan), then the plan (fields, due date, notes, watchers). Two steps
        of the apply look at the tracker again:

        - *the re-read before a close*: an auto-close is never written on an old read:
          the issue is read and decided again just before it (a client who answered
          meanwhile gets a reopen, or nothing, instead);
        - *the client slipped in*: a client note that landed between that re-read and
          the close (seen on the issue the close returned) reopens the issue at once.

        Decide calls and reads per issue, by what the pass writes, for an issue from a
        listing (the dry run: always 1 decide, 0 reads):

        ========================================  =======  =======================
        writes                                    decides  reads beyond the listing
        ========================================  =======  =======================
        nothing, or a plan only                   1        0
        N moves, none a close (+ plan)            1 + N    N (each move's re-read)
        an auto-close (+ plan)                    3        2 (before it; its own)
        an auto-close the client slipped in       3        3 (+ the reopen's)
        a close the re-read turns into nothing    3        1 (before it)
        ========================================  =======  =======================

        Breach notes due before a move (`before`) add no decide and no read (the decision
        took them into account; the move's re-read holds them). An issue taken from the
        pass memory at its instant (`_current`) is decided once more, and read, before
        this when something is to be written.
        (tests/test_sync.py::test_decides_and_reads_per_kind_of_write holds this table.)
        """
        decision = self.decide(issue, people, now)
        writes = 0
        if dry:
            result.planned += decision.writes()
            result.waits += [{"issue": issue.id, "wait": w} for w in decision.waits]
            for foreseen in decision.transitions:
                _count_transition(result, foreseen)
            if decision.before is not None:
                _count_notes(result, decision.before)
            _count_notes(result, decision.plan)
        else:
            if decision.before is not None:
                # Breach notes that fell due before the close that comes next: first.
                writes += self._write(decision.before, issue, result)
                _count_notes(result, decision.before)
            taken = 0
            while decision.transitions and taken < MAX_TRANSITIONS:
                transition: Transition | None = decision.transitions[0]
                if transition is not None and transition.kind == AUTO_CLOSE:
                    issue, transition = self._before_close(issue, people, now)
                if transition is not None:
                    issue = self._move(issue, transition, result)
                    writes += 1
                    if transition.kind == AUTO_CLOSE and client_replied_during_close(
                        issue, self.rules, people
                    ):
                        # A client note arrived between the re-read and the close: reopen.
                        log.warning(
                            "issue %s: the client wrote during the auto-close; reopened",
                            issue.id,
                        )
                        issue = self._move(issue, reopen_transition(self.rules), result)
                        result.closed -= 1
                        writes += 1
                taken += 1
                # On the issue as the tracker now holds it: the next move, or the plan.
                decision = self.decide(issue, people, now, MAX_TRANSITIONS - taken)
            writes += self._write(decision.plan, issue, result)
            _count_notes(result, decision.plan)
        plan = decision.plan
        self._warn_disbelieved(issue.id, decision.view.classification.disbelieved)
        result.states[(str(decision.view.state), str(decision.view.classification.level))] += 1
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
        clients edit the field (the tracker's API may not show that to `check`)."""
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

    def _before_close(
        self, issue: IssueSnapshot, people: People, now: datetime
    ) -> tuple[IssueSnapshot, Transition | None]:
        """Never close wrongly: the issue read and decided again just before closing; the
        move to make instead (None: none)."""
        issue = self.tracker.read_issue(issue.id)
        again = self.decide(issue, people, now, max_transitions=1).transitions
        fresh = again[0] if again else None
        if fresh is None or fresh.kind != AUTO_CLOSE:
            log.info("issue %s: changed before the auto-close; re-planned", issue.id)
        return issue, fresh

    def _move(
        self, issue: IssueSnapshot, transition: Transition, result: PassResult
    ) -> IssueSnapshot:
        """Make the move (the tracker checks and verifies it); the issue as it now is."""

        def written(kind: str, note: Note | None) -> None:
            result.writes[(kind, note.tag if note is not None else "")] += 1
            if note is not None:  # the note is in, whatever the status
                self.notifier.note_written(issue, note)

        moved = self.tracker.move(issue.id, transition, written)
        _count_transition(result, transition)  # made: the tracker holds the new status
        return moved

    def _write(self, plan: Plan, issue: IssueSnapshot, result: PassResult) -> int:
        """Write the plan (the tracker groups it); each confirmed write counted and told."""

        def written(kind: str, note: Note | None) -> None:
            result.writes[(kind, note.tag if note is not None else "")] += 1
            if note is not None:
                log.info("issue %s: note %s", issue.id, note.tag, extra={"issue": issue.id})
                self.notifier.note_written(issue, note)

        return self.tracker.write(plan, written)


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
