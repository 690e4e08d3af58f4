"""Wake-up instants: evaluating an unchanged issue only when its wake-up instant has come
makes the same writes, at the same minutes, as evaluating it every minute."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.decide import Decision, decide, simulate
from sup_sla_sync.core.model import DUE_DATE, STATUS, FieldChange, IssueSnapshot, Journal, cf

from factories import AGENT, CLIENT, PEOPLE, TOOL, at, issue, make_auto_close, make_rules

CAL = WorkCalendar()
RULES = make_rules(reminders=(0.5, 0.75), auto_close=make_auto_close(warn_before_working_hours=2))
MINUTE = timedelta(minutes=1)
HORIZON = timedelta(hours=40)


def apply(decision: Decision, snapshot: IssueSnapshot, now: datetime) -> IssueSnapshot:
    """What the tracker would hold after the decision's writes."""
    for transition in decision.transitions:
        snapshot = simulate(snapshot, transition, TOOL, now)
    plan = decision.plan
    changes = [
        FieldChange(cf(name), snapshot.custom_fields.get(name), value)
        for name, value in plan.fields.items()
    ]
    if plan.due_date is not None:
        changes.append(FieldChange(DUE_DATE, None, plan.due_date.isoformat()))
    journals = list(snapshot.journals)
    next_id = max((j.id for j in journals), default=0) + 1
    if changes:
        journals.append(Journal(next_id, TOOL, now, changes=tuple(changes)))
        next_id += 1
    for note in plan.notes:
        journals.append(Journal(next_id, TOOL, now, note.text, note.private))
        next_id += 1
    return replace(
        snapshot,
        custom_fields={**snapshot.custom_fields, **plan.fields},
        due_date=plan.due_date or snapshot.due_date,
        journals=tuple(journals),
        watcher_ids=snapshot.watcher_ids | frozenset(plan.watchers),
        updated_on=now if (decision.transitions or changes or plan.notes) else snapshot.updated_on,
    )


def written(decision: Decision) -> list[str]:
    out = []
    for w in decision.writes():
        out.append(w["write"] if w["write"] in ("fields", "watcher") else w["note"][:40])
    return out


def every_minute(snapshot: IssueSnapshot, start: datetime) -> list[tuple[datetime, list[str]]]:
    log = []
    t = start
    while t <= start + HORIZON:
        decision = decide(snapshot, RULES, CAL, PEOPLE, t)
        if not decision.empty:
            log.append((t, written(decision)))
            snapshot = apply(decision, snapshot, t)
            continue  # a changed issue is evaluated again at once
        t += MINUTE
    return log


def at_wake_ups(snapshot: IssueSnapshot, start: datetime) -> list[tuple[datetime, list[str]]]:
    log = []
    t: datetime | None = start
    while t is not None and t <= start + HORIZON:
        decision = decide(snapshot, RULES, CAL, PEOPLE, t)
        if not decision.empty:
            log.append((t, written(decision)))
            snapshot = apply(decision, snapshot, t)
            continue
        t = decision.wake_at  # what `decide` says about this unchanged issue
    return log


@st.composite
def waiting_or_open(draw: st.DrawFn) -> tuple[IssueSnapshot, datetime]:
    created = at("2025-01-13 08:00") + timedelta(minutes=draw(st.integers(0, 4 * 1440)))
    journals: list[Journal] = []
    when = created
    status_now = "New"
    for i in range(draw(st.integers(0, 3))):
        when += timedelta(minutes=draw(st.integers(1, 600)))
        kind = draw(st.sampled_from(["answer", "wait", "client", "work"]))
        if kind == "answer":
            journals.append(Journal(900 + i, AGENT, when, notes="Ответ"))
        elif kind == "client":
            journals.append(Journal(900 + i, CLIENT, when, notes="Вопрос"))
        else:
            new = "Feedback" if kind == "wait" else "In Progress"
            journals.append(
                Journal(
                    900 + i,
                    AGENT,
                    when,
                    notes="Уточните",
                    changes=(FieldChange(STATUS, status_now, new),),
                )
            )
            status_now = new
    snapshot = issue(
        "2025-01-13 10:00",
        level=draw(st.sampled_from([None, "VIP"])),
        description="Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд».",
    )
    snapshot = replace(
        snapshot,
        created_on=created,
        journals=tuple(journals),
        status=status_now,
        updated_on=max([created, *(j.created_on for j in journals)]),
    )
    start = when + timedelta(minutes=draw(st.integers(0, 120)))
    return snapshot, start.replace(second=0, microsecond=0)


@settings(max_examples=25, deadline=None)
@given(waiting_or_open())
def test_waking_up_only_when_due_makes_the_same_writes_as_every_minute(case) -> None:
    snapshot, start = case
    assert at_wake_ups(snapshot, start) == every_minute(snapshot, start)
