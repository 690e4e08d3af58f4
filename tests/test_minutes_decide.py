"""Minutes are what people see, so minutes decide (SPEC.md, "Clocks").

Due times are shown to the minute; a clock that stops within the minute its due time
shows (12:00:59 against 12:00) is met, and one that stops in a later minute is breached.
The clock's state, the fields a pass writes, `explain` and `report` agree.

Also: resolving or closing an issue that never got a public staff note stops the
first-response clock (met within its target, breached after it).

VIP normal requests: first response 120 working minutes, resolution 540. Created Monday
2025-01-13 10:00: first response due 12:00, resolution due Tuesday 10:00. Created at
10:00:30, they are due at 12:00:30 and Tuesday 10:00:30, shown as 12:00 and 10:00.
"""

from __future__ import annotations

import pytest

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import IssueSnapshot, Journal
from sup_sla_sync.core.report import figures
from sup_sla_sync.entrypoints.render.explain import explain_json

from factories import CLIENT, PEOPLE, at, issue, make_rules, note, status

CAL = WorkCalendar()
RULES = make_rules()
IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."
FR, RES = "first_response", "resolution"


def vip(created: str = "2025-01-13 10:00:00", *journals: Journal) -> IssueSnapshot:
    return issue(created, *journals, level="VIP", description=IDENTIFIED)


def answered(created: str = "2025-01-13 10:00:00", *journals: Journal) -> IssueSnapshot:
    """Answered at 10:20, so only the resolution clock is in question."""
    return vip(created, note("2025-01-13 10:20"), *journals)


# (name, issue, now, clock, the due time it shows, that clock's state, overall sla_state)
CASES: list[tuple[str, IssueSnapshot, str, str, str | None, str, str]] = [
    (
        "answered at 12:00:59, due 12:00: met",
        vip("2025-01-13 10:00:00", note("2025-01-13 12:00:59")),
        "2025-01-13 13:00",
        FR,
        "2025-01-13T12:00+05:00",
        "met",
        "on_track",
    ),
    (
        "answered at 12:01:00, due 12:00: breached",
        vip("2025-01-13 10:00:00", note("2025-01-13 12:01:00")),
        "2025-01-13 13:00",
        FR,
        "2025-01-13T12:00+05:00",
        "breached",
        "breached",
    ),
    (
        "unanswered at 12:00:59: not yet breached",
        vip("2025-01-13 10:00:00"),
        "2025-01-13 12:00:59",
        FR,
        "2025-01-13T12:00+05:00",
        "at_risk",
        "at_risk",
    ),
    (
        "unanswered at 12:01:00: breached",
        vip("2025-01-13 10:00:00"),
        "2025-01-13 12:01:00",
        FR,
        "2025-01-13T12:00+05:00",
        "breached",
        "breached",
    ),
    (
        "due 12:00:30, shown 12:00; answered at 12:00:59, after the instant: met",
        vip("2025-01-13 10:00:30", note("2025-01-13 12:00:59")),
        "2025-01-13 13:00",
        FR,
        "2025-01-13T12:00+05:00",
        "met",
        "on_track",
    ),
    (
        "due 12:00:30, shown 12:00; answered at 12:01:00: breached",
        vip("2025-01-13 10:00:30", note("2025-01-13 12:01:00")),
        "2025-01-13 13:00",
        FR,
        "2025-01-13T12:00+05:00",
        "breached",
        "breached",
    ),
    (
        "resolved Tuesday 10:00:59, due 10:00: met",
        answered("2025-01-13 10:00:00", status("2025-01-14 10:00:59", "New", "Resolved")),
        "2025-01-14 12:00",
        RES,
        "2025-01-14T10:00+05:00",
        "met",
        "met",
    ),
    (
        "resolved Tuesday 10:01:00, due 10:00: breached",
        answered("2025-01-13 10:00:00", status("2025-01-14 10:01:00", "New", "Resolved")),
        "2025-01-14 12:00",
        RES,
        "2025-01-14T10:00+05:00",
        "breached",
        "breached",
    ),
    (
        "due Tuesday 10:00:30, shown 10:00; resolved 10:00:59: met",
        answered("2025-01-13 10:00:30", status("2025-01-14 10:00:59", "New", "Resolved")),
        "2025-01-14 12:00",
        RES,
        "2025-01-14T10:00+05:00",
        "met",
        "met",
    ),
    (
        "due at the 18:00 close, answered at 18:30 (no working minute over): breached",
        vip("2025-01-13 16:00:00", note("2025-01-13 18:30:00")),
        "2025-01-13 19:00",
        FR,
        "2025-01-13T18:00+05:00",
        "breached",
        "breached",
    ),
    (
        "due at the 18:00 close, resolved at 18:30 (no working minute over): breached",
        vip(
            "2025-01-13 09:00:00",
            note("2025-01-13 09:10"),
            status("2025-01-13 18:30:00", "New", "Resolved"),
        ),
        "2025-01-13 19:00",
        RES,
        "2025-01-13T18:00+05:00",
        "breached",
        "breached",
    ),
    (
        "still in progress at Tuesday 10:00:59: not yet breached",
        answered("2025-01-13 10:00:00"),
        "2025-01-14 10:00:59",
        RES,
        "2025-01-14T10:00+05:00",
        "at_risk",
        "at_risk",
    ),
    (
        "still in progress at Tuesday 10:01:00: breached",
        answered("2025-01-13 10:00:00"),
        "2025-01-14 10:01:00",
        RES,
        "2025-01-14T10:00+05:00",
        "breached",
        "breached",
    ),
    (
        "set awaiting the client at Tuesday 10:00:30, due 10:00: paused, not breached",
        answered(
            "2025-01-13 10:00:00",
            status("2025-01-14 10:00:30", "New", "Feedback", text="Уточните"),
        ),
        "2025-01-14 12:00",
        RES,
        None,
        "paused",
        "paused",
    ),
    (
        "... back in progress at 11:00, which is after the 10:00 minute: breached",
        answered(
            "2025-01-13 10:00:00",
            status("2025-01-14 10:00:30", "New", "Feedback", text="Уточните"),
            note("2025-01-14 10:50", user=CLIENT, text="Вот"),
            status("2025-01-14 11:00", "Feedback", "In Progress"),
        ),
        "2025-01-14 11:00:30",
        RES,
        "2025-01-14T10:00+05:00",
        "breached",
        "breached",
    ),
]


