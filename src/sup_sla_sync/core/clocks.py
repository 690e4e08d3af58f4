"""The SLA clocks, computed from an issue's timeline (SPEC.md, "Clocks").

The regulation's two (first response, resolution) make the SLA state; the optional update
clock (`[targets.update]`: the next public staff note while in work) has reminders and
breach notes of its own but never changes the SLA state (SPEC.md, "Update").

Pure: a snapshot, the calendar, the policy, who is staff, and `now` in; values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .calendar import WorkCalendar
from .memo import MemoFn, no_memo
from .model import IssueSnapshot, People, SlaState, StatusRole
from .policy import Classification, classify, policy_of, targets_for
from .rules import STOP_ROLES, Rules, Targets
from .timeline import Timeline, build_timeline

_STOP_ROLES = STOP_ROLES
RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
# Paused too, but waiting on a third party or development (not the client): kept apart so
# that `explain` shows it apart; the clock treats it exactly as PAUSED.
ON_HOLD = "on_hold"
_PAUSED_KINDS = (PAUSED, ON_HOLD)


class ClockName(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    UPDATE = "update"  # the next public staff note while in work (`[targets.update]`)


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime | None  # None: still so now
    kind: str  # RUNNING, PAUSED, ON_HOLD or STOPPED


@dataclass(frozen=True)
class Clock:
    name: ClockName
    target_minutes: int
    due: datetime | None  # None only while the resolution clock is paused
    used_minutes: float
    running: bool  # counting now
    paused: bool
    stopped_at: datetime | None  # met, or resolved/closed
    breached: bool
    intervals: tuple[Interval, ...]
    reminders_crossed: tuple[float, ...]  # configured fractions reached (active clocks)
    # When the target is (or was) reached, paused or not: what a breach note names.
    target_due: datetime | None = None
    # The update clock: the journal index of the public staff note its interval started
    # at (None: not started, before the first response). Its notes count after it only,
    # so that each interval gets its own reminder and breach note.
    since_journal: int | None = None

    @property
    def minutes_left(self) -> float:
        return self.target_minutes - self.used_minutes

    @property
    def state(self) -> SlaState:
        if self.breached:
            return SlaState.BREACHED
        if self.stopped_at is not None:
            return SlaState.MET
        if self.paused:
            return SlaState.PAUSED
        if self.reminders_crossed:
            return SlaState.AT_RISK
        return SlaState.ON_TRACK


@dataclass(frozen=True)
class UpdateInterval:
    """One interval of the update clock: from a public staff note to the next one (SPEC.md,
    "Update"). Only the time the resolution clock runs counts; a pause keeps what was used,
    as it does for the resolution clock."""

    start_journal: int  # the index in the timeline's journals of the note that opened it
    start: datetime
    end: datetime | None  # the next public staff note; None: still open
    used_minutes: float
    # Where the target is (or was) reached, the pauses taken into account; None: the
    # resolution clock has not run in it yet.
    due: datetime | None
    breached: bool  # the next note came in a later minute than `due`, or has not come

    @property
    def decided(self) -> bool:
        """Answered (on time or late), or late: what `report` counts."""
        return self.breached or self.end is not None

    @property
    def on_time(self) -> bool:
        return self.end is not None and not self.breached


@dataclass(frozen=True)
class SlaView:
    """Everything `sync`, `explain`, `queue` and `report` need to know about one issue."""

    issue: IssueSnapshot
    timeline: Timeline
    classification: Classification
    targets: Targets
    first_response: Clock
    resolution: Clock
    state: SlaState
    now: datetime
    calendar: WorkCalendar  # the issue's own: its policy's, or `[calendar]`
    policy: str = ""  # the matching contract policy's name; "" = the default targets
    update: Clock | None = None  # None: `[targets.update]` is off for this issue
    update_intervals: tuple[UpdateInterval, ...] = ()  # every interval, oldest first

    @property
    def clocks(self) -> tuple[Clock, Clock]:
        """The regulation's clocks: what the SLA state and the breached issues are made of."""
        return (self.first_response, self.resolution)

    @property
    def note_clocks(self) -> tuple[Clock, ...]:
        """Every clock with reminders and breach notes: the regulation's, and the update
        clock when it is on."""
        return self.clocks if self.update is None else (*self.clocks, self.update)


