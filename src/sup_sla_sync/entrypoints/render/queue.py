"""What `queue` shows: open issues in processing order, as rows or lines."""

from __future__ import annotations

from typing import Any

from sup_sla_sync.core.clocks import SlaView
from sup_sla_sync.core.queue import next_clock, queue_order
from sup_sla_sync.entrypoints.render.explain import local_time
from sup_sla_sync.inert import inert


def queue_rows(views: list[SlaView], logins: dict[int, str]) -> list[dict[str, Any]]:
    """In processing order; each due time is an instant (compared across the policies'
    calendars) shown in the issue's own calendar."""
    rows = []
    for view in queue_order(views):
        clock = next_clock(view)
        rows.append(
            {
                "issue": view.issue.id,
                "level": view.classification.level.value,
                "priority": view.classification.priority.value,
                "due": local_time(view.calendar, clock.due) if clock else None,
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
            f"{shown:>7}  {row['sla_state']:<9}  {inert(row['assignee'] or '-'):<10}  "
            f"{inert(row['subject'])}"
        )
    return lines