@pytest.mark.parametrize(
    ("case", "snapshot", "now", "clock", "due", "clock_state", "state"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_the_minute_of_the_due_time_decides_and_every_display_agrees(
    case: str,
    snapshot: IssueSnapshot,
    now: str,
    clock: str,
    due: str | None,
    clock_state: str,
    state: str,
) -> None:
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at(now))
    got = getattr(view, clock)
    assert (CAL.format(got.due) if got.due else None) == due
    assert (got.state.value, view.state.value) == (clock_state, state)
    shown = explain_json(view, [])
    assert (shown[clock]["state"], shown["sla_state"]) == (clock_state, state)
    fields = decide(snapshot, RULES, CAL, PEOPLE, at(now)).plan.fields
    assert fields["SLA state"] == state
    if clock_state in ("met", "breached"):
        expected = 100.0 if clock_state == "met" else 0.0
        assert figures([view])[f"{clock}_met_pct"] == expected


@pytest.mark.parametrize(
    ("now", "breach_note"), [("2025-01-13 12:00:59", False), ("2025-01-13 12:01:00", True)]
)
def test_the_breach_note_waits_for_the_next_minute(now: str, breach_note: bool) -> None:
    notes = decide(vip(), RULES, CAL, PEOPLE, at(now)).plan.notes
    assert any(n.tag == "first_response:breach" for n in notes) is breach_note


# (name, issue, now, when the first-response clock stopped, used minutes, its state)
UNANSWERED: list[tuple[str, IssueSnapshot, str, str, float, str]] = [
    (
        "resolved at 11:30 without a public answer: stopped there, met",
        vip("2025-01-13 10:00", status("2025-01-13 11:30", "New", "Resolved")),
        "2025-01-13 15:00",
        "2025-01-13 11:30",
        90,
        "met",
    ),
    (
        "closed at 13:00 without a public answer: stopped there, breached",
        vip("2025-01-13 10:00", status("2025-01-13 13:00", "New", "Closed")),
        "2025-01-13 15:00",
        "2025-01-13 13:00",
        180,
        "breached",
    ),
    (
        "rejected at 12:00:59, due 12:00: met",
        vip("2025-01-13 10:00", status("2025-01-13 12:00:59", "New", "Rejected")),
        "2025-01-13 15:00",
        "2025-01-13 12:00:59",
        120 + 59 / 60,
        "met",
    ),
    (
        "a private note does not stop it; the resolve at 11:30 does",
        vip(
            "2025-01-13 10:00",
            note("2025-01-13 10:30", private=True),
            status("2025-01-13 11:30", "New", "Resolved"),
        ),
        "2025-01-13 15:00",
        "2025-01-13 11:30",
        90,
        "met",
    ),
    (
        "resolved at 11:30, reopened at 14:00: the clock stays stopped at 11:30",
        vip(
            "2025-01-13 10:00",
            status("2025-01-13 11:30", "New", "Resolved"),
            status("2025-01-13 14:00", "Resolved", "In Progress", user=CLIENT),
        ),
        "2025-01-14 15:00",
        "2025-01-13 11:30",
        90,
        "met",
    ),
]


@pytest.mark.parametrize(
    ("case", "snapshot", "now", "stopped", "used", "clock_state"),
    UNANSWERED,
    ids=[case[0] for case in UNANSWERED],
)
def test_resolving_or_closing_an_unanswered_issue_stops_the_first_response_clock(
    case: str,
    snapshot: IssueSnapshot,
    now: str,
    stopped: str,
    used: float,
    clock_state: str,
) -> None:
    first = evaluate(snapshot, CAL, RULES, PEOPLE, at(now)).first_response
    assert first.stopped_at == at(stopped)
    assert not first.running
    assert first.used_minutes == pytest.approx(used)
    assert first.state.value == clock_state
