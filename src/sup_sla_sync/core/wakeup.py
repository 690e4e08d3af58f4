"""When an unchanged issue's decision can next change (SPEC.md, "The daemon's passes").

`decide` depends on the issue and on `now`. While the issue does not change, its answer
changes only at a few instants of its own: a reminder fraction or a due time crossed (the
update clock's too, when it is on), an escalation offset reached, the auto-close warning
or the close itself falling due, or the start of working hours for a note that waited for
them. `wake_up` returns the earliest of those after `now`, to the whole second after it (a
breach and an escalation fall on whole minutes, since minutes decide them: SPEC "Clocks";
a reminder fraction or an auto-close counts from a time with seconds); the daemon
evaluates an unchanged issue again only when that instant has come.

Pure, and deliberately generous: an instant too early costs one evaluation, one too late
would lose a write, so when in doubt an earlier instant is returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .calendar import WorkCalendar
from .clocks import Clock, ClockName, SlaView
from .model import StatusRole
from .rules import Rules

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def wake_up(
    view: SlaView,
    rules: Rules,
    calendar: WorkCalendar,
    now: datetime,
) -> datetime | None:
    """The earliest instant after `now` at which `decide` on this unchanged issue may
    answer differently; None when only a change of the issue can change it."""
    candidates: list[datetime] = []
    # The issue's own calendar (its contract policy's, else `calendar`, as `evaluate` chose).
    calendar = view.calendar
    offsets = tuple(rules.escalation.after_breach_working_minutes)
    for clock in view.note_clocks:
        # The update clock has no escalation levels (core/decide.py).
        levels = () if clock.name is ClockName.UPDATE else offsets
        candidates += _clock_instants(clock, rules, calendar, now, levels)
    candidates += _waiting_instants(view, rules, calendar)
    later = [c for c in candidates if c > now]
    if not later:
        return None
    earliest = min(later)
    if not calendar.is_working_time(now):
        # A note found due at night waits for the morning: wake then, whatever comes next.
        earliest = min(earliest, calendar.next_working_instant(now))
    return ceil_second(earliest)


def _clock_instants(
    clock: Clock,
    rules: Rules,
    calendar: WorkCalendar,
    now: datetime,
    escalations: tuple[float, ...],
) -> list[datetime]:
    if not clock.running:
        return []
    out: list[datetime] = []
    # A running clock's used minutes grow with working time from `now` on.
    for fraction in rules.reminders:
        minutes = fraction * clock.target_minutes - clock.used_minutes
        if minutes > 0:
            out.append(calendar.add_working_minutes(now, minutes))
    if clock.due is not None:
        out.append(_floor_minute(clock.due) + MINUTE)  # breached in the next minute
        for offset in escalations:
            out.append(calendar.add_working_minutes(clock.due, offset))
    if not calendar.is_working_time(now):
        out.append(calendar.next_working_instant(now))
    return out


def _waiting_instants(view: SlaView, rules: Rules, calendar: WorkCalendar) -> list[datetime]:
    """The warning and the close of an issue waiting for the client."""
    period = view.timeline.current
    if rules.status_role(period.status) is not StatusRole.AWAITING_CLIENT:
        return []
    auto_close = rules.auto_close
    if not auto_close.enabled:
        return []
    after = auto_close.after_working_minutes
    out = [calendar.add_working_minutes(period.start, after)]
    warn = auto_close.warn_before_working_minutes
    if warn:
        out.append(calendar.add_working_minutes(period.start, after - warn))
        # A warning already sent announces its own close time, which may be later.
        for journal in view.timeline.journals:
            if journal.created_on >= period.start:
                out.append(calendar.add_working_minutes(journal.created_on, warn))
    return out


def _floor_minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def ceil_second(instant: datetime) -> datetime:
    """`instant` rounded up to a whole second: the daemon wakes within a second of it (a
    reminder fraction or a close counts from a time with seconds, a creation at 10:00:37).
    A float's hair short there, the evaluation then finds the next instant a second on:
    one more evaluation, never a lost write (SPEC.md, `run`: within a minute)."""
    floor = instant.replace(microsecond=0)
    return floor if floor == instant else floor + SECOND


def ceil_minute(instant: datetime) -> datetime:
    """`instant` rounded up to a whole minute (minutes decide)."""
    floor = _floor_minute(instant)
    return floor if floor == instant else floor + MINUTE
