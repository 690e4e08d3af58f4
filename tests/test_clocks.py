"""The clocks over hand-made timelines. Every due time below was worked out by hand.

The week of 2025-01-13 (Mon) to 2025-01-17 (Fri) has no holiday; 2025-01-07 is
Orthodox Christmas; Sunday 2025-01-05 was worked in exchange for Friday 2025-01-03.
"""

from __future__ import annotations

import pytest

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.model import IssueSnapshot

from factories import (
    AGENT,
    CLIENT,
    PEOPLE,
    TOOL,
    VIP_CLIENT,
    at,
    issue,
    make_rules,
    note,
    priority,
    status,
)

CAL = WorkCalendar()
RULES = make_rules(vip_projects=frozenset({"vip-desk"}))

# (name, issue, now, first-response due, resolution due or None while paused,
#  first-response state, resolution state, overall sla_state)
CASES: list[tuple[str, IssueSnapshot, str, str, str | None, str, str, str]] = [
    (
        "basic, other channel: 1 working day to answer, 2 to resolve",
        issue("2025-01-13 10:00"),
        "2025-01-13 12:00",
        "2025-01-14T10:00+05:00",
        "2025-01-15T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip by the service-level field, normal: 120 min / 540 min",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 11:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip normal at 91 of 120 minutes: past the 75% reminder",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 11:31",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "at_risk",
        "on_track",
        "at_risk",
    ),
    (
        "vip urgent (Redmine 'High'): 60 min",
        issue("2025-01-13 10:00", level="VIP", prio="High"),
        "2025-01-13 10:10",
        "2025-01-13T11:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip immediate: 30 min",
        issue("2025-01-13 10:00", level="VIP", prio="Immediate"),
        "2025-01-13 10:10",
        "2025-01-13T10:30+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip by the author's group",
        issue("2025-01-13 10:00", author=VIP_CLIENT, prio="Urgent"),
        "2025-01-13 10:10",
        "2025-01-13T11:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip by the project",
        issue("2025-01-13 10:00", project="vip-desk"),
        "2025-01-13 10:10",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "basic via the online assistant: 15 min",
        issue("2025-01-13 10:00", channel="Online assistant"),
        "2025-01-13 10:05",
        "2025-01-13T10:15+05:00",
        "2025-01-15T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip via the online assistant: 15 min, resolution 1 day",
        issue("2025-01-13 10:00", level="VIP", channel="Online assistant", prio="Immediate"),
        "2025-01-13 10:05",
        "2025-01-13T10:15+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "vip official letter: first response by priority, resolution 2 days",
        issue("2025-01-13 10:00", level="VIP", channel="Official letter", prio="High"),
        "2025-01-13 10:05",
        "2025-01-13T11:00+05:00",
        "2025-01-15T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "created at night: the clock starts at 09:00; 540 min ends at 18:00 the same day",
        issue("2025-01-13 22:30"),
        "2025-01-14 08:00",
        "2025-01-14T18:00+05:00",
        "2025-01-15T18:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "Friday evening: 30 min on Friday, 90 on Monday",
        issue("2025-01-17 17:30", level="VIP"),
        "2025-01-18 12:00",
        "2025-01-20T10:30+05:00",
        "2025-01-20T17:30+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "a public staff note stops the first-response clock in time",
        issue("2025-01-13 10:00", note("2025-01-13 11:00"), level="VIP"),
        "2025-01-13 13:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "met",
        "on_track",
        "on_track",
    ),
    (
        "a private staff note does not stop it",
        issue("2025-01-13 10:00", note("2025-01-13 11:00", private=True), level="VIP"),
        "2025-01-13 12:30",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "breached",
        "on_track",
        "breached",
    ),
    (
        "the tool's own public note does not stop it",
        issue("2025-01-13 10:00", note("2025-01-13 10:30", user=TOOL), level="VIP"),
        "2025-01-13 12:01",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "breached",
        "on_track",
        "breached",
    ),
    (
        "the client's note does not stop it",
        issue("2025-01-13 10:00", note("2025-01-13 10:30", user=CLIENT), level="VIP"),
        "2025-01-13 11:45",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "at_risk",
        "on_track",
        "at_risk",
    ),
    (
        "answered late: breached, and it stays so",
        issue("2025-01-13 10:00", note("2025-01-13 12:30"), level="VIP"),
        "2025-01-13 13:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "breached",
        "on_track",
        "breached",
    ),
    (
        "awaiting the client pauses the resolution clock (60 min used)",
        issue(
            "2025-01-13 10:00",
            status("2025-01-13 11:00", "New", "Feedback", text="Пришлите скриншот"),
            level="VIP",
        ),
        "2025-01-13 15:00",
        "2025-01-13T12:00+05:00",
        None,
        "met",
        "paused",
        "paused",
    ),
    (
        "the client answers next day: 480 min left from Tue 11:00 run to Wed 10:00",
        issue(
            "2025-01-13 10:00",
            status("2025-01-13 11:00", "New", "Feedback", text="Пришлите скриншот"),
            note("2025-01-14 10:55", user=CLIENT, text="Вот скриншот"),
            status("2025-01-14 11:00", "Feedback", "In Progress"),
            level="VIP",
        ),
        "2025-01-14 12:00",
        "2025-01-13T12:00+05:00",
        "2025-01-15T10:00+05:00",
        "met",
        "on_track",
        "on_track",
    ),
    (
        "resolved in time: met",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:30"),
            status("2025-01-13 15:00", "New", "Resolved"),
            level="VIP",
        ),
        "2025-01-14 15:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "met",
        "met",
        "met",
    ),
    (
        "resolved after 600 of 540 working minutes: breached",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:30"),
            status("2025-01-14 11:00", "New", "Resolved"),
            level="VIP",
        ),
        "2025-01-14 12:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "met",
        "breached",
        "breached",
    ),
    (
        "reopened: resumes with 120 min used, 420 left from Tue 09:00",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:30"),
            status("2025-01-13 12:00", "New", "Resolved"),
            status("2025-01-14 09:00", "Resolved", "In Progress", user=CLIENT),
            level="VIP",
        ),
        "2025-01-14 10:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T16:00+05:00",
        "met",
        "on_track",
        "on_track",
    ),
    (
        "resolved then closed: one stopped interval, met",
        issue(
            "2025-01-13 10:00",
            note("2025-01-13 10:30"),
            status("2025-01-13 12:00", "New", "Resolved"),
            status("2025-01-14 09:00", "Resolved", "Closed"),
            level="VIP",
        ),
        "2025-01-20 10:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "met",
        "met",
        "met",
    ),
    (
        "priority raised to urgent: targets recomputed from creation",
        issue(
            "2025-01-13 10:00",
            priority("2025-01-13 10:30", "Normal", "High"),
            level="VIP",
            prio="High",
        ),
        "2025-01-13 10:40",
        "2025-01-13T11:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "a breach already announced stays after the priority is lowered",
        issue(
            "2025-01-13 10:00",
            note(
                "2025-01-13 10:31", user=TOOL, text="[sla:first_response:breach] ...", private=True
            ),
            priority("2025-01-13 10:40", "Immediate", "Normal"),
            level="VIP",
        ),
        "2025-01-13 11:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "breached",
        "on_track",
        "breached",
    ),
    (
        "across the 2024-03-01 time-zone change (UTC+6 to UTC+5)",
        issue("2024-02-29 17:00", level="VIP"),
        "2024-02-29 17:30",
        "2024-03-01T10:00+05:00",
        "2024-03-01T17:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "filed on a holiday: the clock starts on the worked Sunday 2025-01-05",
        issue("2025-01-02 10:00"),
        "2025-01-05 10:00",
        "2025-01-05T18:00+05:00",
        "2025-01-06T18:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "Christmas 2025-01-07 does not count",
        issue("2025-01-06 17:00", level="VIP"),
        "2025-01-08 09:30",
        "2025-01-08T10:00+05:00",
        "2025-01-08T17:00+05:00",
        "at_risk",
        "on_track",
        "at_risk",
    ),
    (
        "Nauryz 2026: Friday 15:00 plus 540 min lands on Thursday 2026-03-26 15:00",
        issue("2026-03-20 15:00"),
        "2026-03-23 12:00",
        "2026-03-26T15:00+05:00",
        "2026-03-27T15:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "resolution reminder at 405 of 540 minutes",
        issue("2025-01-13 10:00", note("2025-01-13 10:10"), level="VIP"),
        "2025-01-13 16:45",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "met",
        "at_risk",
        "at_risk",
    ),
    (
        "breached before the pause: paused, still breached",
        issue(
            "2025-01-13 10:00",
            status("2025-01-14 12:00", "New", "Feedback", text="Уточните"),
            level="VIP",
        ),
        "2025-01-14 15:00",
        "2025-01-13T12:00+05:00",
        None,
        "breached",
        "breached",
        "breached",
    ),
    (
        "two pauses: 60 + 120 used, 360 left from Tue 10:00 run to 16:00",
        issue(
            "2025-01-13 10:00",
            status("2025-01-13 11:00", "New", "Feedback", text="Вопрос"),
            note("2025-01-13 13:00", user=CLIENT, text="Ответ"),
            status("2025-01-13 13:00", "Feedback", "In Progress"),
            status("2025-01-13 15:00", "In Progress", "Feedback", text="Ещё вопрос"),
            note("2025-01-14 09:55", user=CLIENT, text="Ответ"),
            status("2025-01-14 10:00", "Feedback", "In Progress"),
            level="VIP",
        ),
        "2025-01-14 11:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T16:00+05:00",
        "met",
        "on_track",
        "on_track",
    ),
    (
        "an unmapped status runs the clock",
        issue("2025-01-13 10:00", status("2025-01-13 10:30", "New", "Testing"), level="VIP"),
        "2025-01-13 11:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "an unknown priority counts as normal",
        issue("2025-01-13 10:00", level="VIP", prio="Someday"),
        "2025-01-13 10:30",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "on_track",
        "on_track",
        "on_track",
    ),
    (
        "closed without a public answer, in time: the close answered it",
        issue("2025-01-13 10:00", status("2025-01-13 11:00", "New", "Rejected"), level="VIP"),
        "2025-01-13 12:00",
        "2025-01-13T12:00+05:00",
        "2025-01-14T10:00+05:00",
        "met",
        "met",
        "met",
    ),
]


@pytest.mark.parametrize(
    ("case", "snapshot", "now", "fr_due", "res_due", "fr_state", "res_state", "state"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_timeline(
    case: str,
    snapshot: IssueSnapshot,
    now: str,
    fr_due: str,
    res_due: str | None,
    fr_state: str,
    res_state: str,
    state: str,
) -> None:
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at(now))
    assert CAL.format(view.first_response.due) == fr_due
    resolution_due = view.resolution.due
    assert (CAL.format(resolution_due) if resolution_due else None) == res_due
    assert view.first_response.state.value == fr_state
    assert view.resolution.state.value == res_state
    assert view.state.value == state


def test_enough_timelines() -> None:
    assert len(CASES) >= 25


def test_paused_clock_keeps_used_minutes() -> None:
    snapshot = issue(
        "2025-01-13 10:00",
        status("2025-01-13 11:00", "New", "Feedback", text="?"),
        level="VIP",
    )
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-15 15:00"))
    assert view.resolution.used_minutes == 60
    assert view.resolution.minutes_left == 480
    assert [i.kind for i in view.resolution.intervals] == ["running", "paused"]


def test_created_closed_is_not_applicable() -> None:
    snapshot = issue("2025-01-13 10:00", status_now="Closed")
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 11:00"))
    assert view.state.value == "not_applicable"


def test_first_response_met_at_is_the_staff_note() -> None:
    snapshot = issue("2025-01-13 10:00", note("2025-01-13 10:20", user=AGENT), level="VIP")
    view = evaluate(snapshot, CAL, RULES, PEOPLE, at("2025-01-13 11:00"))
    assert view.first_response.stopped_at == at("2025-01-13 10:20")
    assert view.first_response.used_minutes == 20
