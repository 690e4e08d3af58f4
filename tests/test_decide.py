"""`decide` as a table: a timeline and `now` in, the writes a pass would make out.

No tracker, fake or real: these are the rules of "What the tool writes in Redmine" read
straight off the pure core. Times are Astana wall times (Monday 2025-01-13 is a working day).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.decide import Decision, decide, simulate
from sup_sla_sync.core.model import DUE_DATE, FieldChange, IssueSnapshot, Journal, cf
from sup_sla_sync.core.rules import Rules

from factories import (
    CLIENT,
    LEAD,
    PEOPLE,
    TOOL,
    at,
    issue,
    make_auto_close,
    make_intake,
    make_rules,
    note,
    status,
)

CAL = WorkCalendar()
RULES = make_rules()
IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."


def writes(decision: Decision) -> list[str]:
    """One short line per write: the kind, then its tag, status, or watcher."""
    out = []
    for w in decision.writes():
        kind = w["write"]
        if kind == "fields":
            out.append("fields")
        elif kind == "watcher":
            out.append(f"watcher {w['user_id']}")
        else:
            tag = w["note"].split("]", 1)[0] + "]"
            privacy = "private" if w["private"] else "public"
            moved = f" -> {w['status']}" if w.get("status") else ""
            moved += f" priority -> {w['priority']}" if w.get("priority") else ""
            out.append(f"{kind}{moved} {privacy} {tag}")
    return out


def waiting(*later: Journal) -> IssueSnapshot:
    """Answered at 10:20, waiting for the client since Monday 11:00."""
    return issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день, проверяем"),
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите номер документа"),
        *later,
        level="VIP",
        description=IDENTIFIED,
    )


CASES: list[tuple[str, IssueSnapshot, str, Rules, list[str]]] = [
    (
        "a new VIP request: stamps only",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 10:30",
        RULES,
        ["fields"],
    ),
    (
        "75% of the first response: one private reminder",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 11:31",
        RULES,
        ["fields", "note private [sla:first_response:75]"],
    ),
    (
        "first response breached: a note, and the lead as watcher",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 12:05",
        RULES,
        ["fields", "note private [sla:first_response:breach]", f"watcher {LEAD}"],
    ),
    (
        "breached at night: the field now, the note waits for 09:00",
        issue("2025-01-13 10:00", level="VIP"),
        "2025-01-13 19:00",
        RULES,
        ["fields"],
    ),
    (
        "a client reply while awaiting: back to work, then stamps",
        waiting(note("2025-01-13 12:00", user=CLIENT, text="Вот номер: 123")),
        "2025-01-13 12:05",
        RULES,
        ["reopen -> In Progress private [sla:reopen]", "fields"],
    ),
    (
        "waiting 7 h 59 min: nothing yet",
        waiting(),
        "2025-01-14 09:59",
        RULES,
        ["fields"],
    ),
    (
        "waiting 8 working hours: closed with a public note",
        waiting(),
        "2025-01-14 10:00",
        RULES,
        ["auto_close -> Closed public [sla:auto_close]", "fields"],
    ),
    (
        "auto-close switched off",
        waiting(),
        "2025-01-14 10:00",
        make_rules(auto_close=make_auto_close(enabled=False)),
        ["fields"],
    ),
    (
        "urgency words raise a default priority",
        issue("2025-01-13 10:00", level="VIP", subject="Срочно! Не подписывается договор"),
        "2025-01-13 10:05",
        make_rules(apply_priority=True),
        ["priority priority -> High private [sla:priority]", "fields"],
    ),
    (
        "a basic request without identity: a private note for the assignee",
        issue("2025-01-13 10:00", description="Помогите подписать акт"),
        "2025-01-13 10:05",
        RULES,
        ["fields", "note private [sla:intake:identity]"],
    ),
    (
        "the same, asked of the client publicly",
        issue("2025-01-13 10:00", description="Помогите подписать акт"),
        "2025-01-13 10:05",
        make_rules(intake=make_intake(request_identity=True)),
        ["intake:identity_request -> Feedback public [sla:intake:identity_request]", "fields"],
    ),
    (
        "an out-of-scope topic: the standard answer, privately",
        issue(
            "2025-01-13 10:00",
            subject="Установите нам антивирус Касперского",
            description=IDENTIFIED,
        ),
        "2025-01-13 10:05",
        RULES,
        ["fields", "note private [sla:intake:scope]"],
    ),
    (
        "insults: a note to the lead, who becomes a watcher",
        issue("2025-01-13 10:00", level="VIP", description="Вы идиоты, ничего не работает"),
        "2025-01-13 10:05",
        RULES,
        ["fields", "note private [sla:intake:language]", f"watcher {LEAD}"],
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "now", "rules", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide(snapshot: IssueSnapshot, now: str, rules: Rules, expected: list[str]) -> None:
    decision = decide(snapshot, rules, CAL, PEOPLE, at(now))
    assert writes(decision) == expected


@pytest.mark.parametrize(
    ("snapshot", "now", "rules"),
    [case[1:4] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_once_applied_nothing_more_is_decided(
    snapshot: IssueSnapshot, now: str, rules: Rules
) -> None:
    """Idempotency: the issue as it would be after the writes gets no write at all."""
    applied = apply(decide(snapshot, rules, CAL, PEOPLE, at(now)), snapshot, at(now))
    assert writes(decide(applied, rules, CAL, PEOPLE, at(now))) == []


def apply(decision: Decision, snapshot: IssueSnapshot, now: Any) -> IssueSnapshot:
    """What a tracker would hold after `decision` (transitions, then the plan)."""
    for transition in decision.transitions:
        snapshot = simulate(snapshot, transition, TOOL, now)
    plan = decision.plan
    fields = dict(snapshot.custom_fields)
    fields.update(plan.fields)
    changes = tuple(
        change
        for change in (
            *(
                FieldChange(cf(name), snapshot.custom_fields.get(name), value)
                for name, value in plan.fields.items()
            ),
            *(
                [FieldChange(DUE_DATE, None, plan.due_date.isoformat())]
                if plan.due_date is not None
                else []
            ),
        )
    )
    journals = list(snapshot.journals)
    next_id = max((j.id for j in journals), default=0) + 1
    if changes:
        journals.append(Journal(next_id, TOOL, now, changes=changes))
        next_id += 1
    for n in plan.notes:
        journals.append(Journal(next_id, TOOL, now, n.text, n.private))
        next_id += 1
    return replace(
        snapshot,
        custom_fields=fields,
        due_date=plan.due_date or snapshot.due_date,
        journals=tuple(journals),
        watcher_ids=snapshot.watcher_ids | frozenset(plan.watchers),
    )


def test_the_stamped_values() -> None:
    decision = decide(
        issue("2025-01-13 10:00", level="VIP"), RULES, CAL, PEOPLE, at("2025-01-13 10:30")
    )
    assert decision.plan.fields == {
        "SLA first response due": "2025-01-13T12:00+05:00",
        "SLA resolution due": "2025-01-14T10:00+05:00",
        "SLA state": "on_track",
        "Category": "Consultation",
    }
    assert decision.plan.due_date is not None and decision.plan.due_date.isoformat() == "2025-01-14"


def test_the_auto_close_note_lists_the_staff_actions_with_local_times() -> None:
    decision = decide(waiting(), RULES, CAL, PEOPLE, at("2025-01-14 10:00"))
    (close,) = decision.transitions
    assert close.note.text.startswith("[sla:auto_close] Обращение закрыто")
    assert "- 2025-01-13 10:20 — ответ поддержки: Добрый день, проверяем" in close.note.text
    assert "- 2025-01-13 11:00 — статус: New → Feedback" in close.note.text


def test_a_decision_reads_no_clock() -> None:
    """The same snapshot and `now` give the same decision, whatever the real time."""
    snapshot = issue("2025-01-13 10:00", level="VIP")
    first = decide(snapshot, RULES, CAL, PEOPLE, at("2025-01-13 11:31"))
    second = decide(snapshot, RULES, CAL, PEOPLE, at("2025-01-13 11:31"))
    assert first.writes() == second.writes()
    assert first.view.now == at("2025-01-13 11:31")


# --- go-live (`[sync] since`) ------------------------------------------------------------

GO_LIVE = make_rules(since=date(2025, 1, 14))


@pytest.mark.parametrize(
    ("snapshot", "now"),
    [
        (issue("2025-01-13 10:00", level="VIP"), "2025-01-14 12:05"),  # long breached
        (waiting(), "2025-01-15 10:00"),  # waited far past the close
        (waiting(note("2025-01-13 12:00", user=CLIENT, text="Вот")), "2025-01-14 10:00"),
        (issue("2025-01-13 10:00", description="Вы идиоты, установите антивирус"), "2025-01-14"),
    ],
    ids=["breached", "waiting", "client answered", "intake"],
)
def test_before_go_live_only_fields_are_stamped(snapshot: IssueSnapshot, now: str) -> None:
    decision = decide(snapshot, GO_LIVE, CAL, PEOPLE, at(now))
    assert writes(decision) == ["fields"]


def test_from_the_go_live_date_on_everything_applies() -> None:
    snapshot = issue("2025-01-14 09:00", level="VIP")
    decision = decide(snapshot, GO_LIVE, CAL, PEOPLE, at("2025-01-14 11:05"))
    assert writes(decision) == ["fields", "note private [sla:first_response:breach]", "watcher 12"]


# --- the warning before an auto-close ------------------------------------------------------

WARN = make_rules(auto_close=make_auto_close(warn_before_working_hours=2))


def warned(when: str, *later: Journal) -> IssueSnapshot:
    body = "[sla:auto_close:warning] Мы ждём вашего ответа."
    return waiting(note(when, user=TOOL, text=body), *later)


WARNING_CASES = [
    ("5 h 59 min waited: nothing", waiting(), "2025-01-13 16:59", ["fields"]),
    (
        "6 h waited: the public warning",
        waiting(),
        "2025-01-13 17:00",
        ["fields", "note public [sla:auto_close:warning]"],
    ),
    ("due at night: waits for 09:00", waiting(), "2025-01-13 19:00", ["fields"]),
    (
        "warned: closed at the threshold",
        warned("2025-01-13 17:00"),
        "2025-01-14 10:00",
        ["auto_close -> Closed public [sla:auto_close]", "fields"],
    ),
    ("warned: not before", warned("2025-01-13 17:00"), "2025-01-14 09:59", ["fields"]),
    (
        "warned a pass late (10 min): still closed at the threshold",
        warned("2025-01-13 17:10"),
        "2025-01-14 10:00",
        ["auto_close -> Closed public [sla:auto_close]", "fields"],
    ),
    (
        "warned 45 min late (downtime): the full notice from the warning",
        warned("2025-01-13 17:45"),
        "2025-01-14 10:44",
        ["fields"],
    ),
    (
        "warned 45 min late: closed when it said",
        warned("2025-01-13 17:45"),
        "2025-01-14 10:45",
        ["auto_close -> Closed public [sla:auto_close]", "fields"],
    ),
    (
        "past the threshold, never warned (downtime): a warning, no close",
        waiting(),
        "2025-01-14 11:00",
        ["fields", "note public [sla:auto_close:warning]"],
    ),
    (
        "a late warning: no close before it said",
        warned("2025-01-14 11:00"),
        "2025-01-14 12:59",
        ["fields"],
    ),
    (
        "a late warning: closed when it said",
        warned("2025-01-14 11:00"),
        "2025-01-14 13:00",
        ["auto_close -> Closed public [sla:auto_close]", "fields"],
    ),
    (
        "the client answered after the warning: back to work",
        warned("2025-01-13 17:00", note("2025-01-14 09:30", user=CLIENT, text="Номер 42")),
        "2025-01-14 10:00",
        ["reopen -> In Progress private [sla:reopen]", "fields"],
    ),
    (
        "a new wait gets its own warning",
        warned(
            "2025-01-13 17:00",
            note("2025-01-14 09:30", user=CLIENT, text="Номер 42"),
            status(
                "2025-01-14 09:35", "Feedback", "In Progress", user=TOOL, text="[sla:reopen] ok"
            ),
            status("2025-01-14 10:00", "In Progress", "Feedback", text="Ещё скриншот, пожалуйста"),
        ),
        "2025-01-14 16:00",
        ["fields", "note public [sla:auto_close:warning]"],
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "now", "expected"),
    [case[1:] for case in WARNING_CASES],
    ids=[case[0] for case in WARNING_CASES],
)
def test_auto_close_warning(snapshot: IssueSnapshot, now: str, expected: list[str]) -> None:
    assert writes(decide(snapshot, WARN, CAL, PEOPLE, at(now))) == expected


@pytest.mark.parametrize(
    ("now", "announced"),
    [
        ("2025-01-13 17:00", "14.01.2025 в 10:00"),
        ("2025-01-13 17:25", "14.01.2025 в 10:00"),
        ("2025-01-13 17:45", "14.01.2025 в 10:45"),
        ("2025-01-14 11:00", "14.01.2025 в 13:00"),
    ],
    ids=[
        "on time: the threshold",
        "a few passes late: still the threshold",
        "late (downtime): two working hours after the warning",
        "past the threshold: two working hours after the warning",
    ],
)
def test_the_warning_names_the_local_close_time(now: str, announced: str) -> None:
    (note_,) = decide(waiting(), WARN, CAL, PEOPLE, at(now)).plan.notes
    assert not note_.private
    assert note_.text.startswith("[sla:auto_close:warning] ")
    assert f"будет закрыто {announced}" in note_.text


def test_the_close_note_does_not_list_the_tools_own_warning() -> None:
    (close,) = decide(
        warned("2025-01-13 17:00"), WARN, CAL, PEOPLE, at("2025-01-14 10:00")
    ).transitions
    assert "Мы ждём" not in close.note.text and "warning" not in close.note.text
    assert "Добрый день, проверяем" in close.note.text


# --- client-facing notes wait for working hours ---------------------------------------------

# Waiting for the client since Friday 2026-11-06 10:00: three weeks later, on Friday
# 2026-11-27 at 21:57 (after hours), then Monday 2026-11-30 at 09:00.
THREE_WEEKS_WAITING = issue(
    "2026-11-06 09:00",
    note("2026-11-06 09:30", text="Добрый день, проверяем"),
    status("2026-11-06 10:00", "New", "Feedback", text="Пришлите номер документа"),
    level="VIP",
    description=IDENTIFIED,
)


@pytest.mark.parametrize(
    ("now", "expected", "waits"),
    [
        (
            "2026-11-27 21:57",
            ["fields"],
            ["waits for working hours: auto-close at 2026-11-30T09:00+05:00"],
        ),
        (
            "2026-11-28 12:00",
            ["fields"],
            ["waits for working hours: auto-close at 2026-11-30T09:00+05:00"],
        ),
        (
            "2026-11-30 08:59",
            ["fields"],
            ["waits for working hours: auto-close at 2026-11-30T09:00+05:00"],
        ),
        ("2026-11-30 09:00", ["auto_close -> Closed public [sla:auto_close]", "fields"], []),
    ],
)
def test_a_night_pass_closes_nothing_before_the_next_working_minute(
    now: str, expected: list[str], waits: list[str]
) -> None:
    decision = decide(THREE_WEEKS_WAITING, RULES, CAL, PEOPLE, at(now))
    assert writes(decision) == expected
    assert list(decision.waits) == waits


def test_the_warning_waits_for_working_hours_too() -> None:
    rules = make_rules(auto_close=make_auto_close(warn_before_working_hours=2))
    # Waiting since Monday 11:00: the warning is due at 16:00 (6 of 8 working hours).
    night = decide(waiting(), rules, CAL, PEOPLE, at("2025-01-13 19:00"))
    assert writes(night) == ["fields"]
    assert night.waits == ("waits for working hours: auto-close warning at 2025-01-14T09:00+05:00",)
    morning = decide(waiting(), rules, CAL, PEOPLE, at("2025-01-14 09:00"))
    assert writes(morning) == ["fields", "note public [sla:auto_close:warning]"]
    assert morning.waits == ()


def test_the_identity_request_waits_for_working_hours() -> None:
    rules = make_rules(intake=make_intake(request_identity=True))
    anonymous = issue("2025-01-13 20:00", description="Помогите подписать акт")
    night = decide(anonymous, rules, CAL, PEOPLE, at("2025-01-13 20:05"))
    assert writes(night) == ["fields"]
    assert night.waits == (
        "waits for working hours: intake identity-request at 2025-01-14T09:00+05:00",
    )
    morning = decide(anonymous, rules, CAL, PEOPLE, at("2025-01-14 09:00"))
    assert writes(morning) == [
        "intake:identity_request -> Feedback public [sla:intake:identity_request]",
        "fields",
    ]
