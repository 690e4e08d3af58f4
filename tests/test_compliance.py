"""`report`: compliance figures over hand-made issues, every figure worked out by hand.

The period is Monday 2025-01-13 to Monday 2025-01-20 (ISO weeks 2025-W03 and W04, no
holiday); every issue is evaluated at Monday 2025-01-20 10:00 Astana time. Targets
(working minutes, 09:00-18:00): VIP first response 120 normal / 60 urgent ("High") /
30 immediate, VIP resolution 540; basic first response 540, resolution 1080.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import SlaView, evaluate
from sup_sla_sync.core.model import ASSIGNED_TO, IssueSnapshot
from sup_sla_sync.core.report import (
    ReportFigures,
    assignee_of,
    breached_issues,
    breaches_per_week,
    compliance_by,
    met_pct,
    parse_by,
    report_figures,
)
from sup_sla_sync.core.texts import TEXTS
from sup_sla_sync.entrypoints import cli
from sup_sla_sync.entrypoints.render.report import report_csv, report_html, report_table
from sup_sla_sync.service.sync import SyncService

from factories import AGENT, AGENT2, CLIENT, LEAD, PEOPLE, at, change, issue, note, status
from fake_tracker import FakeTracker

CAL = WorkCalendar()
SETTINGS = Settings(redmine={"url": "https://tracker.example"})
RULES = SETTINGS.rules()
NOW = "2025-01-20 10:00"
SINCE, UNTIL = "2025-01-13", "2025-01-20"
FIRST, LAST = date.fromisoformat(SINCE), date.fromisoformat(UNTIL)
LOGINS = dict(PEOPLE.logins)
URL = "https://sup.example.kz"


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


# The contract policy each issue matched (the core fills SlaView.policy; "" = defaults).
POLICIES = {1: "bank-24x7", 3: "bank-24x7", 6: "gov"}


def _views(policies: dict[int, str] | None = None) -> list[SlaView]:
    views = [evaluate(i, CAL, RULES, PEOPLE, at(NOW)) for i in _issues()]
    chosen = policies or {}
    return [dataclasses.replace(v, policy=chosen.get(v.issue.id, "")) for v in views]


def _figures(by: tuple[str, ...] = ("level", "priority", "category"), views=None) -> ReportFigures:
    return report_figures(views or _views(), FIRST, LAST, CAL.zone, at(NOW), by, LOGINS)


def _report(by: tuple[str, ...] = ("level", "priority", "category"), views=None) -> dict:
    """The JSON document."""
    return _figures(by, views).document()


def _link(issue_id: int) -> str:
    return f"{URL}/issues/{issue_id}"


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
KEYS = (
    "level",
    "priority",
    "category",
    "count",
    "first_response_met_pct",
    "resolution_met_pct",
    "median_first_response_minutes",
    "median_resolution_minutes",
)


def test_groups_in_order_with_every_figure() -> None:
    report = _report()
    assert [dict(zip(KEYS, g, strict=True)) for g in GROUPS] == report["groups"]
    assert report["since"] == SINCE
    assert report["until"] == UNTIL
    assert report["breached"] == [2, 3, 4, 8, 9]
    assert json.loads(json.dumps(report)) == report  # plain JSON values only


# --- --by -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        # (the group's --by values..., count)
        (("level",), [("vip", 4), ("basic", 5)]),
        (("priority",), [("immediate", 1), ("urgent", 1), ("normal", 7)]),
        (("category",), [("consultation", 7), ("defect", 2)]),
        # The default policy first, then by name.
        (("policy",), [("", 6), ("bank-24x7", 2), ("gov", 1)]),
        # Every issue is assigned to agent1 (the factory's default).
        (("assignee",), [("agent1", 9)]),
        (
            ("level", "policy"),
            [("vip", "", 2), ("vip", "bank-24x7", 2), ("basic", "", 4), ("basic", "gov", 1)],
        ),
        # The order of --by is the order of the keys and of the sorting.
        (
            ("policy", "level"),
            [("", "vip", 2), ("", "basic", 4), ("bank-24x7", "vip", 2), ("gov", "basic", 1)],
        ),
        (
            ("category", "policy", "priority"),
            [
                ("consultation", "", "immediate", 1),
                ("consultation", "", "normal", 4),  # B, E, G, H
                ("consultation", "bank-24x7", "normal", 1),
                ("consultation", "gov", "normal", 1),
                ("defect", "", "normal", 1),
                ("defect", "bank-24x7", "urgent", 1),
            ],
        ),
        (
            ("assignee", "policy"),
            [("agent1", "", 6), ("agent1", "bank-24x7", 2), ("agent1", "gov", 1)],
        ),
    ],
)
def test_groups_follow_by(by: tuple[str, ...], expected: list[tuple]) -> None:
    report = _report(by, _views(POLICIES))
    assert [(*(g[d] for d in by), g["count"]) for g in report["groups"]] == expected
    assert [list(g) for g in report["groups"]] == [[*by, *KEYS[3:]]] * len(expected)
    assert sum(g["count"] for g in report["groups"]) == 9


def test_figures_of_a_policy_group() -> None:
    groups = {g["policy"]: g for g in _report(("policy",), _views(POLICIES))["groups"]}
    # bank-24x7 = A (FR 60 met, resolved 300 met) and C (720 and 720, both missed).
    assert groups["bank-24x7"] == {
        "policy": "bank-24x7",
        "count": 2,
        "first_response_met_pct": 50.0,
        "resolution_met_pct": 50.0,
        "median_first_response_minutes": 390.0,
        "median_resolution_minutes": 510.0,
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("agent", "'agent' is not a dimension"),
        ("level,,priority", "an empty name is not a dimension"),
        ("level,level", "'level' is named twice"),
        ("", "an empty name is not a dimension"),
    ],
)
def test_parse_by_refuses_what_is_not_a_dimension(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_by(spec)


def test_parse_by_keeps_the_order() -> None:
    assert parse_by("assignee, policy,level") == ("assignee", "policy", "level")


# --- the assignee at the stop -----------------------------------------------------------


def _reassign(when: str, old: int | None, new: int | None):
    # As the Redmine adapter records it: user ids as text, None for nobody.
    return change(
        when, ASSIGNED_TO, None if old is None else str(old), None if new is None else str(new)
    )


def _assigned_cases() -> list[IssueSnapshot]:
    return [
        # agent1 -> agent2 at 11:00, resolved 12:00, back to agent1 the next day: agent2.
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:30"),
            _reassign("2025-01-13 11:00", AGENT, AGENT2),
            status("2025-01-13 12:00", "New", "Resolved"),
            _reassign("2025-01-14 10:00", AGENT2, AGENT),
            issue_id=21,
        ),
        # Still running and unassigned now (agent2 left it): unassigned.
        issue(
            "2025-01-13 10:00",
            _reassign("2025-01-13 11:00", AGENT2, None),
            assigned_to=None,
            issue_id=22,
        ),
        # Running, once agent2's, now the lead's: the current one.
        issue(
            "2025-01-14 10:00",
            _reassign("2025-01-14 11:00", AGENT2, LEAD),
            assigned_to=LEAD,
            issue_id=23,
        ),
        # Resolved while unassigned, assigned to agent1 afterwards: unassigned.
        issue(
            "2025-01-14 10:00",
            status("2025-01-14 12:00", "New", "Resolved"),
            _reassign("2025-01-14 13:00", None, AGENT),
            issue_id=24,
        ),
        # Reassigned in the very journal that resolves it: the new assignee.
        issue(
            "2025-01-15 10:00",
            dataclasses.replace(
                status("2025-01-15 12:00", "New", "Resolved"),
                changes=(
                    *status("2025-01-15 12:00", "New", "Resolved").changes,
                    *_reassign("2025-01-15 12:00", AGENT, AGENT2).changes,
                ),
            ),
            assigned_to=AGENT2,
            issue_id=25,
        ),
        # Reopened after a resolve under agent1, now running under agent2: agent2.
        issue(
            "2025-01-15 10:00",
            status("2025-01-15 11:00", "New", "Resolved"),
            status("2025-01-15 12:00", "Resolved", "In Progress"),
            _reassign("2025-01-15 12:30", AGENT, AGENT2),
            assigned_to=AGENT2,
            issue_id=26,
        ),
        # An assignee with no login (e.g. a group): named by its id.
        issue("2025-01-16 10:00", assigned_to=77, issue_id=27),
    ]


def test_the_assignee_is_the_one_when_the_resolution_clock_stopped() -> None:
    views = [evaluate(i, CAL, RULES, PEOPLE, at(NOW)) for i in _assigned_cases()]
    assert {v.issue.id: assignee_of(v) for v in views} == {
        21: AGENT2,
        22: None,
        23: LEAD,
        24: None,
        25: AGENT2,
        26: AGENT2,
        27: 77,
    }
    figures = _figures(("assignee",), views)
    report = figures.document()
    # Logins by name, the id without a login as user:ID, unassigned (null) last.
    assert [(g["assignee"], g["count"]) for g in report["groups"]] == [
        ("agent2", 3),
        ("lead1", 1),
        ("user:77", 1),
        (None, 2),
    ]
    table = "\n".join(report_table(figures, "en"))
    assert re.search(r"^unassigned +2 ", table, re.M)
    assert re.search(r"^user 77 +1 ", table, re.M)
    ru = "\n".join(report_table(figures, "ru"))
    assert re.search(r"^не назначен +2 ", ru, re.M)


# --- the other figures ------------------------------------------------------------------


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
    # Policies and assignees: only the values that occur.
    by_policy = [(r["policy"], r["count"]) for r in compliance_by(_views(POLICIES), "policy")]
    assert by_policy == [("", 6), ("bank-24x7", 2), ("gov", 1)]


def test_overall_figures() -> None:
    overall = _figures().all
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
    report = report_figures([], date(2025, 1, 13), date(2025, 1, 19), CAL.zone, at(NOW))
    assert report.document() == {
        "since": "2025-01-13",
        "until": "2025-01-19",
        "groups": [],
        "breached": [],
    }
    assert report.all["first_response_met_pct"] is None
    html = report_html(report, _link, "en")
    assert "No issue created in the period breached" in html
    assert html.count("<svg") == 4  # level, priority, category, breaches per week
    assert report_csv(report).splitlines() == [
        "level,priority,category,count,first_response_met_pct,resolution_met_pct,"
        "median_first_response_minutes,median_resolution_minutes"
    ]
    assert "(no issues created in the period)" in report_table(report, "en")
    # A dimension with no fixed values has no chart to draw: it says so.
    by = ("assignee",)
    html = report_html(report_figures([], FIRST, LAST, CAL.zone, at(NOW), by), _link, "ru")
    assert html.count("<svg") == 1
    assert "(за период обращений не создано)" in html


# --- CSV and JSON shapes ----------------------------------------------------------------


def test_csv_parses_back_to_the_groups() -> None:
    report = _report()
    rows = list(csv.DictReader(io.StringIO(report_csv(_figures()))))
    assert len(rows) == len(report["groups"])
    for row, group in zip(rows, report["groups"], strict=True):
        for key, value in group.items():
            assert row[key] == ("" if value is None else str(value))
    assert rows[3]["median_first_response_minutes"] == "217.5"


def test_csv_columns_follow_by() -> None:
    by = ("assignee", "policy")
    lines = report_csv(_figures(by, _views(POLICIES))).splitlines()
    assert lines[0] == (
        "assignee,policy,count,first_response_met_pct,resolution_met_pct,"
        "median_first_response_minutes,median_resolution_minutes"
    )
    # The default policy is an empty cell; bank-24x7 = A and C (see the policy group).
    assert lines[1:] == [
        # B, D, E, G, H, I: FR H, I met of B, D, H, I; resolution H, I missed; medians
        # of [180, 75, 10] and [1170].
        "agent1,,6,50.0,0.0,75.0,1170.0",
        "agent1,bank-24x7,2,50.0,50.0,390.0,510.0",
        "agent1,gov,1,100.0,100.0,360.0,480.0",
    ]


def test_json_keys_are_the_by_keys_then_the_figures() -> None:
    report = _report(("policy", "assignee"), _views(POLICIES))
    assert list(report) == ["since", "until", "groups", "breached"]
    assert list(report["groups"][0]) == ["policy", "assignee", *KEYS[3:]]
    assert report["groups"][0]["policy"] == ""  # the default targets
    assert report["breached"] == [2, 3, 4, 8, 9]


# --- table and HTML in a language -------------------------------------------------------


def test_table_lists_groups_total_and_breached_issues() -> None:
    lines = report_table(_figures(), "en")
    text = "\n".join(lines)
    assert lines[0] == "SLA compliance of the issues created 2025-01-13 to 2025-01-20"
    assert re.search(r"^vip +urgent +defect +1 +0\.0% +0\.0% +720\.0 +720\.0$", text, re.M)
    assert re.search(r"^all +9 +57\.1% +40\.0% +127\.5 +600\.0$", text, re.M)
    assert re.search(r"^basic +normal +defect +1 +100\.0% +0\.0% +10\.0 +-$", text, re.M)
    assert "breached: 5" in text
    assert "  #8      2025-01-13 17:30  basic/normal/consultation  resolution  Crash" in text
    assert "vip/urgent/defect  first response + resolution  " in text


def test_table_in_russian_and_kazakh() -> None:
    ru = report_table(_figures(), "ru")
    text = "\n".join(ru)
    assert ru[0] == "Соблюдение SLA по обращениям, созданным с 13.01.2025 по 20.01.2025"
    assert re.match(r"уровень +приоритет +категория +обращений +первый ответ в срок ", ru[1])
    assert re.search(r"^VIP +срочный +ошибка +1 +0,0\u00a0% +0,0\u00a0% +720,0 +720,0$", text, re.M)
    assert re.search(r"^все +9 +57,1\u00a0% +40,0\u00a0% +127,5 +600,0$", text, re.M)
    assert "с нарушением: 5" in text
    assert "  #8      13.01.2025 17:30  базовый/обычный/консультация  решение  Crash" in text
    kk = "\n".join(report_table(_figures(), "kk"))
    assert "бұзылған: 5" in kk
    assert re.search(r"^барлығы +9 +57,1\u00a0% ", kk, re.M)


@pytest.mark.parametrize(
    ("language", "mark", "not_a_no"),
    [("ru", "н/д", "нет"), ("kk", "дерек жоқ", "жоқ"), ("en", "n/a", "no")],
)
def test_an_empty_figure_reads_no_data_not_no(language: str, mark: str, not_a_no: str) -> None:
    """A group with no decided clock: «шешім мерзімінде: жоқ» would read "resolution on
    time: no"; the mark says "no data" in each language (issue 19)."""
    report = report_figures([], FIRST, LAST, CAL.zone, at(NOW))
    assert report.all["resolution_met_pct"] is None
    from sup_sla_sync.entrypoints.render.report import percent

    shown = percent(language, None)
    assert shown == mark and shown != not_a_no
    html = report_html(_figures(), _link, language)  # groups with undecided clocks
    assert html.count(mark) >= 3  # the charts' bars (and cells) that have no figure
    assert f">{not_a_no}<" not in html  # never a bare "no" where a figure is missing


