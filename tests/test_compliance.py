"""`report`: compliance figures over hand-made issues, every figure worked out by hand.

The period is Monday 2025-01-13 to Monday 2025-01-20 (ISO weeks 2025-W03 and W04, no
holiday); every issue is evaluated at Monday 2025-01-20 10:00 Astana time. Targets
(working minutes, 09:00-18:00): VIP first response 120 normal / 60 urgent ("High") /
30 immediate, VIP resolution 540; basic first response 540, resolution 1080.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import SlaView, evaluate
from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.entrypoints import cli
from sup_sla_sync.entrypoints.render.report import (
    breached_issues,
    breaches_per_week,
    build_report,
    compliance_by,
    met_pct,
    report_csv,
    report_details,
    report_html,
    report_table,
)
from sup_sla_sync.service.sync import SyncService

from factories import CLIENT, PEOPLE, at, issue, note, status
from fake_tracker import FakeTracker

CAL = WorkCalendar()
SETTINGS = Settings()
RULES = SETTINGS.rules()
NOW = "2025-01-20 10:00"
SINCE, UNTIL = "2025-01-13", "2025-01-20"


def _issues() -> list[IssueSnapshot]:
    return [
        # A, vip normal consultation: answered after 60 min (met), resolved after 300 (met).
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 11:00"),
            status("2025-01-13 15:00", "New", "Resolved"),
            level="VIP",
            issue_id=1,
        ),
        # B, vip normal consultation: answered after 180 > 120 (missed); resolution paused
        # at 240 of 540 (undecided).
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 13:00"),
            status("2025-01-13 13:00", "New", "In Progress"),
            status("2025-01-13 14:00", "In Progress", "Feedback"),
            level="VIP",
            issue_id=2,
        ),
        # C, vip urgent defect: closed without a public note at Wed 12:00, which stops both
        # clocks: 540 + 180 = 720 working min, past 60 and past 540 (both missed).
        issue(
            "2025-01-14 09:00",
            status("2025-01-15 12:00", "New", "Closed"),
            level="VIP",
            prio="High",
            tracker="Bug",
            issue_id=3,
        ),
        # D, vip immediate consultation: unanswered at 60 > 30 min (missed, still running);
        # resolution running at 60 of 540 (undecided).
        issue("2025-01-20 09:00", level="VIP", prio="Immediate", issue_id=4),
        # E, basic consultation: only a private note; 60 (Fri) + 60 (Mon) = 120 of 540
        # running (undecided, both clocks).
        issue("2025-01-17 17:00", note("2025-01-20 09:30", private=True), issue_id=5),
        # F, basic consultation: answered after 360 (met); 360 running, paused in Feedback
        # overnight, 120 more, resolved: 480 of 1080 (met).
        issue(
            "2025-01-15 10:00",
            note("2025-01-15 16:00"),
            status("2025-01-15 16:00", "New", "Feedback"),
            note("2025-01-16 10:00", user=CLIENT, text="Here is the file"),
            status("2025-01-16 10:00", "Feedback", "In Progress"),
            status("2025-01-16 12:00", "In Progress", "Resolved"),
            issue_id=6,
        ),
        # G, basic consultation created already closed: not_applicable, counted only.
        issue("2025-01-16 11:00", status_now="Closed", issue_id=7),
        # H, basic consultation: answered after 30 + 45 = 75 (met); resolved Thu 10:00 after
        # 30 + 540 + 540 + 60 = 1170 > 1080 (missed).
        issue(
            "2025-01-13 17:30",
            note("2025-01-14 09:45"),
            status("2025-01-16 10:00", "New", "Resolved"),
            subject="Crash <b>now</b> & then",
            issue_id=8,
        ),
        # I, basic defect: answered after 10 (met); in progress since, 540 (Thu) + 540 (Fri)
        # + 60 (Mon) = 1140 > 1080 (missed, still running).
        issue(
            "2025-01-16 09:00",
            note("2025-01-16 09:10"),
            status("2025-01-16 09:10", "New", "In Progress"),
            tracker="Bug",
            issue_id=9,
        ),
    ]


def _views() -> list[SlaView]:
    return [evaluate(i, CAL, RULES, PEOPLE, at(NOW)) for i in _issues()]


def _report() -> dict:
    return build_report(_views(), date.fromisoformat(SINCE), date.fromisoformat(UNTIL))


def _details() -> dict:
    return report_details(
        _views(), date.fromisoformat(SINCE), date.fromisoformat(UNTIL), CAL.zone, at(NOW)
    )


def test_the_clocks_are_as_the_cases_say() -> None:
    """The premises of every figure below: used minutes, stopped, breached, state."""
    got = {
        v.issue.id: (
            v.first_response.used_minutes,
            v.first_response.stopped_at is not None,
            v.first_response.breached,
            v.resolution.used_minutes,
            v.resolution.stopped_at is not None,
            v.resolution.breached,
            v.state.value,
        )
        for v in _views()
    }
    assert got == {
        1: (60, True, False, 300, True, False, "met"),
        2: (180, True, True, 240, False, False, "breached"),
        3: (720, True, True, 720, True, True, "breached"),
        4: (60, False, True, 60, False, False, "breached"),
        5: (120, False, False, 120, False, False, "on_track"),
        6: (360, True, False, 480, True, False, "met"),
        7: (0, True, False, 0, True, False, "not_applicable"),
        8: (75, True, False, 1170, True, True, "breached"),
        9: (10, True, False, 1140, False, True, "breached"),
    }


GROUPS = [
    # level, priority, category, count, FR met %, resolution met %, FR median, res. median
    # D: FR missed, resolution undecided; no clock stopped.
    ("vip", "immediate", "consultation", 1, 0.0, None, None, None),
    # C: both missed, both stopped at 720.
    ("vip", "urgent", "defect", 1, 0.0, 0.0, 720.0, 720.0),
    # A met, B missed; resolution: A met, B paused (out); medians of [60, 180] and [300].
    ("vip", "normal", "consultation", 2, 50.0, 100.0, 120.0, 300.0),
    # E undecided, F and H met, G not applicable; resolution F met, H missed;
    # medians of [360, 75] and [480, 1170].
    ("basic", "normal", "consultation", 4, 100.0, 50.0, 217.5, 825.0),
    # I: answered in 10 (met); resolution missed but not stopped: no median.
    ("basic", "normal", "defect", 1, 100.0, 0.0, 10.0, None),
]


def test_groups_in_order_with_every_figure() -> None:
    report = _report()
    keys = (
        "level",
        "priority",
        "category",
        "count",
        "first_response_met_pct",
        "resolution_met_pct",
        "median_first_response_minutes",
        "median_resolution_minutes",
    )
    assert [dict(zip(keys, g, strict=True)) for g in GROUPS] == report["groups"]
    assert report["since"] == SINCE
    assert report["until"] == UNTIL
    assert report["breached"] == [2, 3, 4, 8, 9]
    assert json.loads(json.dumps(report)) == report  # plain JSON values only


def test_compliance_by_level_and_priority() -> None:
    views = _views()
    by_level = [
        (r["level"], r["count"], r["first_response_met_pct"], r["resolution_met_pct"])
        for r in compliance_by(views, "level")
    ]
    # vip: FR A met of A, B, C, D = 25.0; resolution A met of A, C = 50.0.
    # basic: FR F, H, I met of F, H, I; resolution F met of F, H, I = 33.3.
    assert by_level == [("vip", 4, 25.0, 50.0), ("basic", 5, 100.0, 33.3)]
    by_priority = [
        (r["priority"], r["count"], r["first_response_met_pct"], r["resolution_met_pct"])
        for r in compliance_by(views, "priority")
    ]
    # normal: FR A, F, H, I met of A, B, F, H, I = 80.0; resolution A, F of A, F, H, I.
    assert by_priority == [
        ("immediate", 1, 0.0, None),
        ("urgent", 1, 0.0, 0.0),
        ("normal", 7, 80.0, 50.0),
    ]


def test_overall_figures() -> None:
    overall = _details()["all"]
    # FR decided: A, B, C, D, F, H, I; met A, F, H, I: 4/7. Resolution decided: A, C, F,
    # H, I; met A, F: 2/5. Medians of [10, 60, 75, 180, 360, 720] and [300, 480, 720, 1170].
    assert overall == {
        "count": 9,
        "first_response_met_pct": 57.1,
        "resolution_met_pct": 40.0,
        "median_first_response_minutes": 127.5,
        "median_resolution_minutes": 600.0,
    }


def test_breaches_per_iso_week_of_local_creation() -> None:
    weekly = breaches_per_week(_views(), date(2025, 1, 13), date(2025, 1, 20), CAL.zone)
    assert weekly == [("2025-W03", 4), ("2025-W04", 1)]  # B, C, H, I; D
    # An empty week inside the period is shown as 0.
    assert breaches_per_week([], date(2024, 12, 30), date(2025, 1, 12), CAL.zone) == [
        ("2025-W01", 0),
        ("2025-W02", 0),
    ]


def test_a_breach_at_local_monday_00_30_is_in_the_week_it_starts() -> None:
    """Monday 00:30 in Astana is Sunday 19:30 UTC: the local date decides the week."""
    late = issue("2025-01-20 00:30", level="VIP", prio="Immediate", issue_id=11)
    view = evaluate(late, CAL, RULES, PEOPLE, at(NOW))
    assert view.issue.created_on.weekday() == 6  # Sunday in UTC
    assert breaches_per_week([view], date(2025, 1, 13), date(2025, 1, 20), CAL.zone) == [
        ("2025-W03", 0),
        ("2025-W04", 1),
    ]


@pytest.mark.parametrize(
    ("met", "missed", "undecided", "expected"),
    [(0, 0, 0, None), (0, 0, 3, None), (2, 1, 5, 66.7), (1, 2, 0, 33.3), (1, 7, 0, 12.5)],
)
def test_met_pct_rounds_to_one_decimal_and_ignores_undecided(
    met: int, missed: int, undecided: int, expected: float | None
) -> None:
    views = _views()
    met_clock = views[0].first_response  # A: stopped, not breached
    missed_clock = views[1].first_response  # B: breached
    running = views[4].first_response  # E: running within target
    clocks = [met_clock] * met + [missed_clock] * missed + [running] * undecided
    assert met_pct(clocks) == expected


def test_an_empty_period() -> None:
    report = build_report([], date(2025, 1, 13), date(2025, 1, 19))
    assert report == {"since": "2025-01-13", "until": "2025-01-19", "groups": [], "breached": []}
    details = report_details([], date(2025, 1, 13), date(2025, 1, 19), CAL.zone, at(NOW))
    assert details["all"]["first_response_met_pct"] is None
    html = report_html(report, details)
    assert "No issue created in the period breached" in html
    assert html.count("<svg") == 3
    assert report_csv(report).splitlines() == [
        "level,priority,category,count,first_response_met_pct,resolution_met_pct,"
        "median_first_response_minutes,median_resolution_minutes"
    ]
    assert "(no issues created in the period)" in report_table(report)


def test_csv_parses_back_to_the_groups() -> None:
    report = _report()
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert len(rows) == len(report["groups"])
    for row, group in zip(rows, report["groups"], strict=True):
        for key, value in group.items():
            assert row[key] == ("" if value is None else str(value))
    assert rows[3]["median_first_response_minutes"] == "217.5"


def test_table_lists_groups_total_and_breached_issues() -> None:
    lines = report_table(_report(), _details())
    text = "\n".join(lines)
    assert lines[0] == "SLA compliance of the issues created 2025-01-13 to 2025-01-20"
    assert "vip    urgent     defect" in text
    assert any(line.startswith("all ") for line in lines)
    assert "breached: 5" in text
    assert "  #8      2025-01-13 17:30  basic/normal/consultation    resolution     " in text
    assert "vip/urgent/defect            first response + resolution  " in text
    # Without details, the ids only.
    assert report_table(_report())[-1] == "  #2, #3, #4, #8, #9"


def test_breached_issues_name_the_missed_clocks() -> None:
    rows = {r["issue"]: r["missed"] for r in breached_issues(_views(), CAL.zone)}
    assert rows == {
        2: ["first_response"],
        3: ["first_response", "resolution"],
        4: ["first_response"],
        8: ["resolution"],
        9: ["resolution"],
    }


def test_html_is_self_contained_with_three_charts_and_escaped_text() -> None:
    html = report_html(_report(), _details())
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3  # by level, by priority, breaches per week
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert "url(" not in html and "@import" not in html and "src=" not in html
    assert "Crash &lt;b&gt;now&lt;/b&gt; &amp; then" in html
    assert "Crash <b>" not in html
    assert "2025-W03" in html and "2025-W04" in html
    assert "57.1%" in html  # first response met overall


# --- through the CLI, against the in-memory tracker -------------------------------------


class _Clock:
    def __call__(self):
        return at(NOW)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    outside = issue("2025-01-21 10:00", level="VIP", issue_id=99)  # after --until
    tracker = FakeTracker(*_issues(), outside, now=_Clock())
    service = SyncService(SETTINGS, tracker, CAL, clock=_Clock())
    monkeypatch.setattr(cli.App, "service", lambda self: service)

    def invoke(*args: str):
        return CliRunner().invoke(cli.main, ["report", *args])

    return invoke


def test_cli_json_is_the_report_of_the_period(run) -> None:
    result = run("--since", SINCE, "--until", UNTIL, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == _report()


def test_cli_table_csv_and_html_file(run, tmp_path: Path) -> None:
    table = run("--since", SINCE, "--until", UNTIL)
    assert table.exit_code == 0, table.output
    assert "breached: 5" in table.output
    assert "#99" not in table.output
    csv_out = run("--since", SINCE, "--until", UNTIL, "--format", "csv")
    assert csv_out.output == report_csv(_report())
    target = tmp_path / "report.html"
    html = run("--since", SINCE, "--until", UNTIL, "--format", "html", "--output", str(target))
    assert html.exit_code == 0, html.output
    assert html.stdout == ""
    assert target.read_text(encoding="utf-8").count("<svg") == 3


def test_cli_until_before_since_is_a_usage_error(run) -> None:
    result = run("--since", "2025-01-20", "--until", "2025-01-13")
    assert result.exit_code == 2
    assert "--until is before --since" in result.output


def test_cli_output_to_a_missing_directory_is_a_clear_error(run, tmp_path: Path) -> None:
    target = tmp_path / "nope" / "report.html"
    result = run("--since", SINCE, "--until", UNTIL, "--format", "html", "--output", str(target))
    assert result.exit_code == 1
    assert "No such file or directory" in result.output
