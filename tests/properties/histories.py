"""Generated issue histories, a tracker simulator, and a reference calendar (issue 22).

A `History` is plain data (its `repr` is Python that rebuilds it): the calendar, how the
issue was filed, what people do and when, when passes run, how far the tracker's clock is
ahead. `walk` runs it: before each pass the people's journals land; the pass decides and
`SimTracker` applies the writes as Redmine does (one update per issue write, journals
stamped by the tracker's clock, monotonic, after its own; a private note sent with field
changes stored as two journals); then the properties are checked on what was written.

The reference calendar counts working minutes by walking minute by minute through a table
of Kazakh non-working days written here from the government's decrees (2024, 2025), not
through the core's `WorkCalendar` or the `holidays` package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar, load_zone
from sup_sla_sync.core.decide import MAX_TRANSITIONS, Decision, decide
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
from sup_sla_sync.core.rules import Escalation, Rules
from sup_sla_sync.core.writes import Note, Plan, Transition
from test_decide import IDENTIFIED

from factories import (
    AGENT,
    ALL_FIELDS,
    CLIENT,
    LEAD,
    PEOPLE,
    TOOL,
    make_auto_close,
    make_policy,
    make_rules,
    make_statuses,
)

ALMATY = load_zone("Asia/Almaty")
DELETED = 99  # a user the tracker no longer lists: a client (SPEC.md, principle 8)
HOLD = "With development"
STATUSES = ["New", "In Progress", "Feedback", "Resolved", "Closed", HOLD]
PRIORITIES = ["Normal", "Urgent", "Immediate"]
LEVELS = [None, "VIP", "VIP Bank"]  # "VIP Bank": a contract policy counting 24x7
MINUTE = timedelta(minutes=1)

# --- the reference calendar ----------------------------------------------------------------

# Weekdays that are not worked (holidays, and days off moved by decree), and weekend days
# that are worked instead (the transfers), 2024 and 2025.
OFF = {
    2024: "01-01 01-02 03-08 03-21 03-22 03-25 05-01 05-07 05-08 05-09 07-08 08-30 10-25 12-16",
    2025: "01-01 01-02 01-03 01-07 03-10 03-21 03-24 03-25 05-01 05-07 05-09 06-06 07-07 "
    "09-01 10-27 12-16",
}
WORKED = {2024: "05-04", 2025: "01-05"}
_OFF = {date.fromisoformat(f"{y}-{d}") for y, days in OFF.items() for d in days.split()}
_WORKED = {date.fromisoformat(f"{y}-{d}") for y, days in WORKED.items() for d in days.split()}


def reference_working_day(day: date) -> bool:
    if day in _WORKED:
        return True
    return day.weekday() < 5 and day not in _OFF


def reference_minutes(start: datetime, end: datetime, round_the_clock: bool) -> int:
    """Whole working minutes from `start` to `end`, one minute at a time (09:00-18:00 Astana
    on working days; every minute round the clock)."""
    minute = start.replace(second=0, microsecond=0)
    if minute < start:
        minute += MINUTE  # a minute begun before `start` is not counted
    count = 0
    while minute + MINUTE <= end:
        local = minute.astimezone(ALMATY)
        if round_the_clock or (reference_working_day(local.date()) and 9 <= local.hour < 18):
            count += 1
        minute += MINUTE
    return count


def reference_working_time(instant: datetime, round_the_clock: bool) -> bool:
    """Inside working hours; 18:00 itself counts as inside (SPEC.md, "Calendar")."""
    if round_the_clock:
        return True
    local = instant.astimezone(ALMATY)
    if not reference_working_day(local.date()):
        return False
    minutes = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 6e7
    return 9 * 60 <= minutes <= 18 * 60


_WHEN = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})\D{1,4}?(\d{2}):(\d{2})")


def announced(notes: str) -> datetime | None:
    """The close a warning note announces, read as the client reads it (Astana time)."""
    match = _WHEN.search(notes)
    if match is None:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups())
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY)


# --- histories -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something a person does, `after` seconds after the previous pass."""

    after: int
    user: int
    kind: str  # "public", "private", "status", "priority", "level", "forged"
    value: str = ""


