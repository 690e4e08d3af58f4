"""SLA compliance over a period, for `report` (SPEC.md, "CLI"): figures and their renderings.

Pure: the SLA views of the issues created in the period (every status), all evaluated at
one `now`, in; a report and its table, CSV, JSON and HTML out. Which issues belong to the
period is the caller's business (local creation dates `since` to `until`, both included).

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

Percentages and medians are rounded to one decimal with Python's round(); they are null
when their denominator is empty. Issues whose `sla_state` is `not_applicable` (created
already resolved or closed: no clock ever ran) count in `count` only, in no percentage or
median. `breached` lists the ids of the issues whose `sla_state` is `breached`, ascending.
Breaches per week (HTML chart): those issues by the ISO week of their local creation date,
every week of the period shown, empty ones as 0.

The table and the HTML speak the `--language` (texts `report.*` in core/texts), with its
number and date formats; CSV and JSON keep the raw values.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from html import escape
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
from sup_sla_sync.core.texts import text
from sup_sla_sync.inert import inert

LEVELS = (ServiceLevel.VIP.value, ServiceLevel.BASIC.value)
PRIORITIES = tuple(priority.value for priority in PRIORITY_ORDER)
CATEGORIES = (Category.CONSULTATION.value, Category.DEFECT.value)
DIMENSIONS = ("level", "priority", "category", "policy", "assignee")
DEFAULT_BY = ("level", "priority", "category")
# Dimensions whose every value is shown in a chart, even with no issue.
FIXED_VALUES = {"level": LEVELS, "priority": PRIORITIES, "category": CATEGORIES}
FIGURES = (
    "count",
    "first_response_met_pct",
    "resolution_met_pct",
    "median_first_response_minutes",
    "median_resolution_minutes",
)
GROUP_COLUMNS = (*DEFAULT_BY, *FIGURES)

Value = str | None  # a dimension's value: None only for "unassigned"


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


def figures(views: Sequence[SlaView]) -> dict[str, Any]:
    """count, both met percentages and both medians of `views`."""
    timed = [v for v in views if v.state is not SlaState.NOT_APPLICABLE]
    first = [v.first_response for v in timed]
    resolution = [v.resolution for v in timed]
    return {
        "count": len(views),
        "first_response_met_pct": met_pct(first),
        "resolution_met_pct": met_pct(resolution),
        "median_first_response_minutes": median_minutes(first),
        "median_resolution_minutes": median_minutes(resolution),
    }


def build_report(
    views: Sequence[SlaView],
    since: date,
    until: date,
    by: Sequence[str] = DEFAULT_BY,
    logins: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The `report --format json` document (SPEC.md): groups by `by`, breached issue ids."""
    known = logins or {}
    groups: dict[tuple[Value, ...], list[SlaView]] = {}
    for view in views:
        groups.setdefault(tuple(value_of(view, d, known) for d in by), []).append(view)

    def order(key: tuple[Value, ...]) -> tuple[tuple[int, str], ...]:
        return tuple(_rank(d, v) for d, v in zip(by, key, strict=True))

    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "groups": [
            {**dict(zip(by, key, strict=True)), **figures(groups[key])}
            for key in sorted(groups, key=order)
        ],
        "breached": sorted(v.issue.id for v in views if v.state is SlaState.BREACHED),
    }


