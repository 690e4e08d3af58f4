"""`core.report.report_figures` on hand-built views: the clocks, classification and state
of every view are set by hand here (not evaluated), so each figure follows from the few
numbers below, whatever the calendar and the rules would say."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import Clock, ClockName, SlaView, evaluate
from sup_sla_sync.core.model import Category, Channel, Priority, ServiceLevel, SlaState
from sup_sla_sync.core.policy import Classification
from sup_sla_sync.core.report import report_figures

from factories import AGENT, LEAD, PEOPLE, at, issue

CAL = WorkCalendar()
ZONE = ZoneInfo("Asia/Almaty")
NOW = at("2025-01-20 10:00")
SINCE, UNTIL = date(2025, 1, 13), date(2025, 1, 20)  # ISO weeks 2025-W03, 2025-W04
LOGINS = {AGENT: "agent1", LEAD: "lead1"}
# One evaluated view to borrow what the figures never read (timeline, targets, calendar).
BASE = evaluate(issue(), CAL, Settings().rules(), PEOPLE, NOW)


def clock(name: ClockName, used: float, *, stopped: bool = False, breached: bool = False) -> Clock:
    return Clock(
        name=name,
        target_minutes=100,
        due=None,
        used_minutes=used,
        running=not stopped,
        paused=False,
        stopped_at=NOW if stopped else None,
        breached=breached,
        intervals=(),
        reminders_crossed=(),
    )


def view(
    issue_id: int,
    *,
    level: ServiceLevel = ServiceLevel.BASIC,
    priority: Priority = Priority.NORMAL,
    category: Category = Category.CONSULTATION,
    first: tuple[float, bool, bool] = (10, False, False),  # used, stopped, breached
    resolution: tuple[float, bool, bool] = (10, False, False),
    state: SlaState = SlaState.ON_TRACK,
    created: str = "2025-01-14 10:00",
    assignee: int | None = AGENT,
    policy: str = "",
) -> SlaView:
    snapshot = dataclasses.replace(
        BASE.issue,
        id=issue_id,
        created_on=at(created),
        assigned_to_id=assignee,
        journals=(),
        subject=f"issue {issue_id}",
    )
    used, stopped, breached = first
    first_clock = clock(ClockName.FIRST_RESPONSE, used, stopped=stopped, breached=breached)
    used, stopped, breached = resolution
    resolution_clock = clock(ClockName.RESOLUTION, used, stopped=stopped, breached=breached)
    return dataclasses.replace(
        BASE,
        issue=snapshot,
        classification=Classification(level, Channel.OTHER, priority, category, "tracker"),
        first_response=first_clock,
        resolution=resolution_clock,
        state=state,
        policy=policy,
    )


def figures_of(views: list[SlaView], by: tuple[str, ...] = ("level", "priority", "category")):
    return report_figures(views, SINCE, UNTIL, ZONE, NOW, by, LOGINS)


def test_an_empty_report_has_no_group_and_null_figures() -> None:
    report = figures_of([])
    assert report.document() == {
        "since": "2025-01-13",
        "until": "2025-01-20",
        "groups": [],
        "breached": [],
    }
    assert report.all == {
        "count": 0,
        "first_response_met_pct": None,
        "resolution_met_pct": None,
        "median_first_response_minutes": None,
        "median_resolution_minutes": None,
    }
    # Every level, priority and category is charted, with nothing in it; the weeks too.
    level_chart = dict(report.charts)["level"]
    assert [(row["level"], row["count"]) for row in level_chart] == [("vip", 0), ("basic", 0)]
    assert report.breaches_per_week == (("2025-W03", 0), ("2025-W04", 0))
    assert report.breached_issues == ()
    assert report.generated == NOW.astimezone(ZONE)


def test_groups_in_the_order_of_each_dimension() -> None:
    views = [
        view(1, level=ServiceLevel.BASIC, category=Category.DEFECT),
        view(2, level=ServiceLevel.VIP, priority=Priority.NORMAL),
        view(3, level=ServiceLevel.VIP, priority=Priority.IMMEDIATE),
        view(4, level=ServiceLevel.BASIC),
        view(5, level=ServiceLevel.BASIC, category=Category.DEFECT),
    ]
    groups = figures_of(views).groups
    assert [(g["level"], g["priority"], g["category"], g["count"]) for g in groups] == [
        ("vip", "immediate", "consultation", 1),
        ("vip", "normal", "consultation", 1),
        ("basic", "normal", "consultation", 1),
        ("basic", "normal", "defect", 2),
    ]
    # By assignee and policy: logins by name, unassigned last; the default policy first.
    views = [
        view(1, assignee=LEAD, policy="gov"),
        view(2, assignee=None),
        view(3, assignee=AGENT, policy="bank"),
        view(4, assignee=AGENT),
        view(5, assignee=99),
    ]
    report = figures_of(views, ("assignee", "policy"))
    assert [(g["assignee"], g["policy"], g["count"]) for g in report.groups] == [
        ("agent1", "", 1),
        ("agent1", "bank", 1),
        ("lead1", "gov", 1),
        ("user:99", "", 1),
        (None, "", 1),
    ]
    assert list(report.groups[0]) == [
        "assignee",
        "policy",
        "count",
        "first_response_met_pct",
        "resolution_met_pct",
        "median_first_response_minutes",
        "median_resolution_minutes",
    ]
    assert [row["policy"] for row in dict(report.charts)["policy"]] == ["", "bank", "gov"]


def test_on_time_fractions_count_decided_clocks_only() -> None:
    views = [
        # first response: met, met, missed (stopped late), missed (running late), running
        view(1, first=(30, True, False), resolution=(200, True, False), state=SlaState.MET),
        view(2, first=(60, True, False), resolution=(400, True, True)),
        view(3, first=(150, True, True), resolution=(50, False, False)),
        view(4, first=(120, False, True), resolution=(50, False, False)),
        view(5, first=(20, False, False), resolution=(20, False, False)),
        # created closed: counted, in no fraction or median
        view(6, first=(0, True, True), resolution=(0, True, True), state=SlaState.NOT_APPLICABLE),
    ]
    report = figures_of(views)
    assert report.all == {
        "count": 6,
        "first_response_met_pct": 50.0,  # 2 of 4 decided
        "resolution_met_pct": 50.0,  # 1 of 2 decided (3, 4, 5 still running in target)
        "median_first_response_minutes": 60.0,  # of the stopped: 30, 60, 150
        "median_resolution_minutes": 300.0,  # of the stopped: 200, 400
    }
    (group,) = report.groups  # all basic, normal, consultation
    assert group == {"level": "basic", "priority": "normal", "category": "consultation"} | (
        report.all
    )
    # Two thirds, rounded to one decimal.
    views = [view(i, first=(1, True, i == 3)) for i in (1, 2, 3)]
    assert figures_of(views).all["first_response_met_pct"] == 66.7


def test_a_breach_is_listed_counted_per_week_and_named_by_its_clock() -> None:
    views = [
        view(
            8,
            level=ServiceLevel.VIP,
            first=(30, True, False),
            resolution=(700, False, True),
            state=SlaState.BREACHED,
            created="2025-01-20 09:00",  # W04
        ),
        view(3, first=(200, True, True), state=SlaState.BREACHED, created="2025-01-13 09:00"),
        view(5, first=(200, True, True)),  # breached clock, but its state says otherwise
    ]
    report = figures_of(views)
    assert report.breached == (3, 8)
    assert report.document()["breached"] == [3, 8]
    assert report.breaches_per_week == (("2025-W03", 1), ("2025-W04", 1))
    assert [
        (row["issue"], row["values"], row["missed"], row["created"])
        for row in report.breached_issues
    ] == [
        (
            3,
            {"level": "basic", "priority": "normal", "category": "consultation"},
            ["first_response"],
            datetime(2025, 1, 13, 9, 0, tzinfo=ZONE),
        ),
        (
            8,
            {"level": "vip", "priority": "normal", "category": "consultation"},
            ["resolution"],
            datetime(2025, 1, 20, 9, 0, tzinfo=ZONE),
        ),
    ]
    assert report.all["first_response_met_pct"] == 33.3  # 1 met of 3 decided
