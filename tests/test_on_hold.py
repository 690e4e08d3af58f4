"""On-hold statuses (`statuses.on_hold`): the request waits on a third party or on the
development department (regulation rules 17 and 23; SPEC.md, "Clocks").

The resolution clock pauses there exactly as while awaiting the client, and resumes
with the time already used; no auto-close ever counts from there, and a client note
there changes no status. `explain` shows the on-hold intervals apart, `report` leaves
their time out.

The VIP request below (resolution 540 working minutes) is created Monday 2025-01-13
10:00, answered at 10:20, handed to development at 11:00 (60 minutes used, 480 left)
and back in progress on Thursday 2025-01-16 11:00: three working days on hold, 3 x 540
= 1620 working minutes. Without the hold it would be due Tuesday 10:00; with it, 480
minutes from Thursday 11:00: 420 on Thursday, 60 on Friday, Friday 2025-01-17 10:00.
The week has no holiday.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sup_sla_sync.adapters.redmine import Directory, IssueStatus
from sup_sla_sync.adapters.redmine.check import check_tracker
from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.decide import Decision, decide
from sup_sla_sync.core.model import IssueSnapshot, Journal, StatusRole
from sup_sla_sync.core.report import figures
from sup_sla_sync.entrypoints.cli import main
from sup_sla_sync.entrypoints.render.explain import explain_json, explain_lines

from factories import CLIENT, PEOPLE, at, issue, make_rules, make_statuses, note, status

HOLD = "With development"
CAL = WorkCalendar()
SETTINGS = Settings(statuses={"on_hold": [HOLD]}, staff={"groups": ["Support"], "lead": "lead1"})
RULES = make_rules(statuses=make_statuses(on_hold=(HOLD,)))  # SETTINGS as the core takes it
# The same desk without `on_hold`: "With development" is an unknown status, which runs.
UNMAPPED = make_rules()
IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."
HELD_FOR = CAL.working_minutes(at("2025-01-13 11:00"), at("2025-01-16 11:00"))


def held(*later: Journal) -> IssueSnapshot:
    """Answered at 10:20, with development since Monday 11:00."""
    return issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день, проверяем"),
        status("2025-01-13 11:00", "New", HOLD, text="Передали в разработку"),
        *later,
        level="VIP",
        description=IDENTIFIED,
    )


BACK = status("2025-01-16 11:00", HOLD, "In Progress")


def test_three_working_days_on_hold() -> None:
    assert HELD_FOR == 3 * 540


# (name, issue, now, resolution due or None while paused, resolution state, sla_state,
#  the resolution field, the resolution clock's interval kinds)
CLOCKS: list[tuple[str, IssueSnapshot, str, str | None, str, str, str, list[str]]] = [
    (
        "on hold: paused with 480 of 540 minutes left",
        held(),
        "2025-01-14 12:00",
        None,
        "paused",
        "paused",
        "paused, 480 min left",
        ["running", "on_hold"],
    ),
    (
        "on hold past the Tuesday 10:00 it would have been due: still paused, not breached",
        held(),
        "2025-01-15 17:00",
        None,
        "paused",
        "paused",
        "paused, 480 min left",
        ["running", "on_hold"],
    ),
    (
        "back on Thursday 11:00: 480 left, due Friday 10:00",
        held(BACK),
        "2025-01-16 12:00",
        "2025-01-17T10:00+05:00",
        "on_track",
        "on_track",
        "2025-01-17T10:00+05:00",
        ["running", "on_hold", "running"],
    ),
    (
        "back, then resolved Thursday 12:00 after 120 working minutes: met",
        held(BACK, status("2025-01-16 12:00", "In Progress", "Resolved")),
        "2025-01-20 10:00",
        "2025-01-17T10:00+05:00",
        "met",
        "met",
        "2025-01-17T10:00+05:00",
        ["running", "on_hold", "running", "stopped"],
    ),
    (
        "awaiting the client, then on hold: two pauses kept apart, 480 left after both",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:20", text="Добрый день"),
            status("2025-01-13 11:00", "New", "Feedback", text="Пришлите логи"),
            note("2025-01-13 13:00", user=CLIENT, text="Вот логи"),
            status("2025-01-13 13:00", "Feedback", HOLD, text="Передали в разработку"),
            status("2025-01-15 13:00", HOLD, "In Progress"),
            level="VIP",
            description=IDENTIFIED,
        ),
        # 480 from Wednesday 13:00: 300 on Wednesday, 180 on Thursday.
        "2025-01-15 14:00",
        "2025-01-16T12:00+05:00",
        "on_track",
        "on_track",
        "2025-01-16T12:00+05:00",
        ["running", "paused", "on_hold", "running"],
    ),
]


@pytest.mark.parametrize(
    ("case", "snapshot", "now", "due", "res_state", "state", "field", "kinds"),
    CLOCKS,
    ids=[case[0] for case in CLOCKS],
)
def test_on_hold_pauses_the_resolution_clock(
    case: str,
    snapshot: IssueSnapshot,
    now: str,
    due: str | None,
    res_state: str,
    state: str,
    field: str,
    kinds: list[str],
) -> None:
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at(now))
    resolution = view.resolution
    assert (CAL.format(resolution.due) if resolution.due else None) == due
    assert (resolution.state.value, view.state.value) == (res_state, state)
    assert [i.kind for i in resolution.intervals] == kinds
    fields = decide(snapshot, RULES, CAL, PEOPLE, at(now)).plan.fields
    assert fields["SLA resolution due"] == field
    assert fields["SLA state"] == state


def test_the_due_time_moves_by_exactly_the_time_on_hold() -> None:
    plain = issue("2025-01-13 10:00", note("2025-01-13 10:20"), level="VIP")
    now = at("2025-01-16 12:00")
    before = evaluate(plain, CAL, RULES, PEOPLE, now).resolution.due
    after = evaluate(held(BACK), CAL, RULES, PEOPLE, now).resolution.due
    assert before is not None and after is not None
    assert CAL.format(before) == "2025-01-14T10:00+05:00"
    assert CAL.working_minutes(before, after) == HELD_FOR


def test_on_hold_is_a_role_of_its_own() -> None:
    assert RULES.status_role(HOLD) is StatusRole.ON_HOLD
    assert RULES.status_role("Feedback") is StatusRole.AWAITING_CLIENT
    assert HOLD in RULES.statuses.names()


def writes(decision: Decision) -> list[str]:
    """One short line per write: the kind, then the note's tag and the status it sets."""
    out = []
    for w in decision.writes():
        if w["write"] in ("fields", "watcher"):
            out.append(w["write"])
        else:
            moved = f" -> {w['status']}" if w.get("status") else ""
            out.append(f"{w['write']}{moved} {w['note'].split(']', 1)[0]}]")
    return out


