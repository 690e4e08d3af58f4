"""SLA compliance over a period, for `report` (SPEC.md, "CLI"): the figures.

Pure: the SLA views of the issues created in the period (every status), all evaluated at
one `now`, in; `ReportFigures` out, which `entrypoints/render/report` turns into a table,
CSV, JSON or HTML. Which issues belong to the period is the caller's business (local
creation dates `since` to `until`, both included).

Issues are grouped by the `--by` dimensions, in the order given (default level, priority,
category): `level`, `priority`, `category` as classified now, `policy` (the matching
contract policy's name, "" for the default targets), `assignee` (the login of the user
the issue was assigned to when its resolution clock stopped, or of the current assignee
while it runs or is paused; null when unassigned; `user:ID` for an id without a login).
Groups come in the order of each dimension: VIP first; immediate, urgent, normal;
consultation, defect; the default policy, then policies by name; assignees by login,
unassigned last. Per group:

- `count`: the issues in the group, whatever their state.
- `first_response_met_pct`: among the issues whose first response is *decided*, the share
  met, in percent. Met: the clock stopped (a staff member's public note, or the issue
  resolved or closed) and is not breached. Missed: breached (answered in a later minute
  than its due time shows, still unanswered then, or a breach note was posted). A clock
  still running within its target is neither: it is left out of the denominator.
- `resolution_met_pct`: the same for the resolution clock. Stopped means the status is now
  a resolved or closed one; a running or paused clock within its target is left out.
- `median_first_response_minutes`: the median of the first-response clock's
  `used_minutes` (working minutes from creation to the stop) over the issues whose first
  response stopped, met or late.
- `median_resolution_minutes`: the median of the resolution clock's `used_minutes`
  (working minutes it ran: time awaiting the client or on hold excluded) over the issues
  now resolved or closed, met or late.
- `update_on_time_pct` (`[targets.update]`): among the update clock's decided intervals
  (core/clocks.py `UpdateInterval`: from a public staff note to the next, counted while the
  resolution clock runs), the share whose next public staff note came within the target,
  in percent. Missed: the target passed in it (answered late, or not yet). An interval
  still open within its target, or ended by the resolution clock stopping, is in neither.
  Null with the clock off.

Percentages and medians are rounded to one decimal with Python's round(); they are null
when their denominator is empty. Issues whose `sla_state` is `not_applicable` (created
already resolved or closed: no clock ever ran) count in `count` only, in no percentage or
median. `breached` lists the ids of the issues whose `sla_state` is `breached`, ascending.
Breaches per week (HTML chart): those issues by the ISO week of their local creation date,
every week of the period shown, empty ones as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from statistics import median
from typing import Any

from sup_sla_sync.core.clocks import Clock, SlaView
from sup_sla_sync.core.model import (
    ASSIGNED_TO,
    PRIORITY_ORDER,
    Category,
    IssueSnapshot,
    ServiceLevel,
    SlaState,
)

LEVELS = (ServiceLevel.VIP.value, ServiceLevel.BASIC.value)
PRIORITIES = tuple(priority.value for priority in PRIORITY_ORDER)
CATEGORIES = (Category.CONSULTATION.value, Category.DEFECT.value)
DIMENSIONS = ("level", "priority", "category", "policy", "assignee")
DEFAULT_BY = ("level", "priority", "category")
# Dimensions whose every value is shown in a chart, even with no issue.
FIXED_VALUES: dict[str, tuple[str, ...]] = {
    "level": LEVELS,
    "priority": PRIORITIES,
    "category": CATEGORIES,
}
FIGURES = (
    "count",
    "first_response_met_pct",
    "resolution_met_pct",
    "median_first_response_minutes",
    "median_resolution_minutes",
    "update_on_time_pct",
)
UPDATE_FIGURE = "update_on_time_pct"  # `[targets.update]`: only when the update clock is on

Value = str | None  # a dimension's value: None only for "unassigned"
Key = tuple[Value, ...]  # a view's values of the `by` dimensions, in their order


def parse_by(spec: str) -> tuple[str, ...]:
    """`--by level,assignee` as a tuple of dimensions; ValueError naming what is wrong."""
    names = tuple(part.strip() for part in spec.split(","))
    expected = ", ".join(DIMENSIONS)
    for name in names:
        if name not in DIMENSIONS:
            shown = repr(name) if name else "an empty name"
            raise ValueError(
                f"{shown} is not a dimension; expected a comma-separated list of {expected}"
            )
        if names.count(name) > 1:
            raise ValueError(f"{name!r} is named twice")
    return names


@dataclass(frozen=True)
class ReportFigures:
    """Everything a report shows. `groups`, `all` and each chart row hold the `FIGURES`
    (a group or chart row its dimensions' values first, as the JSON shows them)."""

    since: date
    until: date
    by: tuple[str, ...]
    generated: datetime  # the `now` of the views, in the calendar's zone
    groups: tuple[dict[str, Any], ...]  # the groups by `by`, in their order
    all: dict[str, Any]  # the figures of every issue
    breached: tuple[int, ...]  # the breached issues' ids, ascending
    charts: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]  # per `by` dimension
    breaches_per_week: tuple[tuple[str, int], ...]  # ISO week, breached issues
    breached_issues: tuple[dict[str, Any], ...]  # see `breached_issues`
    # Whether the update clock is on (`[targets.update]`): else its figure is left out
    # everywhere, so that a desk without it sees the report as before.
    updates: bool = False

    @property
    def figure_names(self) -> tuple[str, ...]:
        """The `FIGURES` this report holds, in order."""
        return FIGURES if self.updates else tuple(f for f in FIGURES if f != UPDATE_FIGURE)

    def document(self) -> dict[str, Any]:
        """The `report --format json` document (SPEC.md)."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "groups": list(self.groups),
            "breached": list(self.breached),
        }


def report_figures(
    views: Sequence[SlaView],
    since: date,
    until: date,
    zone: tzinfo,
    now: datetime,
    by: Sequence[str] = DEFAULT_BY,
    logins: Mapping[int, str] | None = None,
    updates: bool = False,
) -> ReportFigures:
    """The report of `views` (evaluated at `now`) for the period `since` to `until`,
    grouped by `by`; `logins` names the assignees; `updates`: whether the update clock is
    on (`Rules.update_clock`; off: its figure is left out)."""
    dims = tuple(by)
    keys = _keys(views, dims, logins or {})
    report = ReportFigures(
        since=since,
        until=until,
        by=dims,
        generated=now.astimezone(zone),
        groups=tuple(_groups(views, keys, dims)),
        all=figures(views),
        breached=tuple(sorted(v.issue.id for v in views if v.state is SlaState.BREACHED)),
        charts=tuple(
            (d, tuple(_compliance(views, [key[i] for key in keys], d))) for i, d in enumerate(dims)
        ),
        breaches_per_week=tuple(breaches_per_week(views, since, until, zone)),
        breached_issues=tuple(_breached(views, keys, dims, zone)),
        updates=updates,
    )
    if updates:
        return report

    def without(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k != UPDATE_FIGURE}

    return replace(
        report,
        groups=tuple(without(g) for g in report.groups),
        all=without(report.all),
        charts=tuple((d, tuple(without(r) for r in rows)) for d, rows in report.charts),
    )


# --- who, which group -------------------------------------------------------------------


def _user_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.strip().isdigit() else None


def assignee_at(issue: IssueSnapshot, when: datetime) -> int | None:
    """The user the issue was assigned to at `when`: the current assignee with every later
    reassignment undone (the journals' assigned_to values are user ids as text)."""
    assignee = issue.assigned_to_id
    for journal in sorted(issue.journals, key=lambda j: (j.created_on, j.id), reverse=True):
        if journal.created_on <= when:
            break
        change = journal.change_of(ASSIGNED_TO)
        if change is not None:
            assignee = _user_id(change.old)
    return assignee


def assignee_of(view: SlaView) -> int | None:
    """The assignee when the resolution clock stopped; the current one while it runs."""
    stopped = view.resolution.stopped_at
    return view.issue.assigned_to_id if stopped is None else assignee_at(view.issue, stopped)


def value_of(view: SlaView, dimension: str, logins: Mapping[int, str]) -> Value:
    """The view's value of one `--by` dimension, as the JSON shows it."""
    if dimension == "policy":
        return view.policy
    if dimension == "assignee":
        user = assignee_of(view)
        return None if user is None else logins.get(user) or f"user:{user}"
    return str(getattr(view.classification, dimension).value)


def _keys(views: Sequence[SlaView], by: Sequence[str], logins: Mapping[int, str]) -> list[Key]:
    return [tuple(value_of(view, d, logins) for d in by) for view in views]


def _rank(dimension: str, value: Value) -> tuple[int, str]:
    fixed = FIXED_VALUES.get(dimension)
    if fixed is not None:
        return (fixed.index(str(value)), "")
    if dimension == "policy":
        return (0 if not value else 1, (value or "").casefold())
    return (1 if value is None else 0, (value or "").casefold())


# --- figures ----------------------------------------------------------------------------


def met_pct(clocks: Iterable[Clock]) -> float | None:
    """Percent of the decided clocks (stopped or breached) that were met."""
    decided = [c for c in clocks if c.breached or c.stopped_at is not None]
    if not decided:
        return None
    met = sum(1 for c in decided if not c.breached)
    return round(100 * met / len(decided), 1)


def median_minutes(clocks: Iterable[Clock]) -> float | None:
    """Median working minutes used by the stopped clocks."""
    used = [c.used_minutes for c in clocks if c.stopped_at is not None]
    return round(median(used), 1) if used else None


def update_on_time_pct(views: Iterable[SlaView]) -> float | None:
    """Percent of the update clock's decided intervals that got their note in time."""
    decided = [i for v in views for i in v.update_intervals if i.decided]
    if not decided:
        return None
    return round(100 * sum(1 for i in decided if i.on_time) / len(decided), 1)


def figures(views: Sequence[SlaView]) -> dict[str, Any]:
    """count, both met percentages, both medians and the updates on time of `views`."""
    timed = [v for v in views if v.state is not SlaState.NOT_APPLICABLE]
    first = [v.first_response for v in timed]
    resolution = [v.resolution for v in timed]
    return {
        "count": len(views),
        "first_response_met_pct": met_pct(first),
        "resolution_met_pct": met_pct(resolution),
        "median_first_response_minutes": median_minutes(first),
        "median_resolution_minutes": median_minutes(resolution),
        "update_on_time_pct": update_on_time_pct(timed),
    }


def _groups(
    views: Sequence[SlaView], keys: Sequence[Key], by: Sequence[str]
) -> list[dict[str, Any]]:
    groups: dict[Key, list[SlaView]] = {}
    for view, key in zip(views, keys, strict=True):
        groups.setdefault(key, []).append(view)

    def order(key: Key) -> tuple[tuple[int, str], ...]:
        return tuple(_rank(d, v) for d, v in zip(by, key, strict=True))

    return [
        {**dict(zip(by, key, strict=True)), **figures(groups[key])}
        for key in sorted(groups, key=order)
    ]


def compliance_by(
    views: Sequence[SlaView], dimension: str, logins: Mapping[int, str] | None = None
) -> list[dict[str, Any]]:
    """The figures per value of one dimension: every level, priority and category in
    order; the policies and assignees that occur."""
    known = logins or {}
    return _compliance(views, [value_of(v, dimension, known) for v in views], dimension)


def _compliance(
    views: Sequence[SlaView], values: Sequence[Value], dimension: str
) -> list[dict[str, Any]]:
    names: Sequence[Value] = FIXED_VALUES.get(dimension) or sorted(
        set(values), key=lambda value: _rank(dimension, value)
    )
    return [
        {
            dimension: name,
            **figures([v for v, value in zip(views, values, strict=True) if value == name]),
        }
        for name in names
    ]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def breaches_per_week(
    views: Sequence[SlaView], since: date, until: date, zone: tzinfo
) -> list[tuple[str, int]]:
    """Breached issues by the ISO week of their local creation date; every week shown."""
    weeks: dict[str, int] = {}
    monday = since - timedelta(days=since.weekday())
    while monday <= until:
        weeks[iso_week(monday)] = 0
        monday += timedelta(days=7)
    for view in views:
        if view.state is SlaState.BREACHED:
            week = iso_week(view.issue.created_on.astimezone(zone).date())
            weeks[week] = weeks.get(week, 0) + 1
    return sorted(weeks.items())


def breached_issues(
    views: Sequence[SlaView],
    zone: tzinfo,
    by: Sequence[str] = DEFAULT_BY,
    logins: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """The breached issues, for people, by id: `issue` (the id), `created` (local),
    `values` (of the `by` dimensions), `status`, `missed` (the clocks' names), `subject`."""
    return _breached(views, _keys(views, by, logins or {}), by, zone)


def _breached(
    views: Sequence[SlaView], keys: Sequence[Key], by: Sequence[str], zone: tzinfo
) -> list[dict[str, Any]]:
    rows = []
    for view, key in sorted(zip(views, keys, strict=True), key=lambda pair: pair[0].issue.id):
        if view.state is not SlaState.BREACHED:
            continue
        rows.append(
            {
                "issue": view.issue.id,
                "created": view.issue.created_on.astimezone(zone),
                "values": dict(zip(by, key, strict=True)),
                "status": view.issue.status,
                "missed": [clock.name.value for clock in view.clocks if clock.breached],
                "subject": view.issue.subject,
            }
        )
    return rows