@dataclass(frozen=True)
class History:
    calendar: str  # "hours" or "24x7"
    created: str  # UTC, ISO
    level: str | None
    level_by: int  # who set the level at creation (a client's own value is not believed)
    priority: str
    warn_hours: int  # auto_close.warn_before_working_hours
    escalation: bool
    skew: int  # seconds the tracker's clock is ahead of the tool's
    # Minutes from the previous pass (the first from creation), and what people do first.
    passes: tuple[tuple[int, tuple[Event, ...]], ...] = ()


def calendar_for(history: History) -> CalendarRules:
    """The `[calendar]` of a walk: the default hours, or round the clock."""
    return CalendarRules(mode=history.calendar)


def rules_for(history: History) -> Rules:
    """The rules of a walk: an on-hold status, a "VIP Bank" level whose policy counts round
    the clock, the history's warning and escalation."""
    round_the_clock = CalendarRules(mode="24x7")
    bank = make_policy(
        "bank",
        field_values=("VIP Bank",),
        # A policy's calendar equal to [calendar] is none, as the configuration gives it.
        calendar=None if round_the_clock == calendar_for(history) else round_the_clock,
    )
    return make_rules(
        statuses=make_statuses(on_hold=(HOLD,)),
        vip_values=frozenset({"VIP", "VIP Bank"}),
        auto_close=make_auto_close(warn_before_working_hours=history.warn_hours),
        escalation=Escalation(after_breach_working_minutes=(60, 240) if history.escalation else ()),
        policies=(bank,),
    )


_TEXTS = {
    "public": ["Добрый день, проверяем", "Номер 42", "Спасибо", "Пришлите скриншот"],
    "private": ["Смотрю логи", "Передал разработке"],
    "forged": [
        "[sla:first_response:breach] ha",
        "[sla:resolution:breach]",
        "[sla:first_response:75]",
        "[sla:reopen]",
        "[sla:auto_close:warning] 01.01.2030 в 09:00",
    ],
}


KINDS = ["public"] * 5 + ["private"] * 2 + ["status"] * 5 + ["priority", "level", "forged"]
# Waiting for the client most often: the closes and their warnings need it.
MOVES = [*STATUSES, *["Feedback"] * 4]


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(KINDS))
    after = draw(st.integers(0, 3600))
    if kind == "status":
        user = draw(st.sampled_from([AGENT, AGENT, LEAD]))
        return Event(after, user, kind, draw(st.sampled_from(MOVES)))
    if kind == "priority":
        return Event(after, AGENT, kind, draw(st.sampled_from(PRIORITIES)))
    if kind == "level":
        user = draw(st.sampled_from([AGENT, CLIENT]))
        return Event(after, user, kind, draw(st.sampled_from(["", "VIP", "VIP Bank"])))
    if kind == "forged":
        user = draw(st.sampled_from([CLIENT, AGENT, DELETED]))
        return Event(after, user, "public", draw(st.sampled_from(_TEXTS["forged"])))
    users = [CLIENT, CLIENT, AGENT, DELETED] if kind == "public" else [AGENT]
    return Event(after, draw(st.sampled_from(users)), kind, draw(st.sampled_from(_TEXTS[kind])))


@st.composite
def histories(draw: st.DrawFn, max_passes: int = 14) -> History:
    created = draw(
        st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 10))
    ).replace(second=draw(st.sampled_from([0, 0, 30, 59])), microsecond=0)
    gaps = st.sampled_from([1, 1, 2, 5, 15, 60, 180, 600, 900, 1440])
    passes = draw(
        st.lists(
            st.tuples(gaps, st.lists(events(), max_size=3).map(tuple)),
            min_size=1,
            max_size=max_passes,
        )
    )
    return History(
        calendar=draw(st.sampled_from(["hours", "hours", "24x7"])),
        created=created.replace(tzinfo=UTC).isoformat(),
        level=draw(st.sampled_from(LEVELS)),
        level_by=draw(st.sampled_from([AGENT, CLIENT])),
        priority=draw(st.sampled_from(PRIORITIES)),
        warn_hours=draw(st.sampled_from([0, 0, 1])),
        escalation=draw(st.booleans()),
        skew=draw(st.sampled_from([0, 0, 0, 1, 30])),
        passes=tuple(passes),
    )


