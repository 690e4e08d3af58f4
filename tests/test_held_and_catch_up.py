"""The five defects the generated-history suite found (issue 22), each as its minimal
history: a held close and a held breach note get a wake-up at the start of working hours,
a paused clock's breach note names the due time it missed, a close never comes before the
time its warning announced, catch-up tells a breach that happened before the close, and a
tracker clock ahead of `now` does not repeat a move in the plan.

Times are Astana wall times (2025-01-13 is a Monday, 2025-01-17 a Friday)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sup_sla_sync.config import Settings
from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar
from sup_sla_sync.core.decide import decide
from sup_sla_sync.core.model import IssueSnapshot, Journal, cf
from sup_sla_sync.core.tags import AUTO_CLOSE, AUTO_CLOSE_WARNING, REOPEN
from sup_sla_sync.service.sync import SyncService
from test_decide import IDENTIFIED, writes
from test_incremental import Clock

from factories import (
    AGENT,
    CLIENT,
    LEAD,
    PEOPLE,
    TOOL,
    at,
    change,
    issue,
    make_auto_close,
    make_policy,
    make_rules,
    make_statuses,
    note,
    status,
)
from fake_tracker import FakeTracker

CAL = WorkCalendar()
STAFF = {"groups": ["Support"], "lead": "lead1"}
RULES = make_rules()
HOLD = "With development"


def waiting_since_monday_10() -> IssueSnapshot:
    return issue(
        "2025-01-13 09:30",
        note("2025-01-13 09:40", text="Добрый день"),
        status("2025-01-13 10:00", "New", "Feedback", text="Пришлите номер документа"),
        level="VIP",
    )


# --- 1. a held close has its wake-up -------------------------------------------------------


def test_a_close_held_for_working_hours_wakes_at_their_start() -> None:
    snapshot = waiting_since_monday_10()
    rules = RULES
    assert writes(decide(snapshot, rules, CAL, PEOPLE, at("2025-01-13 18:00")))[0].startswith(
        f"{AUTO_CLOSE} -> Closed public"
    )  # due at 18:00, the last working instant

    held = decide(snapshot, rules, CAL, PEOPLE, at("2025-01-13 18:03"))

    assert held.transitions == ()
    assert held.waits == ("waits for working hours: auto-close at 2025-01-14T09:00+05:00",)
    assert held.wake_at == at("2025-01-14 09:00")
    morning = decide(snapshot, rules, CAL, PEOPLE, held.wake_at)
    assert [t.kind for t in morning.transitions] == [AUTO_CLOSE]


def test_a_warning_held_for_working_hours_wakes_at_their_start() -> None:
    rules = make_rules(auto_close=make_auto_close(warn_before_working_hours=1))
    snapshot = waiting_since_monday_10()  # warning due 17:00, close 18:00 (or an hour after)

    held = decide(snapshot, rules, CAL, PEOPLE, at("2025-01-13 19:00"))

    assert held.waits == ("waits for working hours: auto-close warning at 2025-01-14T09:00+05:00",)
    assert held.wake_at == at("2025-01-14 09:00")
    morning = decide(snapshot, rules, CAL, PEOPLE, held.wake_at)
    assert [n.tag for n in morning.plan.notes] == [AUTO_CLOSE_WARNING]


# --- 2. a held breach note of a paused clock ----------------------------------------------


def test_a_breach_found_after_hours_on_a_paused_clock_wakes_and_names_the_missed_due() -> None:
    rules = make_rules(statuses=make_statuses(on_hold=(HOLD,)))
    snapshot = issue(
        "2025-01-17 09:00",  # VIP: resolution in 9 working hours, Friday 18:00
        note("2025-01-17 09:10", text="Добрый день, проверяем"),
        status("2025-01-17 18:30", "New", HOLD),
        level="VIP",
    )
    friday = decide(snapshot, rules, CAL, PEOPLE, at("2025-01-17 18:31"))
    assert friday.view.resolution.breached and friday.view.resolution.paused
    assert friday.plan.notes == ()
    assert friday.waits == ("waits for working hours: resolution breach at 2025-01-20T09:00+05:00",)
    assert friday.wake_at == at("2025-01-20 09:00")

    monday = decide(snapshot, rules, CAL, PEOPLE, friday.wake_at)

    (breach,) = [n for n in monday.plan.notes if n.tag == "resolution:breach"]
    assert "2025-01-17T18:00+05:00" in breach.text
    assert "paused" not in breach.text


# --- 3. never a close before the announced time -------------------------------------------


def test_a_close_never_comes_before_the_time_the_warning_announced() -> None:
    bank = make_policy("bank", field_values=("VIP Bank",), calendar=CalendarRules(mode="24x7"))
    rules = make_rules(
        vip_values=frozenset({"VIP", "VIP Bank"}),
        auto_close=make_auto_close(warn_before_working_hours=2),
        policies=(bank,),
    )
    waiting = issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день"),
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите номер"),
        level="VIP",
    )
    # The warning as the tool wrote it at 17:00: close announced for Tuesday 10:00.
    (warning,) = decide(waiting, rules, CAL, PEOPLE, at("2025-01-13 17:00")).plan.notes
    assert warning.tag == AUTO_CLOSE_WARNING and "14.01.2025 в 10:00" in warning.text
    warned = replace(
        waiting,
        journals=(
            *waiting.journals,
            Journal(5001, TOOL, at("2025-01-13 17:00"), warning.text, False),
            # Then staff sets a level whose policy counts round the clock: by it the wait
            # reached 8 hours at 19:00.
            change("2025-01-13 17:30", cf("SLA level"), "VIP", "VIP Bank"),
        ),
        custom_fields={**waiting.custom_fields, "SLA level": "VIP Bank"},
    )

    evening = decide(warned, rules, CAL, PEOPLE, at("2025-01-13 19:05"))
    assert evening.view.policy == "bank"
    assert AUTO_CLOSE not in [t.kind for t in evening.transitions]
    assert evening.wake_at is not None and evening.wake_at <= at("2025-01-14 10:00")

    announced = decide(warned, rules, CAL, PEOPLE, at("2025-01-14 10:00"))
    assert [t.kind for t in announced.transitions] == [AUTO_CLOSE]


# --- 4. catch-up tells the breach before the close -----------------------------------------

ROUND_THE_CLOCK = Settings(
    staff=STAFF, calendar={"mode": "24x7"}, auto_close={"after_working_hours": 10}
)
# The core's share of ROUND_THE_CLOCK (its calendar is WorkCalendar(mode="24x7")).
ROUND_THE_CLOCK_RULES = make_rules(auto_close=make_auto_close(after_working_hours=10))


def unanswered_and_waiting() -> IssueSnapshot:
    """First response (9 h) due 09:00, never answered in public; waiting for the client
    since 00:10, so the close is due at 10:10."""
    return issue(
        "2025-01-13 00:00",
        status("2025-01-13 00:10", "New", "Feedback"),
        level=None,
        assigned_to=AGENT,
        description=IDENTIFIED,
    )


def test_one_late_pass_writes_the_breach_before_the_close() -> None:
    rules = ROUND_THE_CLOCK_RULES
    cal = WorkCalendar(mode="24x7")
    snapshot = unanswered_and_waiting()
    assert decide(snapshot, rules, cal, PEOPLE, at("2025-01-13 08:59")).view.first_response.due == (
        at("2025-01-13 09:00")
    )

    late = decide(snapshot, rules, cal, PEOPLE, at("2025-01-13 10:10"))

    assert writes(late)[:3] == [
        "note private [sla:first_response:breach]",
        f"watcher {LEAD}",
        f"{AUTO_CLOSE} -> Closed public [sla:auto_close]",
    ]
    assert sum(w.startswith("note private [sla:first_response:breach]") for w in writes(late)) == 1


def test_the_service_writes_the_breach_then_the_close_in_one_late_pass() -> None:
    clock = Clock("2025-01-13 10:10")
    tracker = FakeTracker(unanswered_and_waiting(), now=clock)
    service = SyncService(ROUND_THE_CLOCK, tracker, clock=clock.tool)

    result = service.run_pass()

    assert result.errors == [] and result.breaches == 1 and result.closed == 1
    tags = [j.notes.split("]")[0] + "]" for j in tracker.notes(7)]
    assert tags == ["[sla:first_response:breach]", "[sla:auto_close]"]
    assert LEAD in tracker.issues[7].watcher_ids and tracker.issues[7].status == "Closed"
    # And passes every minute end the same way.
    clock2 = Clock("2025-01-13 08:58")
    tracker2 = FakeTracker(unanswered_and_waiting(), now=clock2)
    service2 = SyncService(ROUND_THE_CLOCK, tracker2, clock=clock2.tool)
    when = at("2025-01-13 08:58")
    while when <= at("2025-01-13 10:11"):
        clock2.now = when
        service2.run_pass()
        when += timedelta(minutes=1)
    # (Reminders may differ: the minute passes began after the 75% one fell due.)
    every_minute = [j.notes.split("]")[0] + "]" for j in tracker2.notes(7)]
    assert [t for t in every_minute if not t.startswith("[sla:first_response:7")] == tags
    assert tracker2.issues[7].field("SLA state") == tracker.issues[7].field("SLA state")


# --- 5. a tracker clock ahead of `now` -------------------------------------------------------


def test_journals_stamped_after_now_do_not_repeat_the_reopen() -> None:
    """The tracker's clock is a second ahead: the agent's move to Feedback and the client's
    answer are both stamped after `now`. The simulated reopen goes after them, as the
    tracker would stamp it, so the plan holds one reopen (it held three)."""
    rules = RULES
    now = at("2025-01-13 12:00")
    ahead = now + timedelta(seconds=1)
    snapshot = issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день"),
        level="VIP",
        description=IDENTIFIED,
    )
    answered = replace(
        snapshot,
        status="Feedback",
        journals=(
            *snapshot.journals,
            replace(status("2025-01-13 12:00", "New", "Feedback"), id=5002, created_on=ahead),
            Journal(5003, CLIENT, ahead, "Номер 42", False),
        ),
    )

    decision = decide(answered, rules, CAL, PEOPLE, now)

    assert [t.kind for t in decision.transitions] == [REOPEN]
    assert decision.plan.fields.get("SLA state") != "paused"
    assert not str(decision.plan.fields.get("SLA resolution due", "")).startswith("paused")
