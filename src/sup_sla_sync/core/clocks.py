"""The two SLA clocks, computed from an issue's timeline (SPEC.md, "Clocks").

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

    @property
    def clocks(self) -> tuple[Clock, Clock]:
        return (self.first_response, self.resolution)


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
    return SlaView(
        issue=issue,
        timeline=timeline,
        classification=classification,
        targets=targets,
        first_response=first,
        resolution=resolution,
        state=_overall(timeline, rules, first, resolution),
        now=now,
        calendar=calendar,
        policy=policy.name if policy is not None else "",
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