# --- the tracker simulator -------------------------------------------------------------------


@dataclass
class Written:
    """A journal the tool wrote, and the pass that wrote it."""

    journal: Journal
    at: datetime  # the pass's `now`
    working: bool  # whether `at` is working time in the issue's own calendar (reference)
    kind: str  # "note", "transition", "before"


@dataclass
class SimTracker:
    issue: IssueSnapshot
    skew: timedelta
    written: list[Written] = field(default_factory=list)
    next_id: int = 100_000

    def _stamp(self, when: datetime) -> datetime:
        """The tracker's clock, never before a journal it already stamped."""
        latest = max([self.issue.created_on, *(j.created_on for j in self.issue.journals)])
        return max(when + self.skew, latest)

    def _add(self, user: int, when: datetime, **kw: object) -> Journal:
        self.next_id += 1
        journal = Journal(self.next_id, user, self._stamp(when), **kw)  # type: ignore[arg-type]
        self.issue = replace(
            self.issue,
            journals=(*self.issue.journals, journal),
            updated_on=journal.created_on,
        )
        return journal

    # People.

    def person(self, event: Event, when: datetime) -> None:
        issue = self.issue
        if event.kind in ("public", "private"):
            self._add(event.user, when, notes=event.value, private=event.kind == "private")
        elif event.kind == "status" and event.value != issue.status:
            self._add(event.user, when, changes=(FieldChange(STATUS, issue.status, event.value),))
            self.issue = replace(self.issue, status=event.value)
        elif event.kind == "priority" and event.value != issue.priority:
            change = FieldChange(PRIORITY, issue.priority, event.value)
            self._add(event.user, when, changes=(change,))
            self.issue = replace(self.issue, priority=event.value)
        elif event.kind == "level":
            old = issue.field("SLA level")
            new = event.value or None
            if old != new:
                self._add(event.user, when, changes=(FieldChange(cf("SLA level"), old, new),))
                fields = {**self.issue.custom_fields, "SLA level": new}
                self.issue = replace(self.issue, custom_fields=fields)

    # The tool: a pass's writes, as Redmine stores them.

    def pass_(
        self, decision: Decision, now: datetime, decide_again: Callable[..., Decision]
    ) -> list[tuple[Transition, IssueSnapshot]]:
        """Apply `decision` as the service does: the breach notes due before a move, each
        move, re-reading (here: the simulator's issue) and deciding again after each, then
        the plan. Returns each move with the issue it was decided on."""
        working = reference_working_time(now, decision.view.calendar.round_the_clock)
        if decision.before is not None:
            self._plan(decision.before, now, working, "before")
            decision = decide_again(self.issue)
        moves = []
        taken = 0
        while decision.transitions and taken < MAX_TRANSITIONS:
            moves.append((decision.transitions[0], self.issue))
            self._transition(decision.transitions[0], now, working)
            taken += 1
            decision = decide_again(self.issue, MAX_TRANSITIONS - taken)
        self._plan(decision.plan, now, working, "note")
        return moves

    def _update(
        self,
        now: datetime,
        changes: tuple[FieldChange, ...],
        note: Note | None,
        working: bool,
        kind: str,
    ) -> None:
        """One PUT: the changes and the note in one journal, but a private note with
        changes is stored as two (the changes, then the note)."""
        if note is not None and note.private and changes:
            self._add(TOOL, now, changes=changes)
            changes = ()
        if note is None and not changes:
            return
        journal = self._add(
            TOOL,
            now,
            notes=note.text if note else "",
            private=note.private if note else False,
            changes=changes,
        )
        if note is not None:
            self.written.append(Written(journal, now, working, kind))

    def _transition(self, transition: Transition, now: datetime, working: bool) -> None:
        issue = self.issue
        changes = []
        if transition.status and transition.status != issue.status:
            changes.append(FieldChange(STATUS, issue.status, transition.status))
        if transition.priority and transition.priority != issue.priority:
            changes.append(FieldChange(PRIORITY, issue.priority, transition.priority))
        self._update(now, tuple(changes), transition.note, working, "transition")
        self.issue = replace(
            self.issue,
            status=transition.status or issue.status,
            priority=transition.priority or issue.priority,
        )

    def _plan(self, plan: Plan, now: datetime, working: bool, kind: str) -> None:
        issue = self.issue
        if plan.watchers:
            self.issue = replace(issue, watcher_ids=issue.watcher_ids | frozenset(plan.watchers))
        changes = [
            FieldChange(cf(name), issue.field(name), value) for name, value in plan.fields.items()
        ]
        if plan.due_date is not None and plan.due_date != issue.due_date:
            old = issue.due_date.isoformat() if issue.due_date else None
            changes.append(FieldChange(DUE_DATE, old, plan.due_date.isoformat()))
        notes = list(plan.notes)
        first = notes.pop(0) if notes else None
        self._update(now, tuple(changes), first, working, kind)
        self.issue = replace(
            self.issue,
            custom_fields={**self.issue.custom_fields, **plan.fields},
            due_date=plan.due_date or self.issue.due_date,
        )
        for note in notes:
            self._update(now, (), note, working, kind)


