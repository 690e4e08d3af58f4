"""SLA compliance over a period, for `report` (SPEC.md, "CLI"): figures and their renderings.

Pure: the SLA views of the issues created in the period (every status), all evaluated at
one `now`, in; a report and its table, CSV and HTML out. Which issues belong to the
period is the caller's business (local creation dates `since` to `until`, both included).

Issues are grouped by (level, priority, category) as classified now; groups come VIP
first, then immediate, urgent, normal, then consultation, defect. Per group:

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
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from html import escape
from statistics import median
from typing import Any

from sup_sla_sync.core.clocks import Clock, SlaView
from sup_sla_sync.core.model import (
    PRIORITY_ORDER,
    PRIORITY_RANK,
    Category,
    Priority,
    ServiceLevel,
    SlaState,
)

LEVELS = (ServiceLevel.VIP.value, ServiceLevel.BASIC.value)
PRIORITIES = tuple(priority.value for priority in PRIORITY_ORDER)
CATEGORIES = (Category.CONSULTATION.value, Category.DEFECT.value)
GROUP_COLUMNS = (
    "level",
    "priority",
    "category",
    "count",
    "first_response_met_pct",
    "resolution_met_pct",
    "median_first_response_minutes",
    "median_resolution_minutes",
)


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


def _key(view: SlaView) -> tuple[str, str, str]:
    c = view.classification
    return (c.level.value, c.priority.value, c.category.value)


def _rank(key: tuple[str, str, str]) -> tuple[int, int, int]:
    level, priority, category = key
    return (LEVELS.index(level), PRIORITY_RANK[Priority(priority)], CATEGORIES.index(category))


def build_report(views: Sequence[SlaView], since: date, until: date) -> dict[str, Any]:
    """The `report --format json` document (SPEC.md): groups and breached issue ids."""
    groups: dict[tuple[str, str, str], list[SlaView]] = {}
    for view in views:
        groups.setdefault(_key(view), []).append(view)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "groups": [
            {"level": key[0], "priority": key[1], "category": key[2], **figures(groups[key])}
            for key in sorted(groups, key=_rank)
        ],
        "breached": sorted(v.issue.id for v in views if v.state is SlaState.BREACHED),
    }


def compliance_by(views: Sequence[SlaView], dimension: str) -> list[dict[str, Any]]:
    """The figures per level or per priority (`dimension`), every value of it in order."""
    order = {"level": LEVELS, "priority": PRIORITIES}[dimension]

    def value(view: SlaView) -> str:
        return str(getattr(view.classification, dimension).value)

    return [{dimension: name, **figures([v for v in views if value(v) == name])} for name in order]


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


def breached_issues(views: Sequence[SlaView], zone: tzinfo) -> list[dict[str, Any]]:
    """The breached issues, for people: when created, how classified, which clock missed."""
    rows = []
    for view in sorted(views, key=lambda v: v.issue.id):
        if view.state is not SlaState.BREACHED:
            continue
        c = view.classification
        missed = [clock.name.value for clock in view.clocks if clock.breached]
        rows.append(
            {
                "issue": view.issue.id,
                "created": f"{view.issue.created_on.astimezone(zone):%Y-%m-%d %H:%M}",
                "level": c.level.value,
                "priority": c.priority.value,
                "category": c.category.value,
                "status": view.issue.status,
                "missed": missed,
                "subject": view.issue.subject,
            }
        )
    return rows


def report_details(
    views: Sequence[SlaView], since: date, until: date, zone: tzinfo, now: datetime
) -> dict[str, Any]:
    """What the table and HTML show besides the SPEC document."""
    return {
        "generated": f"{now.astimezone(zone):%Y-%m-%d %H:%M}",
        "all": figures(views),
        "by_level": compliance_by(views, "level"),
        "by_priority": compliance_by(views, "priority"),
        "breaches_per_week": breaches_per_week(views, since, until, zone),
        "breached_issues": breached_issues(views, zone),
    }


# --- table and CSV ----------------------------------------------------------------------


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)


def report_table(report: dict[str, Any], details: dict[str, Any] | None = None) -> list[str]:
    """The report as text lines; with `details`, an "all" row and the breached subjects."""
    head = (
        f"{'level':<5}  {'priority':<9}  {'category':<12}  {'issues':>6}  {'1st resp met%':>13}  "
        f"{'resolved met%':>13}  {'1st resp median':>15}  {'resolved median':>15}"
    )
    lines = [f"SLA compliance of the issues created {report['since']} to {report['until']}", head]
    rows = [dict(g) for g in report["groups"]]
    if details is not None:
        rows.append({"level": "all", "priority": "", "category": "", **details["all"]})
    for g in rows:
        lines.append(
            f"{g['level']:<5}  {g['priority']:<9}  {g['category']:<12}  {g['count']:>6}  "
            f"{_shown(g['first_response_met_pct']):>13}  {_shown(g['resolution_met_pct']):>13}  "
            f"{_shown(g['median_first_response_minutes']):>15}  "
            f"{_shown(g['median_resolution_minutes']):>15}"
        )
    if not report["groups"]:
        lines.append("(no issues created in the period)")
    lines.append("medians in working minutes; '-': nothing decided (or stopped) yet")
    lines.append(f"breached: {len(report['breached'])}")
    if details is not None:
        for row in details["breached_issues"]:
            kind = f"{row['level']}/{row['priority']}/{row['category']}"
            missed = " + ".join(m.replace("_", " ") for m in row["missed"])
            lines.append(
                f"  #{row['issue']:<6} {row['created']}  {kind:<27}  {missed:<27}  {row['subject']}"
            )
    elif report["breached"]:
        lines.append("  " + ", ".join(f"#{i}" for i in report["breached"]))
    return lines


def report_csv(report: dict[str, Any]) -> str:
    """One row per group under a header; an empty cell where the JSON has null."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GROUP_COLUMNS)
    for group in report["groups"]:
        writer.writerow(["" if group[c] is None else group[c] for c in GROUP_COLUMNS])
    return out.getvalue()