def test_breached_issues_name_the_missed_clocks() -> None:
    rows = {r["issue"]: r["missed"] for r in breached_issues(_views(), CAL.zone)}
    assert rows == {
        2: ["first_response"],
        3: ["first_response", "resolution"],
        4: ["first_response"],
        8: ["resolution"],
        9: ["resolution"],
    }


def _visible(html: str) -> str:
    """The page's text as read: no tags, no attributes."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


def test_html_is_self_contained_with_charts_and_escaped_text() -> None:
    html = report_html(_figures(), _link, "en")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert html.count("<svg") == 4  # by level, by priority, by category, breaches per week
    assert "<script" not in html.lower()
    assert "url(" not in html and "@import" not in html and "src=" not in html
    # The only addresses are the links to the issues.
    assert set(re.findall(r"https?://[^\"<\s]+", html)) == {
        f"{URL}/issues/{i}" for i in (2, 3, 4, 8, 9)
    }
    assert "Crash &lt;b&gt;now&lt;/b&gt; &amp; then" in html
    assert "Crash <b>" not in html
    assert "W03" in html and "W04" in html and "2025-W03 to 2025-W04" in html
    assert "57.1%" in html  # first response met overall
    assert "2025-01-13" in html and "2025-01-20 10:00" in html


def test_every_breached_issue_number_links_to_the_issue() -> None:
    html = report_html(_figures(), _link, "en")
    links = re.findall(r'<a href="([^"]+)">(\d+)</a>', html)
    assert links == [(f"{URL}/issues/{i}", str(i)) for i in (2, 3, 4, 8, 9)]
    # The address is the caller's, whatever its scheme, escaped in the attribute.
    html = report_html(_figures(), lambda i: f"https://t.example/ticket?id={i}&v=2", "en")
    links = re.findall(r'<a href="([^"]+)">(\d+)</a>', html)
    assert links == [(f"https://t.example/ticket?id={i}&amp;v=2", str(i)) for i in (2, 3, 4, 8, 9)]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "ru",
            [
                "Соблюдение SLA",
                "Соблюдение SLA: уровень",
                "Соблюдение SLA: приоритет",
                "57,1\u00a0%",
                "13.01.2025",
                "20.01.2025 10:00",
                "нед. 03",
                "консультация",
                "Обращения с нарушением SLA (5)",
                "Группировка: уровень, приоритет, категория",
            ],
        ),
        (
            "kk",
            [
                "SLA сақталуы",
                "SLA сақталуы: деңгей",
                "57,1\u00a0%",
                "13.01.2025",
                "03 апта",
                "кеңес",
                "SLA бұзылған өтініштер (5)",
                "Топтастыру: деңгей",
            ],
        ),
    ],
)
def test_html_speaks_the_language(language: str, words: list[str]) -> None:
    html = report_html(_figures(), _link, language)
    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html, word
    # No English text of the report is left on the page (tags and addresses aside).
    shown = _visible(html)
    english = {
        value
        for key, value in TEXTS["en"].items()
        if key.startswith("report.")
        and "{" not in value
        and "%" not in value
        and len(value) >= 5
        and value != TEXTS[language][key]
    }
    assert english, "the English texts to look for"
    assert [phrase for phrase in english if phrase in shown] == []


def test_html_charts_and_tables_follow_by() -> None:
    by = ("assignee", "policy")
    views = _views(POLICIES)
    html = report_html(_figures(by, views), _link, "ru")
    assert html.count("<svg") == 3  # by assignee, by policy, breaches per week
    assert "Соблюдение SLA: исполнитель" in html and "Соблюдение SLA: договор" in html
    assert "Соблюдение SLA: уровень" not in html
    # The default policy reads as the language's word for it, in chart and table.
    assert ">по умолчанию (6)</text>" in html
    assert "<td>agent1</td><td>по умолчанию</td><td class=num>6</td>" in html
    assert ">bank-24x7 (2)</text>" in html
    assert "<th>исполнитель</th><th>договор</th>" in html


def test_the_language_files_have_every_report_text() -> None:
    keys = {lang: {k for k in table if k.startswith("report.")} for lang, table in TEXTS.items()}
    assert keys["en"] and keys["ru"] == keys["en"] == keys["kk"]


# --- through the CLI, against the in-memory tracker -------------------------------------


class _Clock:
    def __call__(self):
        return at(NOW)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path):
    outside = issue("2025-01-21 10:00", level="VIP", issue_id=99)  # after --until
    tracker = FakeTracker(*_issues(), outside, now=_Clock()).configured(SETTINGS)
    service = SyncService(SETTINGS, tracker, CAL, clock=_Clock())
    monkeypatch.setattr(cli.App, "service", lambda self: service)
    config = tmp_path / "sup-sla-sync.toml"
    config.write_text('[redmine]\nurl = "https://tracker.example"\n', encoding="utf-8")

    def invoke(*args: str):
        return CliRunner().invoke(cli.main, ["--config", str(config), "report", *args])

    return invoke


def test_cli_json_is_the_report_of_the_period(run) -> None:
    result = run("--since", SINCE, "--until", UNTIL, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == _report()


def test_cli_json_by_assignee_and_policy(run) -> None:
    result = run("--since", SINCE, "--until", UNTIL, "--by", "assignee,policy", "--format", "json")
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)["groups"]
    assert [(g["assignee"], g["policy"], g["count"]) for g in groups] == [("agent1", "", 9)]


def test_cli_table_csv_and_html_file(run, tmp_path: Path) -> None:
    table = run("--since", SINCE, "--until", UNTIL, "--language", "en")
    assert table.exit_code == 0, table.output
    assert "breached: 5" in table.output
    assert "#99" not in table.output
    csv_out = run("--since", SINCE, "--until", UNTIL, "--format", "csv", "--by", "priority")
    assert csv_out.output == report_csv(_figures(("priority",)))
    target = tmp_path / "report.html"
    html = run("--since", SINCE, "--until", UNTIL, "--format", "html", "--output", str(target))
    assert html.exit_code == 0, html.output
    assert html.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 4
    # notes.language (default "ru") when no --language is given; links to redmine.url.
    assert '<html lang="ru">' in page and "Соблюдение SLA" in page
    assert f'href="{SETTINGS.redmine.url}/issues/8"' in page


def test_cli_language_defaults_to_notes_language(run) -> None:
    assert run("--since", SINCE, "--until", UNTIL).output.startswith("Соблюдение SLA")
    kk = run("--since", SINCE, "--until", UNTIL, "--language", "kk")
    assert kk.output.startswith("13.01.2025 – 20.01.2025 аралығында")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", "level,agent"), "Invalid value for '--by': 'agent' is not a dimension"),
        (("--by", "policy,policy"), "Invalid value for '--by': 'policy' is named twice"),
        (("--language", "de"), "Invalid value for '--language'"),
    ],
)
def test_cli_bad_by_or_language_is_a_usage_error(run, args: tuple[str, ...], message: str) -> None:
    result = run("--since", SINCE, "--until", UNTIL, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_until_before_since_is_a_usage_error(run) -> None:
    result = run("--since", "2025-01-20", "--until", "2025-01-13")
    assert result.exit_code == 2
    assert "--until is before --since" in result.output


def test_cli_output_to_a_missing_directory_is_a_clear_error(run, tmp_path: Path) -> None:
    target = tmp_path / "nope" / "report.html"
    result = run("--since", SINCE, "--until", UNTIL, "--format", "html", "--output", str(target))
    assert result.exit_code == 1
    assert "No such file or directory" in result.output