def evaluate(
    issue: IssueSnapshot,
    calendar: WorkCalendar,
    rules: Rules,
    people: People,
    now: datetime,
    memo: MemoFn = no_memo,
) -> SlaView:
    """Compute both clocks and the overall state of `issue` at `now`.

    `calendar` is `[calendar]`'s; an issue under a contract policy with its own hours is
    evaluated in those. Everything is computed from creation, so a change of policy (like
    one of priority) moves the targets and keeps the elapsed and paused time.
    """
    classification = classify(issue, rules, people, memo)
    policy = policy_of(issue, rules, people, classification.level_value)
    calendar = rules.calendar_of(policy, calendar)
    timeline = build_timeline(issue, people.tool_user_id)
    # Breached is sticky: an announced breach stays, even if a later priority change
    # moves the due time past `now`.
    tags = timeline.tags()
    breach_noted = {n for n in ClockName if f"{n.value}:breach" in tags}
    targets = targets_for(rules, classification, policy)
    reminders = rules.reminders
    first = _first_response(
        timeline,
        calendar,
        rules,
        people,
        now,
        targets.first_response,
        reminders,
        ClockName.FIRST_RESPONSE in breach_noted,
    )
    resolution = _resolution(
        timeline,
        calendar,
        rules,
        now,
        targets.resolution,
        reminders,
        ClockName.RESOLUTION in breach_noted,
    )
    update, update_intervals = _update(
        timeline, calendar, people, now, targets.update, reminders, resolution
    )
    return SlaView(
        issue=issue,
        timeline=timeline,
        classification=classification,
        targets=targets,
        first_response=first,
        resolution=resolution,
        # The update clock is not the regulation's: it never changes the SLA state.
        state=_overall(timeline, rules, first, resolution),
        now=now,
        calendar=calendar,
        policy=policy.name if policy is not None else "",
        update=update,
        update_intervals=update_intervals,
    )


def _first_response(
    timeline: Timeline,
    calendar: WorkCalendar,
    rules: Rules,
    people: People,
    now: datetime,
    target: int,
    reminders: tuple[float, ...],
    breach_noted: bool,
) -> Clock:
    issue = timeline.issue
    due = calendar.add_working_minutes(issue.created_on, target)
    reply = timeline.first_staff_public_note(people)
    stopped_at = reply.created_on if reply else None
    if stopped_at is None:
        # Resolving or closing the issue answers it too; the clock cannot run forever.
        for period in timeline.periods:
            if rules.status_role(period.status) in _STOP_ROLES:
                stopped_at = period.start
                break
    end = stopped_at if stopped_at is not None else now
    used = calendar.working_minutes(issue.created_on, end)
    breached = breach_noted or _late(stopped_at or now, due, calendar)
    running = stopped_at is None
    return Clock(
        name=ClockName.FIRST_RESPONSE,
        target_minutes=target,
        due=due,
        used_minutes=used,
        running=running,
        paused=False,
        stopped_at=stopped_at,
        breached=breached,
        intervals=(Interval(issue.created_on, stopped_at, RUNNING),),
        reminders_crossed=_crossed(reminders, used, target) if running else (),
        target_due=due,
    )


def _resolution(
    timeline: Timeline,
    calendar: WorkCalendar,
    rules: Rules,
    now: datetime,
    target: int,
    reminders: tuple[float, ...],
    breach_noted: bool,
) -> Clock:
    intervals: list[Interval] = []
    for period in timeline.periods:
        kind = _kind(rules.status_role(period.status))
        if intervals and intervals[-1].kind == kind:
            intervals[-1] = Interval(intervals[-1].start, period.end, kind)
        else:
            intervals.append(Interval(period.start, period.end, kind))

    used = 0.0
    due: datetime | None = None
    last_run: datetime | None = None  # the last instant the clock ran
    for interval in intervals:
        if interval.kind != RUNNING:
            continue
        end = interval.end if interval.end is not None else now
        if used < target:
            # Not reached before this interval: project it from here. Once reached, the
            # due time stays where the target was crossed.
            due = calendar.add_working_minutes(interval.start, target - used)
        used += calendar.working_minutes(interval.start, end)
        last_run = end

    # Before the target is reached the clock last ran before `due`, so this is false.
    late = due is not None and last_run is not None and _late(last_run, due, calendar)
    kind = intervals[-1].kind
    paused = kind in _PAUSED_KINDS
    return Clock(
        name=ClockName.RESOLUTION,
        target_minutes=target,
        due=None if paused else due,
        used_minutes=used,
        running=kind == RUNNING,
        paused=paused,
        stopped_at=intervals[-1].start if kind == STOPPED else None,
        breached=breach_noted or late,
        intervals=tuple(intervals),
        reminders_crossed=_crossed(reminders, used, target) if kind == RUNNING else (),
        target_due=due,
    )