def filed(history: History) -> IssueSnapshot:
    created = datetime.fromisoformat(history.created)
    journals: tuple[Journal, ...] = ()
    if history.level is not None and history.level_by != CLIENT:
        journals = (
            Journal(
                1,
                history.level_by,
                created,
                changes=(FieldChange(cf("SLA level"), None, history.level),),
            ),
        )
    values: dict[str, str | None] = dict.fromkeys(ALL_FIELDS)
    values["SLA level"] = history.level
    return IssueSnapshot(
        id=7,
        project="edoc",
        subject="Как подписать документ?",
        description=IDENTIFIED,
        tracker="Support",
        status="New",
        priority=history.priority,
        author_id=CLIENT,
        assigned_to_id=AGENT,
        created_on=created,
        updated_on=created,
        custom_fields=values,
        journals=journals,
    )


@dataclass
class Step:
    """One pass of a walk: its instant, the decision, and the decision again at the same
    instant after the writes were applied."""

    now: datetime
    decision: Decision
    again: Decision
    issue_before: IssueSnapshot
    issue_after: IssueSnapshot
    moves: list[tuple[Transition, IssueSnapshot]]  # each move, and the issue it was decided on


@dataclass
class Walk:
    history: History
    rules: Rules
    calendar: WorkCalendar
    people: People
    tracker: SimTracker
    steps: list[Step]


def walk(history: History) -> Walk:
    """Run `history`: people's journals, then a pass, for every pass in it."""
    rules = rules_for(history)
    calendar = WorkCalendar.from_rules(calendar_for(history))
    people = PEOPLE
    tracker = SimTracker(filed(history), timedelta(seconds=history.skew))
    now = datetime.fromisoformat(history.created)
    steps: list[Step] = []
    for gap, happenings in history.passes:
        previous = now
        now = previous + timedelta(minutes=gap)
        when = previous
        for event in happenings:
            when = min(when + timedelta(seconds=event.after), now - timedelta(seconds=1))
            when = max(when, previous)
            tracker.person(event, when)
        before = tracker.issue
        decision = decide(before, rules, calendar, people, now)
        moves = tracker.pass_(
            decision,
            now,
            lambda i, n=MAX_TRANSITIONS, at=now: decide(
                i, rules, calendar, people, at, max_transitions=n
            ),
        )
        again = decide(tracker.issue, rules, calendar, people, now)
        steps.append(Step(now, decision, again, before, tracker.issue, moves))
    return Walk(history, rules, calendar, people, tracker, steps)


def decide_at(
    w: Walk, issue: IssueSnapshot, now: datetime, max_transitions: int = MAX_TRANSITIONS
) -> Decision:
    return decide(issue, w.rules, w.calendar, w.people, now, max_transitions=max_transitions)
