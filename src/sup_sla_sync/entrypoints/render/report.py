"""The renderings of a report's figures (`core.report.ReportFigures`), for `report`
(SPEC.md, "CLI"): a table, CSV, JSON and a self-contained HTML page with SVG charts.

The table and the HTML speak the `--language` (texts `report.*` in core/texts), with its
number and date formats; CSV and JSON keep the raw values. The HTML links every issue
number to the address the caller's `issue_url` gives it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from sup_sla_sync.core.report import FIXED_VALUES, ReportFigures, Value
from sup_sla_sync.core.texts import text
from sup_sla_sync.inert import inert

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


def local_date(language: str, day: date) -> str:
    return day.strftime(_t(language, "date"))


def local_datetime(language: str, when: datetime) -> str:
    return when.strftime(_t(language, "datetime"))


def _dimensions(language: str, by: Sequence[str]) -> str:
    return ", ".join(_t(language, f"dim.{d}") for d in by)


# --- table and CSV ----------------------------------------------------------------------


def report_table(report: ReportFigures, language: str = "en") -> list[str]:
    """The report as text lines in `language`: groups, an "all" row, the breached issues."""
    by = report.by
    heading = _t(
        language,
        "heading",
        since=local_date(language, report.since),
        until=local_date(language, report.until),
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
            *(("update_on_time",) if report.updates else ()),
        )
    ]

    def cell(value: float | None, pct: bool = False) -> str:
        if value is None:
            return "-"
        return percent(language, value) if pct else number(language, value)

    rows = []
    total = {**dict.fromkeys(by, ""), **report.all}
    for i, group in enumerate([*report.groups, total]):
        is_total = i == len(report.groups)
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
                # The update clock is optional: an empty figure reads "n/a", not "-".
                *((percent(language, group["update_on_time_pct"]),) if report.updates else ()),
            ]
        )
    widths = [max(len(row[c]) for row in [head, *rows]) for c in range(len(head))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            value.ljust(width) if c < len(by) else value.rjust(width)
            for c, (value, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    lines = [heading, line(head)]
    if report.groups:
        lines += [line(row) for row in rows]
    else:
        lines.append(_t(language, "no_issues"))
    lines.append(_t(language, "legend"))
    lines.append(_t(language, "breached_count", count=len(report.breached)))
    for row in report.breached_issues:
        kind = "/".join(shown_value(language, d, v) for d, v in row["values"].items())
        missed = " + ".join(_t(language, f"clock.{m}") for m in row["missed"])
        lines.append(
            f"  #{row['issue']:<6} {local_datetime(language, row['created'])}  {kind}  "
            f"{missed}  {inert(row['subject'])}"
        )
    return lines


def report_csv(report: ReportFigures) -> str:
    """One row per group under a header (the `by` keys, then the figures); an empty cell
    where the JSON has null."""
    columns = (*report.by, *report.figure_names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for group in report.groups:
        writer.writerow(["" if group[c] is None else group[c] for c in columns])
    return out.getvalue()


def report_json(report: ReportFigures) -> str:
    """The SPEC document (`ReportFigures.document`), indented, non-ASCII kept."""
    return json.dumps(report.document(), ensure_ascii=False, indent=2) + "\n"


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
    language: str, by: Sequence[str], report: ReportFigures, total: dict[str, Any]
) -> str:
    head = "".join(f"<th>{_e(_t(language, f'dim.{d}'))}</th>" for d in by) + "".join(
        f"<th class=num>{_e(_t(language, key))}</th>"
        for key in (
            "issues",
            "first_response_met",
            "resolution_met",
            "median_first_response",
            "median_resolution",
            *(("update_on_time",) if report.updates else ()),
        )
    )

    def minutes(value: float | None) -> str:
        return "–" if value is None else number(language, value)

    rows = []
    for group in report.groups:
        names = "".join(f"<td>{_e(shown_value(language, d, group[d]))}</td>" for d in by)
        rows.append((names, group, ""))
    all_cells = f"<td>{_e(_t(language, 'all'))}</td>" + "<td></td>" * (len(by) - 1)
    rows.append((all_cells, total, "total"))
    body = "".join(
        f'<tr class="{css}">{names}<td class=num>{group["count"]}</td>'
        f"<td class=num>{_e(percent(language, group['first_response_met_pct']))}</td>"
        f"<td class=num>{_e(percent(language, group['resolution_met_pct']))}</td>"
        f"<td class=num>{_e(minutes(group['median_first_response_minutes']))}</td>"
        f"<td class=num>{_e(minutes(group['median_resolution_minutes']))}</td>"
        + (
            f"<td class=num>{_e(percent(language, group['update_on_time_pct']))}</td>"
            if report.updates
            else ""
        )
        + "</tr>"
        for names, group, css in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _breached_table(
    language: str,
    by: Sequence[str],
    rows: Sequence[dict[str, Any]],
    issue_url: Callable[[int], str],
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
        f'<tr><td class=num><a href="{_e(issue_url(row["issue"]))}">'
        f"{row['issue']}</a></td>"
        f"<td>{_e(local_datetime(language, row['created']))}</td>"
        + "".join(f"<td>{_e(shown_value(language, d, row['values'][d]))}</td>" for d in by)
        + f"<td>{_e(', '.join(_t(language, f'clock.{m}') for m in row['missed']))}</td>"
        f"<td>{_e(row['status'])}</td><td class=text>{_e(row['subject'])}</td></tr>"
        for row in rows
    )
    return f"<table>{head}{body}</table>"


def report_html(
    report: ReportFigures, issue_url: Callable[[int], str], language: str = "en"
) -> str:
    """One self-contained page in `language`: inline CSS and SVG, no script, nothing
    fetched; every issue number links to `issue_url(its id)`."""
    by = report.by
    since, until = local_date(language, report.since), local_date(language, report.until)
    total = {**dict.fromkeys(by, ""), **report.all}
    cards = [
        (_t(language, "issues_created"), str(total["count"]), ""),
        (_t(language, "breached"), str(len(report.breached)), " bad" * bool(report.breached)),
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
        generated=local_datetime(language, report.generated),
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
            *(_compliance_chart(language, d, rows) for d, rows in report.charts),
            "</div>",
            _weekly_chart(language, report.breaches_per_week),
            f"<h2>{_e(_t(language, 'groups', dimensions=_dimensions(language, by)))}</h2>",
            _groups_table(language, by, report, total),
            f"<h2>{_e(_t(language, 'breached_issues', count=len(report.breached)))}</h2>",
            _breached_table(language, by, report.breached_issues, issue_url),
            f'<p class="notes">{_e(_t(language, "notes"))}</p>',
            *(
                [f'<p class="notes">{_e(_t(language, "notes.update"))}</p>']
                if report.updates
                else []
            ),
            "</body></html>",
            "",
        ]
    )