def _update(
    timeline: Timeline,
    calendar: WorkCalendar,
    people: People,
    now: datetime,
    target: int | None,
    reminders: tuple[float, ...],
    resolution: Clock,
) -> tuple[Clock | None, tuple[UpdateInterval, ...]]:
    """The update clock now, and every interval of it (SPEC.md, "Update").

    An interval runs from a public staff note (the first response is the first) to the
    next, only while the resolution clock runs: paused while awaiting the client or on
    hold (keeping the time used, as the resolution clock does), stopped when resolved or
    closed. Before the first response there is none: the first response covers that time.
    """
    if target is None:
        return None, ()
    starts = timeline.staff_public_notes(people)
    journals = timeline.journals
    intervals: list[UpdateInterval] = []
    segments: tuple[Interval, ...] = ()
    for n, index in enumerate(starts):
        following = starts[n + 1] if n + 1 < len(starts) else None
        end = journals[following].created_on if following is not None else None
        # The tool's own notes inside this interval: an earlier interval's breach note
        # does not stand for this one's.
        tags = {t for j in journals[index + 1 : following] if (t := timeline.tag_of(j))}
        interval, segments = _update_interval(
            index,
            journals[index].created_on,
            end,
            resolution.intervals,
            target,
            calendar,
            now,
            f"{ClockName.UPDATE.value}:breach" in tags,
        )
        intervals.append(interval)
    if not intervals:
        # Not started: the first-response clock covers the time before the first answer.
        return Clock(ClockName.UPDATE, target, None, 0.0, False, False, None, False, (), ()), ()
    current = intervals[-1]
    kind = resolution.intervals[-1].kind
    running = kind == RUNNING
    paused = kind in _PAUSED_KINDS
    clock = Clock(
        name=ClockName.UPDATE,
        target_minutes=target,
        due=None if paused else current.due,
        used_minutes=current.used_minutes,
        running=running,
        paused=paused,
        stopped_at=resolution.stopped_at if kind == STOPPED else None,
        breached=current.breached,
        intervals=segments,
        reminders_crossed=_crossed(reminders, current.used_minutes, target) if running else (),
        target_due=current.due,
        since_journal=current.start_journal,
    )
    return clock, tuple(intervals)


def _update_interval(
    index: int,
    start: datetime,
    end: datetime | None,
    resolution: tuple[Interval, ...],
    target: int,
    calendar: WorkCalendar,
    now: datetime,
    breach_noted: bool,
) -> tuple[UpdateInterval, tuple[Interval, ...]]:
    """One interval from `start` to `end` (None: open, up to `now`): the resolution clock's
    intervals cut to it, and the time it ran in them, as `_resolution` counts it."""
    stop = end if end is not None else now
    used = 0.0
    due: datetime | None = None
    last_run: datetime | None = None
    segments: list[Interval] = []
    for interval in resolution:
        first = max(interval.start, start)
        last = min(interval.end if interval.end is not None else now, stop)
        if last < first:
            continue
        still = end is None and interval.end is None
        if last > first or still:
            segments.append(Interval(first, None if still else last, interval.kind))
        if interval.kind != RUNNING:
            continue
        if used < target:
            due = calendar.add_working_minutes(first, target - used)
        used += calendar.working_minutes(first, last)
        last_run = last
    late = due is not None and last_run is not None and _late(last_run, due, calendar)
    update = UpdateInterval(index, start, end, used, due, breach_noted or late)
    return update, tuple(segments)


def _kind(role: StatusRole | None) -> str:
    # An unknown status runs the clock: never hide a breach behind a missing mapping.
    if role is StatusRole.AWAITING_CLIENT:
        return PAUSED
    if role is StatusRole.ON_HOLD:
        return ON_HOLD
    if role in _STOP_ROLES:
        return STOPPED
    return RUNNING


def _late(instant: datetime, due: datetime, calendar: WorkCalendar) -> bool:
    """Whether `instant` is in a later minute than the one `due` is shown as: minutes are
    what people see, so a stop at 12:00:59 against a due time of 12:00 is in time."""
    return _minute(instant, calendar) > _minute(due, calendar)


def _minute(instant: datetime, calendar: WorkCalendar) -> datetime:
    return calendar.local(instant).replace(second=0, microsecond=0)


def _crossed(fractions: tuple[float, ...], used: float, target: int) -> tuple[float, ...]:
    return tuple(f for f in fractions if used >= f * target)


def _overall(timeline: Timeline, rules: Rules, first: Clock, resolution: Clock) -> SlaState:
    roles = [rules.status_role(p.status) for p in timeline.periods]
    if all(role in _STOP_ROLES for role in roles):
        return SlaState.NOT_APPLICABLE  # created resolved or closed: no clock ever ran
    if first.breached or resolution.breached:
        return SlaState.BREACHED
    if resolution.stopped_at is not None:
        return SlaState.MET
    if resolution.paused:
        return SlaState.PAUSED
    if first.reminders_crossed or resolution.reminders_crossed:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK
