"""Properties of the pure core over random timelines (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.clocks import evaluate
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import STATUS, FieldChange, IssueSnapshot, Journal
from sup_sla_sync.core.tags import AUTO_CLOSE

from factories import AGENT, CLIENT, PEOPLE, TOOL, make_rules

CAL = WorkCalendar()
RULES = make_rules()
STATUSES = ["New", "In Progress", "Feedback", "Resolved", "Closed", "Rejected", "Testing"]


@st.composite
def timelines(draw: st.DrawFn) -> tuple[IssueSnapshot, datetime]:
    created = draw(
        st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2026, 12, 1))
    ).replace(tzinfo=UTC, microsecond=0)
    status = draw(st.sampled_from(STATUSES))
    journals: list[Journal] = []
    when = created
    for index in range(draw(st.integers(0, 12))):
        when += timedelta(minutes=draw(st.integers(0, 60 * 24 * 4)))
        user = draw(st.sampled_from([AGENT, CLIENT, TOOL, 999]))
        notes = draw(st.sampled_from(["", "Ответ", "[sla:first_response:breach] x", "?"]))
        changes: tuple[FieldChange, ...] = ()
        if draw(st.booleans()):
            new = draw(st.sampled_from(STATUSES))
            changes = (FieldChange(STATUS, status, new),)
            status = new
        journals.append(Journal(index + 1, user, when, notes, draw(st.booleans()), changes))
    now = when + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)))
    issue = IssueSnapshot(
        id=1,
        subject=draw(st.sampled_from(["Ошибка 500", "Как подписать?", "Срочно!"])),
        tracker=draw(st.sampled_from(["Support", "Bug", "Feature"])),
        status=status,
        priority=draw(st.sampled_from(["Low", "Normal", "High", "Immediate", "Unknown"])),
        author_id=draw(st.sampled_from([CLIENT, 30])),
        created_on=created,
        updated_on=when,
        custom_fields={
            "SLA level": draw(st.sampled_from([None, "VIP", "Basic"])),
            "Channel": draw(st.sampled_from([None, "Online assistant", "Official letter"])),
        },
        journals=tuple(journals),
    )
    return issue, now


@settings(max_examples=400, deadline=None)
@given(timelines())
def test_the_core_never_raises_and_due_times_are_working_time(case) -> None:
    issue, now = case
    view = evaluate(issue, CAL, RULES, PEOPLE, now)
    for clock in view.clocks:
        if clock.due is not None:
            assert CAL.is_working_time(clock.due)
        assert clock.used_minutes >= 0
    decide(issue, RULES, CAL, PEOPLE, now)


@settings(max_examples=400, deadline=None)
@given(timelines())
def test_never_a_close_after_the_client_wrote_while_awaiting(case) -> None:
    issue, now = case
    view = evaluate(issue, CAL, RULES, PEOPLE, now)
    transitions = decide(issue, RULES, CAL, PEOPLE, now).transitions
    transition = transitions[0] if transitions else None
    if transition is None or transition.kind != AUTO_CLOSE:
        return
    current = view.timeline.current
    assert current.status == "Feedback"
    start = 0 if current.entered_by is None else current.entered_by + 1
    later = view.timeline.journals[start:]
    assert not any(PEOPLE.is_client(j.user_id) and j.notes.strip() for j in later)
    assert CAL.working_minutes(current.start, now) >= 8 * 60