def compliance_by(
    views: Sequence[SlaView], dimension: str, logins: Mapping[int, str] | None = None
) -> list[dict[str, Any]]:
    """The figures per value of one dimension: every level, priority and category in
    order; the policies and assignees that occur."""
    known = logins or {}
    values = [value_of(v, dimension, known) for v in views]
    names = FIXED_VALUES.get(dimension) or sorted(
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
    """The breached issues, for people: when created, their `by` values, which clock missed."""
    known = logins or {}
    rows = []
    for view in sorted(views, key=lambda v: v.issue.id):
        if view.state is not SlaState.BREACHED:
            continue
        rows.append(
            {
                "issue": view.issue.id,
                "created": view.issue.created_on.astimezone(zone),
                "values": {d: value_of(view, d, known) for d in by},
                "status": view.issue.status,
                "missed": [clock.name.value for clock in view.clocks if clock.breached],
                "subject": view.issue.subject,
            }
        )
    return rows


def report_details(
    views: Sequence[SlaView],
    since: date,
    until: date,
    zone: tzinfo,
    now: datetime,
    by: Sequence[str] = DEFAULT_BY,
    logins: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """What the table and HTML show besides the SPEC document: one chart per `by`."""
    return {
        "by": tuple(by),
        "generated": now.astimezone(zone),
        "all": figures(views),
        "charts": [(d, compliance_by(views, d, logins)) for d in by],
        "breaches_per_week": breaches_per_week(views, since, until, zone),
        "breached_issues": breached_issues(views, zone, by, logins),
    }


# --- words and numbers of a language ----------------------------------------------------


def _t(language: str, key: str, **params: object) -> str:
    return text(language, f"report.{key}", **params)


def shown_value(language: str, dimension: str, value: Value) -> str:
    """A dimension's value as people read it in `language`."""
    if dimension in FIXED_VALUES:
        return _t(language, f"{dimension}.{value}")
    if dimension == "policy":
        return value or _t(language, "policy.default")
    if value is None:
        return _t(language, "unassigned")
    if value.startswith("user:"):
        return _t(language, "user", id=value.removeprefix("user:"))
    return value


def number(language: str, value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", _t(language, "decimal"))


def percent(language: str, value: float | None, decimals: int = 1) -> str:
    if value is None:
        return _t(language, "na")
    return _t(language, "pct", n=number(language, value, decimals))


def local_date(language: str, day: date | str) -> str:
    return (date.fromisoformat(day) if isinstance(day, str) else day).strftime(_t(language, "date"))


def local_datetime(language: str, when: datetime) -> str:
    return when.strftime(_t(language, "datetime"))


def _dimensions(language: str, by: Sequence[str]) -> str:
    return ", ".join(_t(language, f"dim.{d}") for d in by)


# --- table and CSV ----------------------------------------------------------------------


def report_table(
    report: dict[str, Any], details: dict[str, Any], language: str = "en"
) -> list[str]:
    """The report as text lines in `language`: groups, an "all" row, the breached issues."""
    by = details["by"]
    heading = _t(
        language,
        "heading",
        since=local_date(language, report["since"]),
        until=local_date(language, report["until"]),
    )
    head = [_t(language, f"dim.{d}") for d in by]
    head += [
        _t(language, key)
        for key in (
            "issues",
            "first_response_met",
            "resolution_met",
            "median_first_response",
            "median_resolution",
        )
    ]

    def cell(value: float | None, pct: bool = False) -> str:
        if value is None:
            return "-"
        return percent(language, value) if pct else number(language, value)

    rows = []
    total = {**dict.fromkeys(by, ""), **details["all"]}
    for i, group in enumerate([*report["groups"], total]):
        is_total = i == len(report["groups"])
        names = [
            ("" if j else _t(language, "all")) if is_total else shown_value(language, d, group[d])
            for j, d in enumerate(by)
        ]
        rows.append(
            [
                *names,
                str(group["count"]),
                cell(group["first_response_met_pct"], pct=True),
                cell(group["resolution_met_pct"], pct=True),
                cell(group["median_first_response_minutes"]),
                cell(group["median_resolution_minutes"]),
            ]
        )
    widths = [max(len(row[c]) for row in [head, *rows]) for c in range(len(head))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            value.ljust(width) if c < len(by) else value.rjust(width)
            for c, (value, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    lines = [heading, line(head)]
    if report["groups"]:
        lines += [line(row) for row in rows]
    else:
        lines.append(_t(language, "no_issues"))
    lines.append(_t(language, "legend"))
    lines.append(_t(language, "breached_count", count=len(report["breached"])))
    for row in details["breached_issues"]:
        kind = "/".join(shown_value(language, d, v) for d, v in row["values"].items())
        missed = " + ".join(_t(language, f"clock.{m}") for m in row["missed"])
        lines.append(
            f"  #{row['issue']:<6} {local_datetime(language, row['created'])}  {kind}  "
            f"{missed}  {inert(row['subject'])}"
        )
    return lines


def report_csv(report: dict[str, Any], by: Sequence[str] = DEFAULT_BY) -> str:
    """One row per group under a header (the `by` keys, then the figures); an empty cell
    where the JSON has null."""
    columns = (*by, *FIGURES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for group in report["groups"]:
        writer.writerow(["" if group[c] is None else group[c] for c in columns])
    return out.getvalue()


# --- HTML -------------------------------------------------------------------------------

FIRST_COLOUR, RESOLUTION_COLOUR, BREACH_COLOUR = "#2b6cb0", "#2f855a", "#c53030"

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a202c; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
a { color: #2b6cb0; }
.muted { color: #4a5568; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.2rem 0; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: .7rem 1.1rem; min-width: 10rem; }
.card b { display: block; font-size: 1.7rem; white-space: nowrap; }
.card.bad b { color: #c53030; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; flex: 1 1 30rem; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
figure.wide { margin-top: 2rem; }
svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e2e8f0; padding: .35rem .6rem; text-align: left;
  overflow-wrap: break-word; }
td.text { overflow-wrap: anywhere; }
th { background: #f7fafc; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums;
  overflow-wrap: normal; white-space: nowrap; }
th.num { white-space: normal; }
tr.total td { font-weight: 600; border-top: 2px solid #cbd5e0; }
.legend span { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px;
  margin: 0 .3rem 0 .8rem; vertical-align: -1px; }
.notes { font-size: .85rem; color: #4a5568; margin-top: 2rem; }
@media print { body { margin: 0; } .charts { display: block; } }
""".strip()

# A generous width per character of the 12px chart font (wide Cyrillic letters included):
# the chart's room for its labels is computed, never cut.
CHAR_PX = 8.0


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _hbar_chart(
    label: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[tuple[str, str]],
    language: str,
) -> str:
    """Horizontal bars from 0 to 100 %: one band per row (its label on the left), one bar
    per series in it; a None value reads "n/a" instead of a bar. The label column is as
    wide as the longest label, so any policy name or login fits."""
    label_width = math.ceil(max((len(name) for name, _ in rows), default=4) * CHAR_PX) + 16
    plot, room, bar, gap, upper, lower = 360, 72, 14, 3, 8, 26
    band = len(series) * (bar + gap) + 14
    width = label_width + plot + room
    height = upper + band * len(rows) + lower
    bottom = upper + band * len(rows)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(label)}"><title>{_e(label)}</title>'
    ]
    for tick in (0, 25, 50, 75, 100):
        x = label_width + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{upper}" y2="{bottom}" stroke="#e2e8f0"/>'
            f'<text x="{x:.1f}" y="{bottom + 17}" text-anchor="middle" fill="#4a5568">'
            f"{_e(percent(language, tick, 0))}</text>"
        )
    for i, (name, values) in enumerate(rows):
        top = upper + i * band
        parts.append(
            f'<text x="{label_width - 8}" y="{top + band / 2 + 4:.1f}" text-anchor="end" '
            f'fill="#1a202c">{_e(name)}</text>'
        )
        for j, ((series_name, colour), value) in enumerate(zip(series, values, strict=True)):
            y = top + 7 + j * (bar + gap)
            shown = percent(language, value)
            tip = _e(f"{name}, {series_name}: {shown}")
            length = 0.0 if value is None else plot * value / 100
            if length:
                parts.append(
                    f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" '
                    f'fill="{colour}" rx="2"><title>{tip}</title></rect>'
                )
            fill = "#a0aec0" if value is None else "#1a202c"
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 3}" font-size="10" '
                f'fill="{fill}">{_e(shown)}<title>{tip}</title></text>'
            )
    parts.append(
        f'<line x1="{label_width}" x2="{label_width}" y1="{upper}" y2="{bottom}" '
        'stroke="#718096"/></svg>'
    )
    return "".join(parts)


def _bar_chart(
    label: str,
    categories: Sequence[tuple[str, str, str]],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    top: float,
    ticks: Sequence[float],
    shown: Callable[[float | None], str],
) -> str:
    """Vertical bars: one group per category (its axis label, tooltip name, and a second
    axis line shown where it changes, e.g. the year), one bar per series in each; a None
    value draws `shown(None)` instead of a bar."""
    left, right, upper, lower, height = 44, 12, 22, 40, 200
    count = max(1, len(categories))
    # At least 480 px of plot, at most 1000: a year of weeks stays legible on one screen.
    group = min(max(480 / count, 26 * len(series) + 12), 1000 / count)
    width = round(left + right + group * count)
    bar = min(48.0, group * 0.75 / len(series))
    y0 = upper + height

    def y(value: float) -> float:
        return y0 - height * value / top

    parts = [
        f'<svg viewBox="0 0 {width} {upper + height + lower}" width="{width}" '
        f'height="{upper + height + lower}" role="img" aria-label="{_e(label)}">',
        f"<title>{_e(label)}</title>",
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e2e8f0"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" fill="#4a5568">{_e(shown(tick) if tick else "0")}</text>'
        )
    # Label at most 16 groups, and never two labels over each other; tooltips name every bar.
    longest = max((len(axis_label) for axis_label, _, _ in categories), default=1)
    every = max(-(-count // 16), math.ceil((longest * CHAR_PX + 6) / group))
    last_line2 = ""
    for i, (axis_label, name, line2) in enumerate(categories):
        middle = left + (i + 0.5) * group
        x = middle - bar * len(series) / 2
        for j, (series_name, colour, values) in enumerate(series):
            value = values[i]
            bx = x + j * bar
            tip = _e(f"{name}, {series_name}: {shown(value)}")
            if value is None:
                parts.append(
                    f'<text x="{bx + bar / 2:.1f}" y="{y0 - 4}" text-anchor="middle" '
                    f'fill="#a0aec0" font-size="10">{_e(shown(None))}<title>{tip}</title></text>'
                )
                continue
            top_y = y(value)
            parts.append(
                f'<rect x="{bx + 1:.1f}" y="{top_y:.1f}" width="{bar - 2:.1f}" '
                f'height="{y0 - top_y:.1f}" fill="{colour}" rx="2"><title>{tip}</title></rect>'
            )
            if group >= 20:  # room for the value above the bar
                parts.append(
                    f'<text x="{bx + bar / 2:.1f}" y="{top_y - 4:.1f}" text-anchor="middle" '
                    f'font-size="10" fill="#1a202c">{_e(shown(value))}</text>'
                )
        if i % every == 0:
            parts.append(
                f'<text x="{middle:.1f}" y="{y0 + 18}" text-anchor="middle" '
                f'fill="#1a202c">{_e(axis_label)}</text>'
            )
            if line2 != last_line2:
                parts.append(
                    f'<text x="{middle:.1f}" y="{y0 + 33}" text-anchor="middle" '
                    f'fill="#4a5568">{_e(line2)}</text>'
                )
                last_line2 = line2
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y0}" y2="{y0}" stroke="#718096"/></svg>'
    )
    return "".join(parts)


def _compliance_chart(language: str, dimension: str, rows: Sequence[dict[str, Any]]) -> str:
    label = _t(language, "chart", dimension=_t(language, f"dim.{dimension}"))
    if not rows:
        body = f'<p class="muted">{_e(_t(language, "no_issues"))}</p>'
        return f"<figure><figcaption>{_e(label)}</figcaption>{body}</figure>"
    first = _t(language, "first_response_met")
    resolution = _t(language, "resolution_met")
    svg = _hbar_chart(
        label,
        [
            (
                f"{shown_value(language, dimension, row[dimension])} ({row['count']})",
                (row["first_response_met_pct"], row["resolution_met_pct"]),
            )
            for row in rows
        ],
        [(first, FIRST_COLOUR), (resolution, RESOLUTION_COLOUR)],
        language,
    )
    legend = (
        f'<div class="legend"><span style="background:{FIRST_COLOUR}"></span>{_e(first)}'
        f'<span style="background:{RESOLUTION_COLOUR}"></span>{_e(resolution)}</div>'
    )
    return f"<figure><figcaption>{_e(label)}</figcaption>{svg}{legend}</figure>"


def _weekly_chart(language: str, weekly: Sequence[tuple[str, int]]) -> str:
    label = _t(language, "chart.weekly")
    highest = max((count for _, count in weekly), default=0)
    step = max(1, -(-highest // 4))
    top = step * 4
    svg = _bar_chart(
        label,
        # "W03" (or the language's word), the year on a second line where it changes
        [(_t(language, "week", week=week[6:]), week, week[:4]) for week, _ in weekly],
        [(_t(language, "breached"), BREACH_COLOUR, [count for _, count in weekly])],
        top,
        range(0, top + 1, step),
        lambda v: _t(language, "na") if v is None else f"{v:g}",
    )
    span = ""
    if weekly:
        span = " (" + _t(language, "chart.span", first=weekly[0][0], last=weekly[-1][0]) + ")"
    return f'<figure class="wide"><figcaption>{_e(label + span)}</figcaption>{svg}</figure>'


def _groups_table(
    language: str, by: Sequence[str], report: dict[str, Any], total: dict[str, Any]
) -> str:
    head = "".join(f"<th>{_e(_t(language, f'dim.{d}'))}</th>" for d in by) + "".join(
        f"<th class=num>{_e(_t(language, key))}</th>"
        for key in (
            "issues",
            "first_response_met",
            "resolution_met",
            "median_first_response",
            "median_resolution",
        )
    )

    def minutes(value: float | None) -> str:
        return "–" if value is None else number(language, value)

    rows = []
    for group in report["groups"]:
        names = "".join(f"<td>{_e(shown_value(language, d, group[d]))}</td>" for d in by)
        rows.append((names, group, ""))
    all_cells = f"<td>{_e(_t(language, 'all'))}</td>" + "<td></td>" * (len(by) - 1)
    rows.append((all_cells, total, "total"))
    body = "".join(
        f'<tr class="{css}">{names}<td class=num>{group["count"]}</td>'
        f"<td class=num>{_e(percent(language, group['first_response_met_pct']))}</td>"
        f"<td class=num>{_e(percent(language, group['resolution_met_pct']))}</td>"
        f"<td class=num>{_e(minutes(group['median_first_response_minutes']))}</td>"
        f"<td class=num>{_e(minutes(group['median_resolution_minutes']))}</td></tr>"
        for names, group, css in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def issue_url(redmine_url: str, issue_id: int) -> str:
    return f"{redmine_url.rstrip('/')}/issues/{issue_id}"


def _breached_table(
    language: str, by: Sequence[str], rows: Sequence[dict[str, Any]], redmine_url: str
) -> str:
    if not rows:
        return f'<p class="muted">{_e(_t(language, "no_breach"))}</p>'
    head = (
        f"<tr><th class=num>{_e(_t(language, 'col.issue'))}</th>"
        f"<th>{_e(_t(language, 'col.created'))}</th>"
        + "".join(f"<th>{_e(_t(language, f'dim.{d}'))}</th>" for d in by)
        + "".join(
            f"<th>{_e(_t(language, f'col.{key}'))}</th>" for key in ("missed", "status", "subject")
        )
        + "</tr>"
    )
    body = "".join(
        f'<tr><td class=num><a href="{_e(issue_url(redmine_url, row["issue"]))}">'
        f"{row['issue']}</a></td>"
        f"<td>{_e(local_datetime(language, row['created']))}</td>"
        + "".join(f"<td>{_e(shown_value(language, d, row['values'][d]))}</td>" for d in by)
        + f"<td>{_e(', '.join(_t(language, f'clock.{m}') for m in row['missed']))}</td>"
        f"<td>{_e(row['status'])}</td><td class=text>{_e(row['subject'])}</td></tr>"
        for row in rows
    )
    return f"<table>{head}{body}</table>"


def report_html(
    report: dict[str, Any], details: dict[str, Any], redmine_url: str, language: str = "en"
) -> str:
    """One self-contained page in `language`: inline CSS and SVG, no script, nothing
    fetched; every issue number links to the issue in Redmine."""
    by = details["by"]
    since, until = local_date(language, report["since"]), local_date(language, report["until"])
    total = {**dict.fromkeys(by, ""), **details["all"]}
    cards = [
        (_t(language, "issues_created"), str(total["count"]), ""),
        (_t(language, "breached"), str(len(report["breached"])), " bad" * bool(report["breached"])),
        (
            _t(language, "first_response_met"),
            percent(language, total["first_response_met_pct"]),
            "",
        ),
        (_t(language, "resolution_met"), percent(language, total["resolution_met_pct"]), ""),
    ]
    title = _t(language, "title")
    period = _t(
        language,
        "period",
        since=since,
        until=until,
        generated=local_datetime(language, details["generated"]),
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{_e(language)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)} {_e(since)} – {_e(until)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>{_e(title)}</h1>",
            f'<p class="muted">{_e(period)}</p>',
            '<div class="cards">'
            + "".join(
                f'<div class="card{css}">{_e(label)}<b>{_e(value)}</b></div>'
                for label, value, css in cards
            )
            + "</div>",
            '<div class="charts">',
            *(_compliance_chart(language, d, rows) for d, rows in details["charts"]),
            "</div>",
            _weekly_chart(language, details["breaches_per_week"]),
            f"<h2>{_e(_t(language, 'groups', dimensions=_dimensions(language, by)))}</h2>",
            _groups_table(language, by, report, total),
            f"<h2>{_e(_t(language, 'breached_issues', count=len(report['breached'])))}</h2>",
            _breached_table(language, by, details["breached_issues"], redmine_url),
            f'<p class="notes">{_e(_t(language, "notes"))}</p>',
            "</body></html>",
            "",
        ]
    )
