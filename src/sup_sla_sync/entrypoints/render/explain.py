"""What `explain` shows: one issue's SLA timeline, as lines or as JSON (SPEC.md, "CLI")."""

from __future__ import annotations

from typing import Any

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import Clock, SlaView


def _time(calendar: WorkCalendar, instant: Any) -> str | None:
    return calendar.format(instant) if instant is not None else None


def explain_json(view: SlaView, calendar: WorkCalendar, planned: list[dict[str, Any]]) -> dict:
    first, resolution = view.first_response, view.resolution
    c = view.classification
    return {
        "issue": view.issue.id,
        "subject": view.issue.subject,
        "status": view.issue.status,
        "level": c.level.value,
        "channel": c.channel.value,
        "priority": c.priority.value,
        "category": c.category.value,
        "category_source": c.category_source,
        "sla_state": view.state.value,
        "first_response": {
            "target_minutes": first.target_minutes,
            "due": _time(calendar, first.due),
            "met_at": _time(calendar, first.stopped_at),
            "used_minutes": int(first.used_minutes),
            "state": first.state.value,
        },
        "resolution": {
            "target_minutes": resolution.target_minutes,
            "due": _time(calendar, resolution.due),
            "used_minutes": int(resolution.used_minutes),
            "paused": resolution.paused,
            "state": resolution.state.value,
            "intervals": [
                {
                    "kind": i.kind,
                    "start": _time(calendar, i.start),
                    "end": _time(calendar, i.end),
                    "working_minutes": int(calendar.working_minutes(i.start, i.end or view.now)),
                }
                for i in resolution.intervals
            ],
        },
        "planned": planned,
    }


def explain_lines(
    view: SlaView, calendar: WorkCalendar, planned: list[dict[str, Any]]
) -> list[str]:
    c = view.classification
    lines = [
        f"#{view.issue.id} {view.issue.subject}",
        f"  status {view.issue.status!r}; level {c.level.value}, channel {c.channel.value}, "
        f"priority {c.priority.value} ({view.issue.priority}), category {c.category.value} "
        f"(from {c.category_source})",
        f"  SLA state: {view.state.value}",
        _clock_line("first response", view.first_response, calendar),
        _clock_line("resolution", view.resolution, calendar),
    ]
    for interval in view.resolution.intervals:
        end = _time(calendar, interval.end) or "now"
        minutes = int(calendar.working_minutes(interval.start, interval.end or view.now))
        lines.append(
            f"    {interval.kind:<8} {_time(calendar, interval.start)} -> {end} ({minutes} min)"
        )
    if not calendar.is_working_time(view.now):
        opens = _time(calendar, calendar.next_working_instant(view.now))
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
                detail = write["note"].splitlines()[0]
            lines.append(f"    {what}: {detail}")
    else:
        lines.append("  the next pass would write nothing")
    return lines


def _clock_line(label: str, clock: Clock, calendar: WorkCalendar) -> str:
    due = _time(calendar, clock.due) or f"paused, {max(0, int(clock.minutes_left))} min left"
    used = f"{int(clock.used_minutes)} of {clock.target_minutes} working min used"
    stopped = f", stopped {_time(calendar, clock.stopped_at)}" if clock.stopped_at else ""
    return f"  {label}: due {due}; {used}{stopped}; {clock.state.value}"


# --- queue ------------------------------------------------------------------------------

_PRIORITY_RANK = {"immediate": 0, "urgent": 1, "normal": 2}


def next_clock(view: SlaView) -> Clock | None:
    """The clock an agent must beat next: the first response until it is given."""
    if view.first_response.running:
        return view.first_response
    if view.resolution.running or view.resolution.paused:
        return view.resolution
    return None


def queue_order(views: list[SlaView]) -> list[SlaView]:
    """The regulation's order: VIP first (rule 21), then priority, earliest due, arrival."""

    def key(view: SlaView) -> tuple:
        clock = next_clock(view)
        due = clock.due if clock is not None else None
        return (
            0 if view.classification.level.value == "vip" else 1,
            _PRIORITY_RANK[view.classification.priority.value],
            due is None,
            due or view.issue.created_on,
            view.issue.created_on,
            view.issue.id,
        )

    return sorted(views, key=key)


def queue_rows(
    views: list[SlaView], calendar: WorkCalendar, logins: dict[int, str]
) -> list[dict[str, Any]]:
    rows = []
    for view in queue_order(views):
        clock = next_clock(view)
        rows.append(
            {
                "issue": view.issue.id,
                "level": view.classification.level.value,
                "priority": view.classification.priority.value,
                "due": _time(calendar, clock.due) if clock else None,
                "subject": view.issue.subject,
                "clock": clock.name.value if clock else None,
                "minutes_left": int(clock.minutes_left) if clock else None,
                "sla_state": view.state.value,
                "status": view.issue.status,
                "assignee": logins.get(view.issue.assigned_to_id or 0),
            }
        )
    return rows


def queue_lines(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{'#':>6}  {'level':<5}  {'priority':<9}  {'due':<22}  {'left':>7}  {'state':<9}  "
        f"{'assignee':<10}  subject"
    ]
    for row in rows:
        left = row["minutes_left"]
        shown = "" if left is None else (f"{left}m" if left >= 0 else f"-{-left}m")
        due = row["due"] or ("paused" if row["clock"] == "resolution" else "-")
        lines.append(
            f"{row['issue']:>6}  {row['level']:<5}  {row['priority']:<9}  {due:<22}  "
            f"{shown:>7}  {row['sla_state']:<9}  {row['assignee'] or '-':<10}  {row['subject']}"
        )
    return lines
