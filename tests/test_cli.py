"""Every command through click's CliRunner, as a user runs it, against the in-memory tracker.

`App.tracker` returns a `FakeTracker` and `App.clock` the fixed time NOW, Monday
2025-01-13 10:00 in Astana (a working day), so every figure below can be checked on a
calendar. The issues (VIP normal: first response 120 working minutes, VIP urgent: 60,
basic: 540; resolution VIP 540, basic 1080):

  #1 basic normal, created Mon 09:00: first response due Mon 18:00
  #2 VIP normal,   created Mon 09:30: due Mon 11:30 (30 of 120 used at NOW)
  #3 VIP urgent,   created Mon 09:50: due Mon 10:50
  #4 VIP normal,   created Mon 09:10: due Mon 11:10
  #5 VIP urgent,   created Fri 2025-01-10 17:00: due Fri 18:00, breached by an hour at NOW
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sup_sla_sync.adapters.redmine import (
    CustomField,
    Directory,
    IssuePriority,
    IssueStatus,
    ProjectSetup,
)
from sup_sla_sync.adapters.redmine.queries import query_names
from sup_sla_sync.core.model import IssueSnapshot
from sup_sla_sync.entrypoints import cli

from factories import AGENT2, LEAD, PEOPLE, at, issue
from fake_tracker import FakeTracker

NOW = "2025-01-13 10:00"
API_KEY = "0123456789abcdef-secret"


def _issues() -> list[IssueSnapshot]:
    return [
        issue("2025-01-13 09:00", issue_id=1, subject="Basic question"),
        issue("2025-01-13 09:30", level="VIP", issue_id=2, subject="VIP normal, later"),
        issue("2025-01-13 09:50", level="VIP", prio="High", issue_id=3, subject="VIP urgent"),
        issue("2025-01-13 09:10", level="VIP", issue_id=4, subject="VIP normal, earlier"),
        issue("2025-01-10 17:00", level="VIP", prio="High", issue_id=5, subject="Old urgent"),
    ]


class InspectableTracker(FakeTracker):
    """What `check` reads besides issues: the key's user, the directory, the logins."""

    def __init__(self, *issues: IssueSnapshot, now: Callable[[], datetime]) -> None:
        super().__init__(*issues, now=now)
        self.admin = True
        self.directory = full_directory()
        self.disabled: frozenset[int] = frozenset()  # field ids not ticked in the project
        self.no_issues = False
        self.recent: list[tuple[str, frozenset[int]]] = []
        # The saved queries setup-script makes, in `edoc`; a query id in `changed` lists
        # other issues than its ad-hoc equivalent.
        self.queries: list[dict[str, Any]] = [
            {"id": 20 + i, "name": name, "is_public": True, "project_id": 1}
            for i, name in enumerate(query_names("ru").values())  # notes.language: ru
        ]
        self.changed: set[int] = set()
        self.query_params: list[dict[str, Any]] = []

    def current_user(self) -> dict[str, Any]:
        return {"login": "sla-bot", "admin": self.admin}

    def load_directory(self) -> Directory:
        return self.directory

    def load_logins(self) -> dict[int, str]:
        return dict(PEOPLE.logins)

    def project_setup(self, identifier: str) -> ProjectSetup:
        # Every field ticked in the project, unless a test takes one out; an issue of each
        # tracker shows the ticked fields (unless a test says the project has no issues).
        fields = frozenset(f.id for f in self.directory.custom_fields.values()) - self.disabled
        trackers = self.directory.trackers
        shown = {} if self.no_issues else {t: fields for t in trackers.values()}
        return ProjectSetup(identifier, trackers, fields, shown)

    def recent_issue_fields(self) -> list[tuple[str, frozenset[int]]]:
        return self.recent

    def saved_queries(self) -> list[dict[str, Any]]:
        return self.queries

    def query_issue_ids(self, project: str | None, params: dict[str, Any]) -> tuple[int, list[int]]:
        self.query_params.append(params)
        return (1, [2]) if params.get("query_id") in self.changed else (0, [])


def full_directory() -> Directory:
    """Every name the default configuration (plus staff.lead) expects."""
    statuses = ["New", "In Progress", "Feedback", "Resolved", "Closed", "Rejected"]
    priorities = ["Low", "Normal", "High", "Urgent", "Immediate"]
    lists = {
        "SLA level": ("VIP",),
        "Channel": ("Online assistant", "Official letter"),
        "Category": ("Consultation", "Defect"),
    }
    texts = ["SLA first response due", "SLA resolution due", "SLA state"]
    fields = {
        name: CustomField(i, name, "list", values)
        for i, (name, values) in enumerate(lists.items(), start=1)
    }
    fields.update({name: CustomField(10 + i, name, "string") for i, name in enumerate(texts)})
    return Directory(
        statuses={
            n: IssueStatus(i, n, is_closed=n in ("Closed", "Rejected"))
            for i, n in enumerate(statuses, start=1)
        },
        trackers={"Bug": 1, "Support": 3},
        priorities={n: IssuePriority(i, n, n == "Normal") for i, n in enumerate(priorities)},
        custom_fields=fields,
        projects={"edoc": 1},
        groups={"Support": 5},
    )


@dataclass
class Cli:
    tracker: InspectableTracker
    config: Path

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(
            cli.main,
            ["--config", str(self.config), *args],
            env={"SUP_SLA_REDMINE__API_KEY": API_KEY},
        )

    def json(self, *args: str) -> Any:
        result = self(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(
        '[redmine]\nurl = "https://tracker.example"\n[staff]\nlead = "lead1"\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.delenv("SUP_SLA_CONFIG", raising=False)
    tracker = InspectableTracker(*_issues(), now=lambda: at(NOW))
    monkeypatch.setattr(cli.App, "tracker", lambda self: tracker.configured(self.settings))
    monkeypatch.setattr(cli.App, "clock", lambda self: at(NOW))
    return Cli(tracker, write_config(tmp_path))


# --- calendar ----------------------------------------------------------------------------


def test_calendar_json_marks_transferred_days(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no configuration file: defaults
    result = CliRunner().invoke(
        cli.main,
        ["calendar", "--since", "2025-01-01", "--until", "2025-01-10", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    days = {d["date"]: d for d in json.loads(result.stdout)}
    assert len(days) == 10
    assert days["2025-01-05"]["working"] is True
    assert days["2025-01-05"]["reason"] == "transferred working day"
    assert days["2025-01-03"]["working"] is False
    assert days["2025-01-07"]["working"] is False
    assert days["2025-01-06"] == {"date": "2025-01-06", "working": True, "reason": "working day"}


def test_calendar_table_and_extra_days(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[calendar]\nextra_holidays = ["2025-01-06"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli.main,
        ["--config", str(config), "calendar", "--since", "2025-01-04", "--until", "2025-01-06"],
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2025-01-04  Sat  off      weekend",
        "2025-01-05  Sun  working  transferred working day",
        "2025-01-06  Mon  off      extra holiday (configuration)",
    ]


def test_calendar_in_24x7_mode_works_every_day(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[calendar]\nmode = "24x7"\n')
    result = CliRunner().invoke(
        cli.main,
        ["--config", str(config), "calendar", "--since", "2025-01-01", "--until", "2025-01-04"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2025-01-01  Wed  working  24x7",
        "2025-01-02  Thu  working  24x7",
        "2025-01-03  Fri  working  24x7",
        "2025-01-04  Sat  working  24x7",
    ]


def test_calendar_usage_errors_exit_2() -> None:
    runner = CliRunner()
    bad = runner.invoke(cli.main, ["calendar", "--since", "2025-02-01", "--until", "2025-01-01"])
    assert bad.exit_code == 2
    bad = runner.invoke(cli.main, ["calendar", "--since", "tomorrow", "--until", "2025-01-01"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("command", ["calendar", "report"])
@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2025-01-20", "2025-01-13", "--until is before --since"),
        ("2015-01-01", "2025-01-13", "--since/--until: at most ten years at a time"),
    ],
)
def test_a_bad_period_is_refused_alike_by_calendar_and_report(
    run: Cli, command: str, since: str, until: str, message: str
) -> None:
    result = run(command, "--since", since, "--until", until)
    assert result.exit_code == 2
    assert message in result.output
    assert run.tracker.reads == [] and run.tracker.writes == []


def test_ten_years_is_still_a_period(run: Cli) -> None:
    assert run("calendar", "--since", "2015-01-13", "--until", "2025-01-13").exit_code == 0
    assert run("report", "--since", "2015-01-13", "--until", "2025-01-13").exit_code == 0


# --- config and check ------------------------------------------------------------------


def test_config_shows_the_effective_settings_with_the_key_masked(run: Cli) -> None:
    result = run("config")
    assert result.exit_code == 0, result.output
    assert API_KEY not in result.output
    shown = json.loads(result.stdout)
    assert shown["redmine"]["api_key"] == "***"
    assert shown["redmine"]["url"] == "https://tracker.example"
    assert shown["staff"]["lead"] == "lead1"
    assert shown["calendar"]["mode"] == "hours"


def test_check_passes_when_the_tracker_has_every_name(run: Cli) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: https://tracker.example has every status")
    assert "problem" not in result.output


def test_check_warns_of_old_open_issues_without_a_go_live_date(run: Cli, tmp_path: Path) -> None:
    """A tracker with history and no `[sync] since`: a warning (exit 0), gone once set."""
    run.tracker.issues[40] = issue("2024-12-01 10:00", issue_id=40)
    result = run("check")
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    assert warning.startswith("warning: sync.since: empty, and the projects hold 1 open issue")
    assert "sync --dry-run" in warning
    run.config = write_config(tmp_path, '[sync]\nsince = "2025-01-13"\n')
    assert "warning" not in run("check").stdout


def test_check_warns_of_a_saved_query_missing_private_or_changed(run: Cli) -> None:
    """The agents' saved queries (issue 19): missing, private or listing other issues than
    the filters and sort setup-script gives them: a warning each, never a problem."""
    result = run("check")
    assert "warning" not in result.stdout
    adhoc = [p for p in run.tracker.query_params if "query_id" not in p]
    assert [p["sort"] for p in adhoc] == ["cf_1:desc,priority:desc,cf_10:asc"] * 3
    assert adhoc[0]["group_by"] == "cf_1" and adhoc[1]["v[assigned_to_id][]"] == ["me"]
    assert adhoc[2]["f[]"] == ["status_id", "cf_12"] and adhoc[2]["v[cf_12][]"] == ["breached"]
    run.tracker.queries[0]["is_public"] = False
    del run.tracker.queries[1]
    run.tracker.changed = {22}
    result = run("check")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: saved query 'Очередь SLA' (project 'edoc', id 20) is private: agents do not "
        "see it (setup-script makes it public for the staff roles)",
        "warning: saved query 'Моя очередь SLA' (project 'edoc') is missing: run setup-script "
        "to create it",
        "warning: saved query 'Нарушен SLA' (project 'edoc', id 22) was changed: it lists 1 "
        "issue(s) in another order than the 0 its filters and sort from setup-script list "
        "(delete it and run setup-script to restore it)",
    ]


def test_check_does_not_warn_of_old_closed_issues(run: Cli) -> None:
    run.tracker.issues[40] = issue("2024-12-01 10:00", issue_id=40, status_now="Closed")
    assert "warning" not in run("check").stdout


def test_check_lists_every_problem_naming_the_key_and_exits_1(run: Cli) -> None:
    run.tracker.admin = False
    full = run.tracker.directory
    run.tracker.directory = Directory(
        statuses={n: s for n, s in full.statuses.items() if n != "Feedback"},
        trackers=full.trackers,
        priorities=full.priorities,
        custom_fields={n: f for n, f in full.custom_fields.items() if n != "SLA state"},
        projects=full.projects,
        groups={},
    )
    result = run("check")
    assert result.exit_code == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 4, result.stdout
    assert any(p.startswith("problem: redmine.api_key: the key's user 'sla-bot'") for p in problems)
    assert (
        "problem: statuses.awaiting_client: no status 'Feedback' in the tracker; the tracker "
        "has: New, In Progress, Resolved, Closed, Rejected" in problems
    )
    assert "problem: fields.sla_state: no issue custom field 'SLA state' in the tracker" in problems
    assert "problem: staff.groups: no group 'Support' in the tracker; the tracker has none" in (
        problems
    )
    assert "4 problem(s) found" in result.stderr


def test_check_names_what_the_tracker_has_and_the_closest_name(run: Cli, tmp_path: Path) -> None:
    full = run.tracker.directory
    russian = ["Новая", "В работе", "Решена", "Нужен отклик", "Закрыта", "Отклонена"]
    run.tracker.directory = replace(
        full,
        statuses={
            n: IssueStatus(i, n, n in ("Закрыта", "Отклонена"))
            for i, n in enumerate(russian, start=1)
        },
        trackers={"Ошибка": 1, "Поддержка": 3},
        groups={"Support team": 5},
    )
    problems = run("check").stdout.splitlines()
    has = "the tracker has: Новая, В работе, Решена, Нужен отклик, Закрыта, Отклонена"
    assert (
        f"problem: statuses.new: no status 'New' in the tracker; {has} — did you mean 'Новая'?"
        in problems
    )
    assert (
        f"problem: statuses.awaiting_client: no status 'Feedback' in the tracker; {has} — "
        "did you mean 'Нужен отклик'?" in problems
    )
    assert (
        "problem: trackers.defect: no tracker 'Bug' in the tracker; the tracker has: Ошибка, "
        "Поддержка — did you mean 'Ошибка'?" in problems
    )
    assert (
        "problem: staff.groups: no group 'Support' in the tracker; the tracker has: Support "
        "team — did you mean 'Support team'?" in problems
    )


def test_check_finds_a_field_not_enabled_for_a_tracker_or_a_project(run: Cli) -> None:
    full = run.tracker.directory
    fields = dict(full.custom_fields)
    fields["SLA state"] = replace(fields["SLA state"], trackers=frozenset({3}))  # not for Bug
    run.tracker.directory = replace(full, custom_fields=fields)
    run.tracker.disabled = frozenset({fields["SLA resolution due"].id})
    result = run("check")
    assert result.exit_code == 1
    problems = [p for p in result.stdout.splitlines() if p.startswith("problem: ")]
    assert problems == [
        "problem: fields.sla_state: custom field 'SLA state' is not enabled for the tracker "
        "'Bug' (trackers.*); tick it in the field's settings",
        "problem: fields.resolution_due: custom field 'SLA resolution due' is not enabled for "
        "the project 'edoc' (redmine.projects); tick it in the project's settings",
    ]


def test_check_cannot_tell_a_field_for_all_projects_in_an_empty_project(run: Cli) -> None:
    state = run.tracker.directory.custom_fields["SLA state"].id
    run.tracker.disabled = frozenset({state})
    run.tracker.no_issues = True
    result = run("check")
    assert result.exit_code == 0, result.output  # a doubt, not a problem
    assert (
        "warning: fields.sla_state: custom field 'SLA state' is not enabled for the project "
        "'edoc' (redmine.projects), unless it is for all projects" in result.stdout
    )
    # An issue of another project that does not tick it shows it: "for all projects".
    run.tracker.recent = [("other", frozenset({state}))]
    result = run("check")
    assert result.exit_code == 0 and "warning" not in result.stdout, result.output


def test_check_names_a_lead_who_does_not_exist(run: Cli, tmp_path: Path) -> None:
    write_config(tmp_path).write_text(
        '[redmine]\nurl = "https://tracker.example"\n[staff]\nlead = "lead"\n', encoding="utf-8"
    )
    result = run("check")
    assert result.exit_code == 1
    assert "problem: staff.lead: no user with the login 'lead'; did you mean 'lead1'?" in (
        result.stdout
    )


# --- sync and run ----------------------------------------------------------------------


def test_sync_table_writes_stamps_and_the_breach_note(run: Cli) -> None:
    result = run("sync")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "seen 5, updated 5, reminders 0, breaches 1, reopened 0, closed 0, errors 0"
    )
    fields = {i: w["custom_fields"] for i, w in run.tracker.writes if "custom_fields" in w}
    assert sorted(fields) == [1, 2, 3, 4, 5]
    assert fields[2]["SLA first response due"] == "2025-01-13T11:30+05:00"
    assert fields[2]["SLA resolution due"] == "2025-01-14T09:30+05:00"
    assert fields[5]["SLA first response due"] == "2025-01-10T18:00+05:00"
    assert {i: f["SLA state"] for i, f in fields.items()} == {
        1: "on_track",
        2: "on_track",
        3: "on_track",
        4: "on_track",
        5: "breached",
    }
    [breach] = [w for i, w in run.tracker.writes if i == 5 and "notes" in w]
    assert breach["notes"].startswith("[sla:first_response:breach]")
    assert breach["private_notes"] is True and "@lead1" in breach["notes"]
    assert run.tracker.watchers_added == [(5, LEAD)]


def test_sync_json_and_a_second_pass_writes_nothing(run: Cli) -> None:
    first = run.json("sync")
    assert first == {
        "seen": 5,
        "updated": 5,
        "reminders": 0,
        "breaches": 1,
        "reopened": 0,
        "closed": 0,
        "errors": [],
    }
    writes = len(run.tracker.writes)
    second = run.json("sync")
    assert (second["seen"], second["updated"], second["breaches"]) == (5, 0, 0)
    assert len(run.tracker.writes) == writes


def test_sync_dry_run_prints_the_plan_and_writes_nothing(run: Cli) -> None:
    result = run("sync", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == (
        "dry run: seen 5, updated 5, reminders 0, breaches 1, reopened 0, closed 0, errors 0"
    )
    assert "#2 fields: SLA first response due='2025-01-13T11:30+05:00'" in result.stdout
    assert any(
        line.startswith("#5 note: private note [sla:first_response:breach]") for line in lines
    )
    # The size of the pass comes first, by kind of write.
    assert lines[0].startswith("dry run would write: ")
    assert "field stamps: 5" in lines[0] and "notes [sla:first_response:breach]: 1" in lines[0]
    assert "watchers: 1" in lines[0]
    data = run.json("sync", "--dry-run")
    assert data["counts"]["field stamps"] == 5
    assert data["counts"]["notes [sla:first_response:breach]"] == 1
    assert data["counts"]["watchers"] == 1
    assert sum(data["counts"].values()) == len(data["planned"]) + sum(
        1 for w in data["planned"] if w["write"] not in ("fields", "watcher", "note")
    )
    planned = data["planned"]
    assert {w["issue"] for w in planned if w["write"] == "fields"} == {1, 2, 3, 4, 5}
    assert {"issue": 5, "write": "watcher", "user_id": LEAD} in planned
    assert run.tracker.writes == [] and run.tracker.watchers_added == []


@pytest.fixture
def restore_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_run_makes_a_pass_and_a_sigterm_stops_it_after_the_issue_in_hand(
    run: Cli, tmp_path: Path, restore_signal_handlers: None
) -> None:
    """SIGTERM arrives at the pass's first write (issue #1): #1 is finished, the pass ends
    there, and `run` exits 0 without waiting for another interval."""
    run.config = write_config(tmp_path, '[daemon]\nheartbeat_file = "beat.json"\n')

    def terminate(issue_id: int, changes: dict[str, Any]) -> None:
        if not run.tracker.writes:
            signal.raise_signal(signal.SIGTERM)

    run.tracker.before_write = terminate
    result = run("run")
    assert result.exit_code == 0, result.output
    assert {issue_id for issue_id, _ in run.tracker.writes} == {1}
    assert any(
        w.get("notes", "").startswith("[sla:intake:identity]") for _, w in run.tracker.writes
    )
    assert "stop requested; finishing the issue in hand" in result.stderr
    assert "stopped after 1 passes" in result.stderr
    beat = json.loads((tmp_path / "beat.json").read_text(encoding="utf-8"))
    assert (beat["passes"], beat["last_outcome"], beat["consecutive_failures"]) == (1, "ok", 0)


# --- explain and queue -----------------------------------------------------------------


def test_explain_json_is_the_issue_now_and_writes_nothing(run: Cli) -> None:
    got = run.json("explain", "2")
    assert (got["issue"], got["level"], got["priority"], got["channel"]) == (
        2,
        "vip",
        "normal",
        "other",
    )
    assert got["sla_state"] == "on_track"
    assert got["first_response"] == {
        "target_minutes": 120,
        "due": "2025-01-13T11:30+05:00",
        "met_at": None,
        "used_minutes": 30,
        "state": "on_track",
    }
    resolution = got["resolution"]
    assert (resolution["due"], resolution["used_minutes"], resolution["paused"]) == (
        "2025-01-14T09:30+05:00",
        30,
        False,
    )
    assert [w["write"] for w in got["planned"]] == ["fields"]
    assert run.tracker.writes == []


def test_explain_table(run: Cli) -> None:
    result = run("explain", "5")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "#5 Old urgent"
    assert "  SLA state: breached" in lines
    assert (
        "  first response: due 2025-01-10T18:00+05:00; 120 of 60 working min used; breached"
        in lines
    )
    assert "  the next pass would write:" in lines
    assert any(line.startswith("    note: [sla:first_response:breach]") for line in lines)
    assert run.tracker.writes == []


@pytest.mark.parametrize(
    ("when", "state", "used", "note"),
    [
        (None, "on_track", 30, None),
        ("2025-01-13 11:00", "at_risk", 90, "[sla:first_response:75]"),  # 90 >= 75% of 120
        ("2025-01-13 12:00", "breached", 150, "[sla:first_response:breach]"),
        ("2025-01-13T07:00+00:00", "breached", 150, "[sla:first_response:breach]"),  # 12:00
    ],
)
def test_explain_at_a_later_time_shows_that_state_and_writes_nothing(
    run: Cli, when: str | None, state: str, used: int, note: str | None
) -> None:
    got = run.json("explain", "2", *(["--at", when] if when else []))
    assert got["first_response"]["state"] == got["sla_state"] == state
    assert got["first_response"]["used_minutes"] == used
    notes = [w["note"].split("]")[0] + "]" for w in got["planned"] if w["write"] == "note"]
    assert notes == ([note] if note else [])
    assert run.tracker.writes == [] and run.tracker.watchers_added == []


@pytest.mark.parametrize("command", [("explain", "2"), ("queue",)])
@pytest.mark.parametrize("value", ["tomorrow", "2025-13-01 10:00", "13.01.2025"])
def test_a_bad_at_exits_2_naming_the_option(run: Cli, command: tuple[str, ...], value: str) -> None:
    result = run(*command, "--at", value)
    assert result.exit_code == 2
    assert "--at" in result.output and repr(value) in result.output
    assert run.tracker.writes == []


def test_queue_is_in_processing_order(run: Cli) -> None:
    rows = run.json("queue")
    # VIP first; urgent before normal; then the earliest due (#5 Fri 18:00, #4 11:10).
    assert [r["issue"] for r in rows] == [5, 3, 4, 2, 1]
    assert [(r["level"], r["priority"]) for r in rows] == [
        ("vip", "urgent"),
        ("vip", "urgent"),
        ("vip", "normal"),
        ("vip", "normal"),
        ("basic", "normal"),
    ]
    assert [r["due"] for r in rows] == [
        "2025-01-10T18:00+05:00",
        "2025-01-13T10:50+05:00",
        "2025-01-13T11:10+05:00",
        "2025-01-13T11:30+05:00",
        "2025-01-13T18:00+05:00",
    ]
    assert [r["minutes_left"] for r in rows] == [-60, 50, 70, 90, 480]
    table = run("queue")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert [int(line.split()[0]) for line in lines[1:]] == [5, 3, 4, 2, 1]
    assert run.tracker.writes == []


def test_queue_for_one_assignee_in_order(run: Cli) -> None:
    run.tracker.issues[3] = replace(run.tracker.issues[3], assigned_to_id=AGENT2)
    run.tracker.issues[1] = replace(run.tracker.issues[1], assigned_to_id=AGENT2)
    assert [r["issue"] for r in run.json("queue", "--assignee", "agent2")] == [3, 1]
    assert [r["issue"] for r in run.json("queue")] == [5, 3, 4, 2, 1]
    unknown = run("queue", "--assignee", "nobody")
    assert unknown.exit_code == 2 and "--assignee" in unknown.stderr
    assert "'nobody'" in unknown.stderr


def test_queue_at_a_later_time(run: Cli) -> None:
    rows = run.json("queue", "--at", "2025-01-13 11:20")
    assert [r["issue"] for r in rows] == [5, 3, 4, 2, 1]
    assert {r["issue"]: r["sla_state"] for r in rows} == {
        5: "breached",
        3: "breached",  # due 10:50
        4: "breached",  # due 11:10
        2: "at_risk",  # 110 of 120 minutes
        1: "on_track",
    }
    assert [r["minutes_left"] for r in rows] == [-140, -30, -10, 10, 400]
    assert run.tracker.writes == []


# --- report ------------------------------------------------------------------------------

PERIOD = ("--since", "2025-01-10", "--until", "2025-01-13")


def test_report_json(run: Cli) -> None:
    report = run.json("report", *PERIOD)
    assert (report["since"], report["until"], report["breached"]) == (
        "2025-01-10",
        "2025-01-13",
        [5],
    )
    groups = [(g["level"], g["priority"], g["category"], g["count"]) for g in report["groups"]]
    assert groups == [  # VIP first, then immediate, urgent, normal
        ("vip", "urgent", "consultation", 2),
        ("vip", "normal", "consultation", 2),
        ("basic", "normal", "consultation", 1),
    ]
    # Of the urgent ones only #5's first response is decided, and missed.
    assert report["groups"][0]["first_response_met_pct"] == 0.0
    assert report["groups"][1]["first_response_met_pct"] is None
    assert run.tracker.writes == []


def test_report_period_excludes_other_days(run: Cli) -> None:
    report = run.json("report", "--since", "2025-01-13", "--until", "2025-01-13")
    assert sum(g["count"] for g in report["groups"]) == 4
    assert report["breached"] == []


def test_report_csv(run: Cli) -> None:
    result = run("report", *PERIOD, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "level,priority,category,count,first_response_met_pct,resolution_met_pct,"
        "median_first_response_minutes,median_resolution_minutes",
        "vip,urgent,consultation,2,0.0,,,",
        "vip,normal,consultation,2,,,,",
        "basic,normal,consultation,1,,,,",
    ]


def test_report_table(run: Cli) -> None:
    result = run("report", *PERIOD, "--language", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "SLA compliance of the issues created 2025-01-10 to 2025-01-13"
    assert [line.split()[:4] for line in lines[2:5]] == [
        ["vip", "urgent", "consultation", "2"],
        ["vip", "normal", "consultation", "2"],
        ["basic", "normal", "consultation", "1"],
    ]
    assert "breached: 1" in lines
    assert any(line.strip().startswith("#5") and "Old urgent" in line for line in lines)


def test_report_html_to_a_file(run: Cli, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run("report", *PERIOD, "--format", "html", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {target}: 5 issues, 1 breached" in result.stderr
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "<svg" in html and "Old urgent" in html