# --- HTML -------------------------------------------------------------------------------

FIRST_COLOUR, RESOLUTION_COLOUR, BREACH_COLOUR = "#2b6cb0", "#2f855a", "#c53030"

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a202c; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
.muted { color: #4a5568; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.2rem 0; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: .7rem 1.1rem; min-width: 10rem; }
.card b { display: block; font-size: 1.7rem; }
.card.bad b { color: #c53030; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; flex: 1 1 30rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
figure.wide { margin-top: 2rem; }
svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e2e8f0; padding: .35rem .6rem; text-align: left; }
th { background: #f7fafc; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; border-top: 2px solid #cbd5e0; }
.legend span { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px;
  margin: 0 .3rem 0 .8rem; vertical-align: -1px; }
.notes { font-size: .85rem; color: #4a5568; margin-top: 2rem; }
@media print { body { margin: 0; } .charts { display: block; } }
""".strip()


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


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
    value draws "n/a" instead of a bar."""
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
    every = -(-count // 16)  # label at most 16 groups; tooltips name every bar
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
                    f'fill="#a0aec0" font-size="10">n/a<title>{tip}</title></text>'
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


def _compliance_chart(label: str, rows: Sequence[dict[str, Any]], dimension: str) -> str:
    svg = _bar_chart(
        label,
        [(f"{row[dimension]} ({row['count']})", str(row[dimension]), "") for row in rows],
        [
            ("first response", FIRST_COLOUR, [row["first_response_met_pct"] for row in rows]),
            ("resolution", RESOLUTION_COLOUR, [row["resolution_met_pct"] for row in rows]),
        ],
        100,
        (0, 25, 50, 75, 100),
        lambda v: "n/a" if v is None else f"{v:g}%",
    )
    legend = (
        f'<div class="legend"><span style="background:{FIRST_COLOUR}"></span>first response met'
        f'<span style="background:{RESOLUTION_COLOUR}"></span>resolution met</div>'
    )
    return f"<figure><figcaption>{_e(label)}</figcaption>{svg}{legend}</figure>"


def _weekly_chart(weekly: Sequence[tuple[str, int]]) -> str:
    highest = max((count for _, count in weekly), default=0)
    step = max(1, -(-highest // 4))
    top = step * 4
    svg = _bar_chart(
        "Breached issues per ISO week of creation",
        [(week[5:], week, week[:4]) for week, _ in weekly],  # "W03", the year below
        [("breached issues", BREACH_COLOUR, [count for _, count in weekly])],
        top,
        range(0, top + 1, step),
        lambda v: "n/a" if v is None else f"{v:g}",
    )
    span = f" ({weekly[0][0]} to {weekly[-1][0]})" if weekly else ""
    return (
        '<figure class="wide"><figcaption>Breached issues per ISO week of creation'
        f"{_e(span)}</figcaption>{svg}</figure>"
    )


def _groups_table(report: dict[str, Any], total: dict[str, Any]) -> str:
    head = (
        "<tr><th>level</th><th>priority</th><th>category</th><th class=num>issues</th>"
        "<th class=num>first response met</th><th class=num>resolution met</th>"
        "<th class=num>median first response, working min</th>"
        "<th class=num>median resolution, working min</th></tr>"
    )
    rows = []
    for group, css in [*((g, "") for g in report["groups"]), (total, "total")]:
        rows.append(
            f'<tr class="{css}"><td>{_e(group["level"])}</td><td>{_e(group["priority"])}</td>'
            f"<td>{_e(group['category'])}</td><td class=num>{group['count']}</td>"
            f"<td class=num>{_pct(group['first_response_met_pct'])}</td>"
            f"<td class=num>{_pct(group['resolution_met_pct'])}</td>"
            f"<td class=num>{_minutes(group['median_first_response_minutes'])}</td>"
            f"<td class=num>{_minutes(group['median_resolution_minutes'])}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _breached_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="muted">No issue created in the period breached its SLA.</p>'
    head = (
        "<tr><th class=num>#</th><th>created</th><th>level</th><th>priority</th>"
        "<th>category</th><th>missed</th><th>status</th><th>subject</th></tr>"
    )
    body = "".join(
        f"<tr><td class=num>{row['issue']}</td><td>{_e(row['created'])}</td>"
        f"<td>{_e(row['level'])}</td><td>{_e(row['priority'])}</td>"
        f"<td>{_e(row['category'])}</td>"
        f"<td>{_e(', '.join(m.replace('_', ' ') for m in row['missed']))}</td>"
        f"<td>{_e(row['status'])}</td><td>{_e(row['subject'])}</td></tr>"
        for row in rows
    )
    return f"<table>{head}{body}</table>"


def report_html(report: dict[str, Any], details: dict[str, Any]) -> str:
    """One self-contained page: inline CSS and SVG, no script, nothing fetched."""
    since, until = report["since"], report["until"]
    total = {"level": "all", "priority": "", "category": "", **details["all"]}
    cards = [
        ("issues created", str(total["count"]), ""),
        ("breached", str(len(report["breached"])), " bad" if report["breached"] else ""),
        ("first response met", _pct(total["first_response_met_pct"]), ""),
        ("resolution met", _pct(total["resolution_met_pct"]), ""),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>SLA compliance {_e(since)} to {_e(until)}</title>",
            f"<style>{_CSS}</style></head><body>",
            "<h1>SLA compliance</h1>",
            f'<p class="muted">Issues created from {_e(since)} to {_e(until)} (local dates, '
            f"any status), as of {_e(details['generated'])}.</p>",
            '<div class="cards">'
            + "".join(
                f'<div class="card{css}">{_e(label)}<b>{_e(value)}</b></div>'
                for label, value, css in cards
            )
            + "</div>",
            '<div class="charts">',
            _compliance_chart("Compliance by service level", details["by_level"], "level"),
            _compliance_chart("Compliance by priority", details["by_priority"], "priority"),
            "</div>",
            _weekly_chart(details["breaches_per_week"]),
            "<h2>By level, priority and category</h2>",
            _groups_table(report, total),
            f"<h2>Breached issues ({len(report['breached'])})</h2>",
            _breached_table(details["breached_issues"]),
            '<p class="notes">Met: the clock stopped within its target. Missed: the target '
            "passed, answered late or not yet. Issues whose clock is still running (or paused) "
            "within its target are in neither, so not in the percentage. Medians are working "
            "minutes (09:00–18:00 on working days; resolution without paused time) over the "
            "clocks that stopped. Issues created already resolved or closed count as issues "
            "only.</p>",
            "</body></html>",
            "",
        ]
    )