# (name, issue, now, the writes a pass would make)
DECISIONS: list[tuple[str, IssueSnapshot, str, list[str]]] = [
    ("on hold: fields only", held(), "2025-01-13 12:00", ["fields"]),
    (
        "on hold for 3 working days (auto-close is at 8 working hours): never closed",
        held(),
        "2025-01-16 10:00",
        ["fields"],
    ),
    (
        "a client note while on hold: no status change, no reopen",
        held(note("2025-01-14 10:00", user=CLIENT, text="Когда исправите?")),
        "2025-01-14 12:00",
        ["fields"],
    ),
    (
        "a client note, then 3 working days on hold: still no status change",
        held(note("2025-01-13 12:00", user=CLIENT, text="Когда исправите?")),
        "2025-01-16 17:00",
        ["fields"],
    ),
    (
        "from on hold to awaiting the client on Thursday 11:00: 4 working hours later, no close",
        held(status("2025-01-16 11:00", HOLD, "Feedback", text="Проверьте, пожалуйста")),
        "2025-01-16 15:00",
        ["fields"],
    ),
    (
        "... and 8 working hours after the move (Friday 10:00): the wait counts from it",
        held(status("2025-01-16 11:00", HOLD, "Feedback", text="Проверьте, пожалуйста")),
        "2025-01-17 10:00",
        ["auto_close -> Closed [sla:auto_close]", "fields"],
    ),
]


@pytest.mark.parametrize(
    ("case", "snapshot", "now", "expected"),
    DECISIONS,
    ids=[case[0] for case in DECISIONS],
)
def test_on_hold_is_never_auto_closed_nor_reopened(
    case: str, snapshot: IssueSnapshot, now: str, expected: list[str]
) -> None:
    decision = decide(snapshot, RULES, CAL, PEOPLE, at(now))
    assert writes(decision) == expected


