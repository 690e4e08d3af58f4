"""Contract policies (`[[policies]]`): which issue takes which targets and hours.

Tables in the style of test_decide.py: a timeline, the people and `now` in; the policy, the
due times and the writes out. Times are Astana wall times (2025-01-13 is a Monday,
2025-01-18 a Saturday).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from sup_sla_sync.adapters.redmine.check import check_tracker
from sup_sla_sync.adapters.redmine.directory import CustomField, Directory, ProjectSetup
from sup_sla_sync.config import Settings, load_settings
from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import IssueSnapshot, cf
from sup_sla_sync.core.queue import queue_order
from sup_sla_sync.core.wakeup import wake_up
from sup_sla_sync.entrypoints.render.explain import explain_json, explain_lines
from sup_sla_sync.errors import ConfigError
from test_decide import writes

from factories import (
    CLIENT,
    LEAD,
    PEOPLE,
    VIP_CLIENT,
    at,
    change,
    issue,
    make_policy,
    make_rules,
    note,
    status,
)

CAL = WorkCalendar()
BANK_CLIENT = 40
PEOPLE_WITH_GROUPS = replace(
    PEOPLE,
    vip_ids=PEOPLE.vip_ids | {BANK_CLIENT},
    logins={**PEOPLE.logins, BANK_CLIENT: "bank1"},
    groups={"Bank VIP": frozenset({BANK_CLIENT})},
)
BANK = make_policy(
    "bank-24x7",
    groups=("Bank VIP",),
    vip_normal=60,
    resolution_vip=240,
    calendar=CalendarRules(mode="24x7"),
)
GOV = make_policy(
    "gov-extended",
    field_values=("VIP Gov",),
    calendar=CalendarRules(work_start=time(8, 0), work_end=time(20, 0)),
)
GOLD = make_policy("gold", projects=("gold",), vip_normal=30, resolution_vip=300)
RULES = make_rules(vip_values=frozenset({"VIP", "VIP Gov", "VIP Gold"}), policies=(BANK, GOV, GOLD))


def view_of(snapshot: IssueSnapshot, now: str, rules: Any = RULES) -> Any:
    return evaluate(snapshot, CAL, rules, PEOPLE_WITH_GROUPS, at(now))


# name, issue, now, policy, first response due, resolution due
CASES: list[tuple[str, IssueSnapshot, str, str, str, str]] = [
    (
        "no policy matches: the defaults and [calendar]",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 10:30",
        "",
        "2025-01-13 12:00",
        "2025-01-14 10:00",
    ),
    (
        "matched by the author's group: 24x7, its own targets (a Saturday night counts)",
        issue("2025-01-18 23:00", author=BANK_CLIENT),
        "2025-01-18 23:30",
        "bank-24x7",
        "2025-01-19 00:00",
        "2025-01-19 03:00",
    ),
    (
        "matched by the service-level value: 08:00-20:00 (19:00 + 120 min = Tuesday 09:00)",
        issue("2025-01-13 19:00", level="VIP Gov"),
        "2025-01-13 19:30",
        "gov-extended",
        "2025-01-14 09:00",
        "2025-01-14 16:00",  # 60 min Monday, then 480 of Tuesday's 08:00-20:00
    ),
    (
        "matched by the project: the default hours, its own targets",
        issue("2025-01-13 10:00", level="VIP", project="gold"),
        "2025-01-13 10:10",
        "gold",
        "2025-01-13 10:30",
        "2025-01-13 15:00",
    ),
    (
        "the first match wins (a bank client filing in the gold project)",
        issue("2025-01-13 10:00", author=BANK_CLIENT, project="gold"),
        "2025-01-13 10:10",
        "bank-24x7",
        "2025-01-13 11:00",
        "2025-01-13 14:00",
    ),
    (
        "a group the author is not in: no match",
        issue("2025-01-18 23:00", level="VIP", author=VIP_CLIENT),
        "2025-01-18 23:30",
        "",
        "2025-01-20 11:00",
        "2025-01-20 18:00",
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "now", "policy", "first_due", "resolution_due"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_matching_policy_sets_targets_and_hours(
    snapshot: IssueSnapshot, now: str, policy: str, first_due: str, resolution_due: str
) -> None:
    view = view_of(snapshot, now)
    assert view.policy == policy
    assert view.first_response.due == at(first_due)
    assert view.resolution.due == at(resolution_due)


def test_a_saturday_night_request_under_24x7_breaches_on_sunday_and_says_so() -> None:
    snapshot = issue("2025-01-18 23:00", author=BANK_CLIENT)
    decision = decide(snapshot, RULES, CAL, PEOPLE_WITH_GROUPS, at("2025-01-19 00:05"))
    assert decision.view.first_response.breached
    assert decision.view.calendar is RULES.calendars[RULES.policies[0].calendar]  # type: ignore[index]
    # Sunday 00:05 is working time for this contract: the breach note goes out now.
    assert writes(decision) == [
        "fields",
        "note private [sla:first_response:breach]",
        f"watcher {LEAD}",
    ]
    assert decision.plan.fields["SLA first response due"] == "2025-01-19T00:00+05:00"
    # The same request without the contract is not due until Monday.
    plain = decide(
        replace(snapshot, author_id=VIP_CLIENT),
        RULES,
        CAL,
        PEOPLE_WITH_GROUPS,
        at("2025-01-19 00:05"),
    )
    assert plain.view.policy == "" and plain.view.first_response.due == at("2025-01-20 11:00")
    assert writes(plain) == ["fields"]


def test_notes_in_working_hours_follow_the_policys_hours() -> None:
    # 19:30 on Monday: after [calendar]'s 18:00, inside the contract's 08:00-20:00.
    gov = issue("2025-01-13 17:00", level="VIP Gov")
    decision = decide(gov, RULES, CAL, PEOPLE_WITH_GROUPS, at("2025-01-13 19:30"))
    assert "note private [sla:first_response:breach]" in writes(decision)
    plain = decide(
        issue("2025-01-13 09:00", level="VIP"),
        RULES,
        CAL,
        PEOPLE_WITH_GROUPS,
        at("2025-01-13 19:30"),
    )
    assert plain.view.first_response.breached
    assert "note private [sla:first_response:breach]" not in writes(plain)  # waits for 09:00


def test_a_change_of_policy_recomputes_from_creation_keeping_elapsed_and_paused_time() -> None:
    history = (
        note("2025-01-13 10:10", text="Проверяем"),
        status("2025-01-13 11:00", "New", "Feedback"),
        status("2025-01-13 13:00", "Feedback", "In Progress", user=CLIENT),
    )
    before = issue("2025-01-13 10:00", *history, level="VIP")
    view = view_of(before, "2025-01-13 13:30")
    assert view.policy == ""
    # 60 min used before the pause; 480 left from 13:00: Monday 18:00 plus 180 on Tuesday.
    assert view.resolution.due == at("2025-01-14 12:00")

    moved = issue(
        "2025-01-13 10:00",
        *history,
        change("2025-01-13 14:00", cf("SLA level"), "VIP", "VIP Gold"),
        level="VIP Gold",
        project="edoc",
    )
    gold = replace(GOLD, projects=frozenset(), field_values=frozenset({"VIP Gold"}))
    rules = make_rules(vip_values=frozenset({"VIP", "VIP Gold"}), policies=(gold,))
    after = view_of(moved, "2025-01-13 15:00", rules)
    assert after.policy == "gold"
    assert after.resolution.target_minutes == 300
    assert after.resolution.used_minutes == 60 + 120  # 10:00-11:00 and 13:00-15:00
    assert [i.kind for i in after.resolution.intervals] == ["running", "paused", "running"]
    assert after.resolution.due == at("2025-01-13 17:00")  # 13:00 + (300 - 60)
    # The first response was met at 10:10, inside the new 30 minutes too.
    assert after.first_response.stopped_at == at("2025-01-13 10:10")
    assert not after.first_response.breached


def test_each_distinct_calendar_is_built_once_and_shared() -> None:
    settings = Settings(
        policies=[
            {"name": "a", "projects": ["a"], "calendar": {"mode": "24x7"}},
            {"name": "b", "projects": ["b"], "calendar": {"mode": "24x7"}},
            {"name": "c", "projects": ["c"], "calendar": {"work_start": "09:00"}},
            {"name": "d", "projects": ["d"]},
        ]
    )
    rules = settings.rules()
    a, b, c, d = rules.policies
    assert a.calendar == b.calendar and len(rules.calendars) == 1
    assert rules.calendar_of(a, CAL) is rules.calendar_of(b, CAL)
    assert rules.calendar_of(a, CAL).round_the_clock
    # The same hours as [calendar], or none given: the default calendar itself.
    assert c.calendar is None and d.calendar is None
    assert rules.calendar_of(c, CAL) is CAL and rules.calendar_of(None, CAL) is CAL


def test_queue_orders_by_the_real_due_instant_across_calendars() -> None:
    bank = issue("2025-01-18 23:00", author=BANK_CLIENT, issue_id=1)  # due Sunday 00:00
    gov = issue("2025-01-17 17:30", level="VIP Gov", issue_id=2)  # due Friday 19:30
    plain = issue("2025-01-17 17:00", level="VIP", issue_id=3)  # due Monday 10:30
    views = [view_of(i, "2025-01-18 23:30") for i in (plain, bank, gov)]
    assert [v.issue.id for v in queue_order(views)] == [2, 1, 3]


def test_explain_names_the_policy_and_its_hours() -> None:
    bank = decide(
        issue("2025-01-18 23:00", author=BANK_CLIENT),
        RULES,
        CAL,
        PEOPLE_WITH_GROUPS,
        at("2025-01-18 23:30"),
    )
    shown = explain_json(bank.view, bank.writes())
    assert (shown["policy"], shown["calendar"]) == ("bank-24x7", "24x7, Asia/Almaty")
    assert shown["first_response"]["due"] == "2025-01-19T00:00+05:00"
    assert "  policy: contract policy 'bank-24x7'; hours 24x7, Asia/Almaty" in explain_lines(
        bank.view, []
    )
    plain = evaluate(issue("2025-01-13 10:00"), CAL, RULES, PEOPLE, at("2025-01-13 10:30"))
    shown = explain_json(plain, [])
    assert shown["policy"] is None
    assert shown["calendar"] == "09:00-18:00 working days, Asia/Almaty"
    gov = view_of(issue("2025-01-13 10:00", level="VIP Gov"), "2025-01-13 10:30")
    assert explain_json(gov, [])["calendar"] == "08:00-20:00 working days, Asia/Almaty"


# --- configuration errors name policies[N].key -------------------------------------------

BAD: list[tuple[str, str]] = [
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n'
        '[[policies]]\nname = "b"\nprojects = ["b"]\n[policies.calendar]\nwork_start = "25:00"\n',
        "policies[1].calendar.work_start: '25:00' is not a time of day as HH:MM "
        "(00:00 to 23:59) (policy 'b')",
    ),
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n[policies.calendar]\nwork_end = "08:30"\n',
        "policies[0].calendar: work_start must be before work_end (policy 'a')",
    ),
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n[policies.calendar]\nmode = "24/7"\n',
        "policies[0].calendar.mode: Input should be 'hours' or '24x7' (policy 'a')",
    ),
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n[policies.calendar]\ntimezone = "Mars/Base"\n',
        "policies[0].calendar.timezone: 'Mars/Base' is not a time zone in the tzdata package",
    ),
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n[policies.targets.resolution]\nvipp = 240\n',
        "policies[0].targets.resolution.vipp: unknown key (policy 'a')",
    ),
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n[policies.targets.first_response]\n'
        "vip_normal = 0\n",
        "policies[0].targets.first_response.vip_normal: Input should be greater than 0",
    ),
    (
        '[[policies]]\nname = "a"\nprojects = ["a"]\n[[policies]]\nname = "a"\ngroups = ["g"]\n',
        "policies[1].name: 'a' is also the name of policies[0]",
    ),
    ('[[policies]]\nname = "a"\n', "policies[0]: policy 'a' matches no issue"),
    ('[[policies]]\nprojects = ["a"]\n', "policies[0].name: Field required"),
    (
        "[escalation]\nafter_breach_working_minutes = [480, 120]\n",
        "escalation.after_breach_working_minutes: [480, 120] must be strictly ascending",
    ),
    (
        "[escalation]\nafter_breach_working_minutes = [0]\n",
        "escalation.after_breach_working_minutes: 0 is not a number of working minutes",
    ),
]


@pytest.mark.parametrize(("toml", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_a_bad_policy_or_escalation_is_a_config_error_naming_the_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value)


def test_the_commented_example_policies_parse(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text("utf-8")
    block = example[example.index("# [[policies]]") :]
    uncommented = "\n".join(line.removeprefix("# ") for line in block.splitlines())
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(uncommented, encoding="utf-8")
    rules = load_settings(path).rules()
    assert [p.name for p in rules.policies] == ["bank-24x7", "government-extended-hours"]
    assert rules.policies[0].targets.vip_immediate == 15
    assert rules.policies[0].targets.resolution_vip == 240
    assert rules.policies[0].targets.vip_normal == 120  # the rest from [targets]


# --- check: what the policies name must exist ------------------------------------------


class Inspected:
    def __init__(self, directory: Directory, logins: dict[int, str]) -> None:
        self.directory, self.logins = directory, logins

    def current_user(self) -> dict[str, Any]:
        return {"id": 1, "login": "sla-bot", "admin": True}

    def load_directory(self) -> Directory:
        return self.directory

    def load_logins(self) -> dict[int, str]:
        return self.logins

    def project_setup(self, identifier: str) -> ProjectSetup:
        return ProjectSetup(identifier)


def test_check_names_missing_policy_groups_projects_values_and_escalation_logins() -> None:
    settings = Settings(
        redmine={"projects": ["edoc"]},
        staff={"groups": ["Support"], "lead": ""},
        service_level={"vip_values": ["VIP"]},
        escalation={"after_breach_working_minutes": [120], "logins": ["boss", "ghost"]},
        policies=[
            {"name": "bank", "groups": ["Bank VIP", "Bank Gold"], "projects": ["edoc", "bnk"]},
            {"name": "gov", "field_values": ["VIP", "VIP Gov"]},
        ],
    )
    level = CustomField(3, "SLA level", "list", ("VIP", "Basic"))
    directory = Directory(
        custom_fields={"SLA level": level},
        projects={"edoc": 1, "bank": 2},
        groups={"Support": 5, "Bank VIP": 6},
    )
    problems = check_tracker(settings, Inspected(directory, {1: "sla-bot", 9: "boss"}))
    mine = [p for p in problems if p.startswith(("policies", "escalation"))]
    assert [p.split(";")[0] for p in mine] == [
        "escalation.logins: no user with the login 'ghost'",
        "policies[0].projects: no project 'bnk' visible to the key (policy 'bank')",
        "policies[0].groups: no group 'Bank Gold' in the tracker (policy 'bank')",
        "policies[1].field_values: the custom field 'SLA level' has no value 'VIP Gov' "
        "(policy 'gov')",
    ]
    assert "did you mean 'bank'?" in mine[1]


def test_an_unchanged_issue_wakes_up_in_its_policys_calendar() -> None:
    # Saturday 23:30: [calendar] sleeps until Monday, the 24x7 contract breaches at 00:00.
    view = view_of(issue("2025-01-18 23:00", author=BANK_CLIENT), "2025-01-18 23:30")
    assert wake_up(view, RULES, CAL, at("2025-01-18 23:30")) == at("2025-01-18 23:45")  # 75%
    view = view_of(issue("2025-01-18 23:00", author=BANK_CLIENT), "2025-01-18 23:50")
    assert wake_up(view, RULES, CAL, at("2025-01-18 23:50")) == at("2025-01-19 00:01")
