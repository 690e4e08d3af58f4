"""What `explain` shows: one issue's SLA timeline, as lines or as JSON (SPEC.md, "CLI")."""

from __future__ import annotations

from typing import Any

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import Clock, SlaView
from sup_sla_sync.inert import inert


def local_time(calendar: WorkCalendar, instant: Any) -> str | None:
    return calendar.format(instant) if instant is not None else None


def describe_calendar(calendar: WorkCalendar) -> str:
    """`24x7, Asia/Almaty` or `09:00-18:00 working days, Asia/Almaty`: the hours an issue's
    clocks count."""
    zone = calendar.zone.key
    if calendar.round_the_clock:
        return f"24x7, {zone}"
    hours = f"{calendar.work_start:%H:%M}-{calendar.work_end:%H:%M}"
    return f"{hours} working days, {zone}"


def explain_json(view: SlaView, planned: list[dict[str, Any]]) -> dict:
    """The JSON of `explain`; times in the issue's own calendar (its policy's)."""
    first, resolution = view.first_response, view.resolution
    calendar = view.calendar
    c = view.classification
    return {
        "issue": view.issue.id,
        "subject": view.issue.subject,
        "status": view.issue.status,
        "policy": view.policy or None,
        "calendar": describe_calendar(calendar),
        "level": c.level.value,
        "channel": c.channel.value,
        "priority": c.priority.value,
        "category": c.category.value,
        "category_source": c.category_source,
        "not_believed": [{"field": name, "value": value} for name, value in c.disbelieved],
        "sla_state": view.state.value,
        "first_response": {
            "target_minutes": first.target_minutes,
            "due": local_time(calendar, first.due),
            "met_at": local_time(calendar, first.stopped_at),
            "used_minutes": int(first.used_minutes),
            "state": first.state.value,
        },
        "resolution": {
            "target_minutes": resolution.target_minutes,
            "due": local_time(calendar, resolution.due),
            "used_minutes": int(resolution.used_minutes),
            "paused": resolution.paused,
            "state": resolution.state.value,
            "intervals": [
                {
                    "kind": i.kind,
                    "start": local_time(calendar, i.start),
                    "end": local_time(calendar, i.end),
                    "working_minutes": int(calendar.working_minutes(i.start, i.end or view.now)),
                }
                for i in resolution.intervals
            ],
        },
        "update": _update_json(view),
        "planned": planned,
    }


def _update_json(view: SlaView) -> dict[str, Any] | None:
    """The update clock (`[targets.update]`; None: off): its current interval."""
    clock, calendar = view.update, view.calendar
    if clock is None:
        return None
    started = clock.since_journal is not None
    return {
        "target_minutes": clock.target_minutes,
        "since": local_time(calendar, _since(view, clock)) if started else None,
        "due": local_time(calendar, clock.due),
        "used_minutes": int(clock.used_minutes),
        "paused": clock.paused,
        "state": _update_state(clock),
        "intervals": len(view.update_intervals),
    }


def _since(view: SlaView, clock: Clock) -> Any:
    return view.timeline.journals[clock.since_journal or 0].created_on


def _update_state(clock: Clock) -> str:
    """The clock's state, and two of its own: not started (before the first response,
    which covers that time) and stopped (with the resolution clock)."""
    if clock.since_journal is None:
        return "not_started"
    if clock.stopped_at is not None and not clock.breached:
        return "stopped"
    return clock.state.value


def explain_lines(view: SlaView, planned: list[dict[str, Any]]) -> list[str]:
    c = view.classification
    calendar = view.calendar
    policy = f"contract policy {view.policy!r}" if view.policy else "the default targets"
    lines = [
        f"#{view.issue.id} {inert(view.issue.subject)}",
        f"  status {inert(view.issue.status)!r}; level {c.level.value}, channel {c.channel.value}, "
        f"priority {c.priority.value} ({view.issue.priority}), category {c.category.value} "
        f"(from {c.category_source})",
        f"  policy: {policy}; hours {describe_calendar(calendar)}",
        *(
            f"  not believed: {name} = {value!r}, set by the client, not by staff (SECURITY.md)"
            for name, value in c.disbelieved
        ),
        f"  SLA state: {view.state.value}",
        _clock_line("first response", view.first_response, calendar),
        _clock_line("resolution", view.resolution, calendar),
        *_update_lines(view),
    ]
    for interval in view.resolution.intervals:
        end = local_time(calendar, interval.end) or "now"
        minutes = int(calendar.working_minutes(interval.start, interval.end or view.now))
        start = local_time(calendar, interval.start)
        lines.append(f"    {interval.kind:<8} {start} -> {end} ({minutes} min)")
    if not calendar.is_working_time(view.now):
        opens = local_time(calendar, calendar.next_working_instant(view.now))
        lines.append(f"  outside working time: reminders and breach notes wait until {opens}")
    if planned:
        lines.append("  the next pass would write:")
        for write in planned:
            what = write["write"]
            if what == "fields":
                detail = ", ".join(f"{k}={v!r}" for k, v in write["fields"].items())
                if write.get("due_date"):
                    detail += f", due date {write['due_date']}"
            elif what == "watcher":
                detail = f"user {write['user_id']}"
            else:
                detail = inert(write["note"].splitlines()[0])
            lines.append(f"    {what}: {detail}")
    else:
        lines.append("  the next pass would write nothing")
    return lines


def _clock_line(label: str, clock: Clock, calendar: WorkCalendar) -> str:
    due = local_time(calendar, clock.due) or f"paused, {max(0, int(clock.minutes_left))} min left"
    used = f"{int(clock.used_minutes)} of {clock.target_minutes} working min used"
    stopped = f", stopped {local_time(calendar, clock.stopped_at)}" if clock.stopped_at else ""
    return f"  {label}: due {due}; {used}{stopped}; {clock.state.value}"


def _update_lines(view: SlaView) -> list[str]:
    """The update clock's line (none while `[targets.update]` is off)."""
    clock, calendar = view.update, view.calendar
    if clock is None:
        return []
    if clock.since_journal is None:
        return [
            f"  update: target {clock.target_minutes} working min after each public staff "
            "note; not started (the first response covers it)"
        ]
    since = f"since the public note of {local_time(calendar, _since(view, clock))}"
    if clock.stopped_at is not None:
        due = "stopped with the resolution clock"
    else:
        due = local_time(calendar, clock.due) or (
            f"paused, {max(0, int(clock.minutes_left))} min left"
        )
    used = f"{int(clock.used_minutes)} of {clock.target_minutes} working min used"
    return [f"  update: due {due}; {used} {since}; {_update_state(clock)}"]