def test_explain_shows_on_hold_apart_from_awaiting_the_client() -> None:
    view = evaluate(held(), CAL, RULES, PEOPLE, at("2025-01-14 12:00"))
    shown = explain_json(view, [])["resolution"]
    assert (shown["paused"], shown["due"], shown["state"]) == (True, None, "paused")
    assert shown["intervals"] == [
        {
            "kind": "running",
            "start": "2025-01-13T10:00+05:00",
            "end": "2025-01-13T11:00+05:00",
            "working_minutes": 60,
        },
        {
            "kind": "on_hold",
            "start": "2025-01-13T11:00+05:00",
            "end": None,
            "working_minutes": 420 + 180,  # Monday 11:00-18:00, Tuesday 09:00-12:00
        },
    ]
    lines = explain_lines(view, [])
    assert "    on_hold  2025-01-13T11:00+05:00 -> now (600 min)" in lines
    assert "  resolution: due paused, 480 min left; 60 of 540 working min used; paused" in lines


def test_explain_json_keeps_the_awaiting_client_pause_as_paused() -> None:
    snapshot = issue(
        "2025-01-13 10:00",
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите логи"),
        level="VIP",
    )
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-14 12:00"))
    shown = explain_json(view, [])["resolution"]
    assert shown["paused"] is True
    assert [i["kind"] for i in shown["intervals"]] == ["running", "paused"]


def test_report_medians_leave_the_time_on_hold_out() -> None:
    """Resolved Thursday 12:00: 60 minutes before the hold, 60 after it. Mapped, the 1620
    minutes on hold count nowhere: median 120, met. Unmapped, they would run: 1740,
    breached."""
    resolved = held(BACK, status("2025-01-16 12:00", "In Progress", "Resolved"))
    now = at("2025-01-20 10:00")
    mapped = figures([evaluate(resolved, CAL, RULES, PEOPLE, now)])
    assert (mapped["median_resolution_minutes"], mapped["resolution_met_pct"]) == (120.0, 100.0)
    unmapped = figures([evaluate(resolved, CAL, UNMAPPED, PEOPLE, now)])
    assert (unmapped["median_resolution_minutes"], unmapped["resolution_met_pct"]) == (
        120.0 + HELD_FOR,
        0.0,
    )


@pytest.mark.parametrize(
    ("statuses", "message"),
    [
        ("on_hold = ['Feedback']", "statuses.on_hold: 'Feedback' is also in statuses.awaiting"),
        ("on_hold = ['In Progress']", "statuses.on_hold: 'In Progress' is also in statuses.in_"),
        ("on_hold = ['Resolved']", "statuses.resolved: 'Resolved' is also in statuses.on_hold"),
    ],
)
def test_a_status_on_hold_and_in_another_role_exits_2_naming_it(
    tmp_path, statuses: str, message: str
) -> None:
    path = tmp_path / "sup-sla-sync.toml"
    path.write_text(f"[statuses]\n{statuses}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "config"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


class _Tracker:
    """Just what `check` reads: an administrator's key, the statuses, the lead's login."""

    def __init__(self, statuses: list[str]) -> None:
        self.directory = Directory(
            statuses={name: IssueStatus(i, name) for i, name in enumerate(statuses, start=1)}
        )

    def current_user(self) -> dict[str, object]:
        return {"login": "sla-bot", "admin": True}

    def load_directory(self) -> Directory:
        return self.directory

    def load_logins(self) -> dict[int, str]:
        return dict(PEOPLE.logins)


@pytest.mark.parametrize(("has_it", "problem"), [(False, True), (True, False)])
def test_check_names_a_missing_on_hold_status(has_it: bool, problem: bool) -> None:
    names = ["New", "In Progress", "Feedback", "Resolved", "Closed", "Rejected"]
    problems = check_tracker(SETTINGS, _Tracker(names + [HOLD] * has_it))
    missing = f"statuses.on_hold: no status {HOLD!r} in the tracker"
    # The message goes on with what the tracker has instead.
    assert any(p.startswith(missing + "; the tracker has: New,") for p in problems) is problem
    assert not [p for p in problems if p.startswith("statuses.") and not p.startswith(missing)]
