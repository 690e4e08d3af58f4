"""The sync pass against an in-memory tracker: what gets written, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from sup_sla_sync.config import Settings
from sup_sla_sync.core.model import DUE_DATE, cf
from sup_sla_sync.errors import TrackerError, TrackerUnavailable, UpdateRefused
from sup_sla_sync.service.sync import SyncService

from factories import AGENT, CLIENT, LEAD, at, change, issue, note, status
from fake_tracker import FakeTracker

SETTINGS = Settings(staff={"groups": ["Support"], "lead": "lead1"})


class Clock:
    def __init__(self, when: str) -> None:
        self.now = at(when)

    def set(self, when: str) -> None:
        self.now = at(when)

    def __call__(self) -> datetime:
        return self.now


def service(*issues, when: str = "2025-01-13 10:30", settings: Settings = SETTINGS):
    clock = Clock(when)
    tracker = FakeTracker(*issues, now=clock)
    tracker.projects = list(settings.redmine.projects)  # the tracker's own settings
    return SyncService(settings, tracker, clock=clock), tracker, clock


def test_first_pass_stamps_and_second_pass_writes_nothing() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", level="VIP"))
    result = svc.run_pass()
    assert (result.seen, result.updated, result.errors) == (1, 1, [])
    stamped = tracker.issues[7]
    assert stamped.field("SLA first response due") == "2025-01-13T12:00+05:00"
    assert stamped.field("SLA resolution due") == "2025-01-14T10:00+05:00"
    assert stamped.field("SLA state") == "on_track"
    assert stamped.field("Category") == "Consultation"  # tracker Support
    assert stamped.due_date == date(2025, 1, 14)
    writes = len(tracker.writes)
    again = svc.run_pass()
    assert len(tracker.writes) == writes
    assert again.updated == 0


def test_reminder_once_private_with_the_assignee_mentioned() -> None:
    svc, tracker, clock = service(issue("2025-01-13 10:00", level="VIP"), when="2025-01-13 11:31")
    result = svc.run_pass()
    assert result.reminders == 1
    (reminder,) = tracker.notes(7)
    assert reminder.notes.startswith("[sla:first_response:75] ")
    assert reminder.private
    assert "@agent1" in reminder.notes and "2025-01-13T12:00+05:00" in reminder.notes
    assert tracker.issues[7].field("SLA state") == "at_risk"
    clock.set("2025-01-13 11:40")
    assert svc.run_pass().reminders == 0
    assert len(tracker.notes(7)) == 1


def test_reminder_mentions_the_lead_when_unassigned() -> None:
    svc, tracker, _ = service(
        issue("2025-01-13 10:00", level="VIP", assigned_to=None), when="2025-01-13 11:31"
    )
    svc.run_pass()
    assert "@lead1" in tracker.notes(7)[0].notes


def test_breach_once_with_the_lead_as_watcher() -> None:
    svc, tracker, clock = service(issue("2025-01-13 10:00", level="VIP"), when="2025-01-13 12:05")
    result = svc.run_pass()
    assert result.breaches == 1 and result.reminders == 0
    (breach,) = tracker.notes(7)
    assert breach.notes.startswith("[sla:first_response:breach] ")
    assert breach.private and "@agent1" in breach.notes and "@lead1" in breach.notes
    assert tracker.watchers_added == [(7, LEAD)]
    assert tracker.issues[7].field("SLA state") == "breached"
    clock.set("2025-01-13 15:00")
    svc.run_pass()
    assert len(tracker.notes(7)) == 1 and tracker.watchers_added == [(7, LEAD)]


def test_notes_wait_for_working_hours() -> None:
    svc, tracker, clock = service(issue("2025-01-13 10:00", level="VIP"), when="2025-01-13 19:00")
    assert svc.run_pass().breaches == 0
    assert tracker.notes(7) == []
    assert tracker.issues[7].field("SLA state") == "breached"  # the field is stamped at once
    clock.set("2025-01-14 09:00")
    assert svc.run_pass().breaches == 1


def test_client_reply_moves_the_issue_back_to_work() -> None:
    waiting = issue(
        "2025-01-13 10:00",
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите скриншот"),
        note("2025-01-13 12:00", user=CLIENT, text="Вот он"),
        level="VIP",
    )
    svc, tracker, _ = service(waiting, when="2025-01-13 12:05")
    result = svc.run_pass()
    assert result.reopened == 1
    assert tracker.issues[7].status == "In Progress"
    reopen = [j for j in tracker.notes(7) if j.notes.startswith("[sla:reopen]")]
    assert len(reopen) == 1 and reopen[0].private
    # The fields were stamped for the running clock after the re-read, not for the pause.
    assert tracker.issues[7].field("SLA state") == "on_track"
    assert tracker.issues[7].field("SLA resolution due") == "2025-01-14T11:05+05:00"
    writes = len(tracker.writes)
    svc.run_pass()
    assert len(tracker.writes) == writes


def waiting():
    """Answered at 10:20, waiting for the client since Monday 11:00."""
    return issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день, проверяем"),
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите номер документа"),
        level="VIP",
    )


def test_auto_close_after_eight_working_hours() -> None:
    # Monday 11:00-18:00 is 7 h; the eighth working hour ends Tuesday 10:00.
    svc, tracker, clock = service(waiting(), when="2025-01-14 09:59")
    assert svc.run_pass().closed == 0
    clock.set("2025-01-14 10:00")
    result = svc.run_pass()
    assert result.closed == 1
    closed = tracker.issues[7]
    assert closed.status == "Closed"
    (close_note,) = [j for j in closed.journals if j.notes.startswith("[sla:auto_close]")]
    assert not close_note.private
    assert "ответ от клиента не получен" in close_note.notes
    assert "2025-01-13 10:20 — ответ поддержки: Добрый день, проверяем" in close_note.notes
    assert "2025-01-13 11:00 — статус: New → Feedback" in close_note.notes
    assert closed.field("SLA state") == "met"
    writes = len(tracker.writes)
    clock.set("2025-01-15 11:00")
    svc.run_pass()
    assert len(tracker.writes) == writes


def list_stale(tracker: FakeTracker, stale) -> None:
    """The tracker's listing yields `stale`, the issue as it was before a later change."""

    def stale_listing(closed_since, on_error=None, on_listed=None) -> Iterator:
        yield stale

    tracker.list_issues = stale_listing  # type: ignore[method-assign]


def test_no_close_when_the_client_answered_before_the_re_read() -> None:
    stale = waiting()
    svc, tracker, _ = service(stale, when="2025-01-14 11:30")
    # The listing is stale: the client's answer arrives after it, before the close.
    tracker.person_writes(7, note("2025-01-14 11:10", user=CLIENT, text="Номер 123"))

    list_stale(tracker, stale)
    result = svc.run_pass()
    assert result.closed == 0 and result.reopened == 1
    assert tracker.issues[7].status == "In Progress"
    assert not any(j.notes.startswith("[sla:auto_close]") for j in tracker.issues[7].journals)


def test_a_client_note_slipping_in_during_the_close_reopens_at_once() -> None:
    svc, tracker, _ = service(waiting(), when="2025-01-14 11:30")

    def client_writes_first(issue_id, changes) -> None:
        if changes.get("status") == "Closed":
            tracker.before_write = None
            tracker.person_writes(7, note("2025-01-14 11:30", user=CLIENT, text="Вот номер"))

    tracker.before_write = client_writes_first
    result = svc.run_pass()
    assert (result.closed, result.reopened) == (0, 1)
    assert tracker.issues[7].status == "In Progress"


def test_one_bad_issue_does_not_stop_the_pass() -> None:
    svc, tracker, _ = service(
        issue("2025-01-13 10:00", issue_id=1), issue("2025-01-13 10:00", issue_id=2)
    )
    original = tracker.update_issue

    def refuse_issue_1(issue_id, **changes) -> None:
        if issue_id == 1:
            raise TrackerError("issue 1: update refused: Status is invalid")
        original(issue_id, **changes)

    tracker.update_issue = refuse_issue_1  # type: ignore[method-assign]
    result = svc.run_pass()
    assert result.errors == [{"issue": 1, "error": "issue 1: update refused: Status is invalid"}]
    assert result.updated == 1
    assert tracker.issues[2].field("SLA state") == "on_track"


def test_an_outage_ends_the_pass_for_the_caller_to_back_off() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00"))
    tracker.fail_on[7] = TrackerUnavailable("cannot reach the tracker")
    with pytest.raises(TrackerUnavailable):
        svc.run_pass()


def test_a_person_due_date_and_category_win() -> None:
    chosen = issue(
        "2025-01-13 10:00",
        change("2025-01-13 10:05", DUE_DATE, None, "2025-01-20", user=AGENT),
        change("2025-01-13 10:06", cf("Category"), None, "Defect", user=AGENT),
        level="VIP",
        fields={"Category": "Defect"},
    )
    chosen = type(chosen)(**{**chosen.__dict__, "due_date": date(2025, 1, 20)})
    svc, tracker, _ = service(chosen)
    svc.run_pass()
    assert tracker.issues[7].due_date == date(2025, 1, 20)
    assert tracker.issues[7].field("Category") == "Defect"
    assert all("Category" not in (w.get("custom_fields") or {}) for _, w in tracker.writes)
    assert all("due_date" not in w for _, w in tracker.writes)


def test_dry_run_writes_nothing_and_lists_the_plan() -> None:
    svc, tracker, _ = service(waiting(), when="2025-01-14 11:30")
    result = svc.run_pass(dry_run=True)
    assert tracker.writes == [] and tracker.watchers_added == []
    kinds = [p["write"] for p in result.planned]
    assert kinds[0] == "auto_close" and "fields" in kinds
    assert result.closed == 1


def test_priority_raised_from_urgency_words_once() -> None:
    settings = Settings(staff={"lead": "lead1"}, classify={"apply_priority": True})
    urgent = issue("2025-01-13 10:00", level="VIP", subject="Срочно! Не подписывается ЭСФ")
    svc, tracker, _ = service(urgent, settings=settings)
    svc.run_pass()
    assert tracker.issues[7].priority == "High"
    (why,) = [j for j in tracker.notes(7) if j.notes.startswith("[sla:priority]")]
    assert why.private and "срочно" in why.notes.lower()
    # The fields are stamped for the raised priority: 60 minutes to answer.
    assert tracker.issues[7].field("SLA first response due") == "2025-01-13T11:00+05:00"


def test_priority_a_person_set_is_kept() -> None:
    settings = Settings(staff={"lead": "lead1"}, classify={"apply_priority": True})
    chosen = issue(
        "2025-01-13 10:00",
        change("2025-01-13 10:05", "priority", "High", "Normal", user=AGENT),
        level="VIP",
        subject="Срочно! Не подписывается ЭСФ",
    )
    svc, tracker, _ = service(chosen, settings=settings)
    svc.run_pass()
    assert tracker.issues[7].priority == "Normal"
    assert all(w.get("priority") is None for _, w in tracker.writes)


def test_selected_issues_only_and_a_missing_one_reported() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", issue_id=1), issue(issue_id=2))
    result = svc.run_pass(issue_ids=[2, 99])
    assert result.seen == 1
    assert result.errors == [{"issue": 99, "error": "issue 99: not found or not visible"}]
    assert tracker.issues[1].field("SLA state") is None


# --- intake checks (rules 6, 11, 16) --------------------------------------------------------

IDENTIFIED = "Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд»."


def intake_notes(tracker: FakeTracker, prefix: str) -> list:
    return [j for j in tracker.notes(7) if j.notes.startswith(prefix)]


def test_missing_identity_is_noted_once_for_the_assignee() -> None:
    svc, tracker, clock = service(issue("2025-01-13 10:00", description="Помогите подписать акт"))
    svc.run_pass()
    (note_,) = intake_notes(tracker, "[sla:intake:identity]")
    assert note_.private and "@agent1" in note_.notes
    assert "ИИН" in note_.notes and "ФИО" in note_.notes and "организации" in note_.notes
    clock.set("2025-01-13 10:40")
    svc.run_pass()
    assert len(intake_notes(tracker, "[sla:intake:identity]")) == 1


def test_an_identified_request_gets_no_identity_note() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", description=IDENTIFIED))
    svc.run_pass()
    assert intake_notes(tracker, "[sla:intake:identity]") == []


def test_vip_requests_are_not_asked_for_identity() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", level="VIP", description="Помогите"))
    svc.run_pass()
    assert intake_notes(tracker, "[sla:intake") == []


def test_identity_requested_publicly_sets_awaiting_client() -> None:
    settings = Settings(staff={"lead": "lead1"}, intake={"request_identity": True})
    svc, tracker, clock = service(
        issue("2025-01-13 10:00", description="Не могу подписать акт"), settings=settings
    )
    svc.run_pass()
    assert tracker.issues[7].status == "Feedback"
    (request,) = intake_notes(tracker, "[sla:intake:identity_request]")
    assert not request.private and "ИИН" in request.notes
    assert tracker.issues[7].field("SLA state") == "paused"
    # The client answers with the details: back to work, and no second request.
    tracker.person_writes(7, note("2025-01-13 10:32", user=CLIENT, text=IDENTIFIED))
    clock.set("2025-01-13 10:35")
    result = svc.run_pass()
    assert result.reopened == 1 and tracker.issues[7].status == "In Progress"
    assert len(intake_notes(tracker, "[sla:intake:identity_request]")) == 1


def test_out_of_scope_topic_gets_the_standard_answer() -> None:
    svc, tracker, _ = service(
        issue(
            "2025-01-13 10:00",
            subject="Установите нам антивирус Касперского",
            description=IDENTIFIED,
        )
    )
    svc.run_pass()
    (note_,) = intake_notes(tracker, "[sla:intake:scope]")
    assert note_.private and "п. 6" in note_.notes and "установка стороннего ПО" in note_.notes


def test_insults_go_to_the_lead_who_becomes_a_watcher() -> None:
    svc, tracker, _ = service(
        issue("2025-01-13 10:00", level="VIP", description="Вы идиоты, ничего не работает")
    )
    svc.run_pass()
    (note_,) = intake_notes(tracker, "[sla:intake:language]")
    assert note_.private and "@lead1" in note_.notes and "идиоты" not in note_.notes
    assert (7, LEAD) in tracker.watchers_added


def test_intake_checks_can_be_switched_off() -> None:
    settings = Settings(
        staff={"lead": "lead1"},
        intake={"scope_check": False, "language_check": False, "identity_check": False},
    )
    svc, tracker, _ = service(
        issue("2025-01-13 10:00", subject="Установите нам антивирус", description="идиоты"),
        settings=settings,
    )
    svc.run_pass()
    assert intake_notes(tracker, "[sla:intake") == []


def test_people_are_read_once_per_quarter_hour(monkeypatch) -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", level="VIP"))
    calls = []
    original = tracker.load_people
    tracker.load_people = lambda *args: calls.append(args) or original(*args)  # type: ignore
    ticks = iter([0.0, 60.0, 16 * 60.0])
    monkeypatch.setattr("sup_sla_sync.service.sync.time.monotonic", lambda: next(ticks, 16 * 60.0))
    svc.people()
    svc.people()
    assert len(calls) == 1
    svc.people()
    assert len(calls) == 2


def test_a_field_the_issue_lacks_is_reported_and_the_rest_written() -> None:
    lacking = issue("2025-01-13 10:00", level="VIP")
    fields = {k: v for k, v in lacking.custom_fields.items() if k != "SLA state"}
    lacking = type(lacking)(**{**lacking.__dict__, "custom_fields": fields})
    svc, tracker, _ = service(lacking)
    result = svc.run_pass()
    assert len(result.errors) == 1 and "'SLA state' is not enabled" in result.errors[0]["error"]
    assert tracker.issues[7].field("SLA resolution due") == "2025-01-14T10:00+05:00"
    assert all("SLA state" not in (w.get("custom_fields") or {}) for _, w in tracker.writes)


def test_an_issue_outside_the_configured_projects_is_refused() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", project="other"))
    result = svc.run_pass(issue_ids=[7])
    assert result.errors == [
        {"issue": 7, "error": "issue 7: project 'other' is not in redmine.projects"}
    ]
    assert tracker.writes == []


def client_replied():
    return issue(
        "2025-01-13 10:00",
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите скриншот"),
        note("2025-01-13 12:00", user=CLIENT, text="Вот он"),
        level="VIP",
    )


def test_a_move_no_workflow_allows_is_an_error_and_writes_nothing() -> None:
    svc, tracker, _ = service(client_replied(), when="2025-01-13 12:05")
    tracker.allowed_statuses = lambda issue_id: frozenset({"Feedback", "Closed"})  # type: ignore
    result = svc.run_pass()
    assert result.reopened == 0 and len(result.errors) == 1
    assert (
        "no workflow lets the tool's user move it to status 'In Progress'"
        in (result.errors[0]["error"])
    )
    assert not any(w.get("notes") for _, w in tracker.writes)


def test_a_move_the_tracker_silently_ignored_is_an_error() -> None:
    svc, tracker, _ = service(client_replied(), when="2025-01-13 12:05")
    original = tracker.update_issue

    def ignore_status(issue_id, **changes):
        original(issue_id, **{**changes, "status": None})

    tracker.update_issue = ignore_status  # type: ignore[method-assign]
    result = svc.run_pass()
    assert result.reopened == 0
    assert "kept status 'Feedback' instead of 'In Progress'" in result.errors[0]["error"]


def test_an_anonymous_note_is_a_clients_unless_the_desk_says_otherwise() -> None:
    """Redmine's Anonymous (mail from an unknown sender; a deleted user's notes) is not in
    the user list: by default a client, so its note answers nothing (SPEC principle 8)."""
    anonymous = 77
    answered = issue("2025-01-13 10:00", note("2025-01-13 10:30", user=anonymous), level="VIP")
    svc, tracker, _ = service(answered, when="2025-01-13 12:30")
    svc.run_pass()
    assert tracker.issues[7].field("SLA state") == "breached"
    assert tracker.notes(7)[-1].notes.startswith("[sla:first_response:breach] ")

    trusting = SETTINGS.model_copy(
        update={"staff": SETTINGS.staff.model_copy(update={"anonymous_is_staff": True})}
    )
    svc, tracker, _ = service(answered, when="2025-01-13 12:30", settings=trusting)
    svc.run_pass()
    assert tracker.issues[7].field("SLA state") == "on_track"
    assert tracker.notes(7)[0].user_id == anonymous and len(tracker.notes(7)) == 1


# --- one write per issue ----------------------------------------------------------------------


def test_fields_due_date_and_a_note_go_in_one_write() -> None:
    svc, tracker, _ = service(issue("2025-01-13 10:00", level="VIP"), when="2025-01-13 11:31")
    svc.run_pass()
    ((issue_id, changes),) = tracker.writes
    assert issue_id == 7
    assert set(changes) == {"custom_fields", "due_date", "notes", "private_notes"}
    assert changes["notes"].startswith("[sla:first_response:75] ")
    assert tracker.issues[7].due_date == date(2025, 1, 14)


def test_a_refused_due_date_is_written_apart_and_takes_nothing_down() -> None:
    """Redmine refuses a due date before the start date (422): the fields and the note are
    written without it, the due date alone last (refused again: the issue is reported)."""
    svc, tracker, _ = service(issue("2025-01-13 10:00", level="VIP"), when="2025-01-13 11:31")

    attempts: list[set[str]] = []

    def refuse_due_date(issue_id: int, changes: dict) -> None:
        attempts.append(set(changes))
        if "due_date" in changes:
            raise UpdateRefused(f"issue {issue_id}: update refused: Due date is invalid")

    tracker.before_write = refuse_due_date
    result = svc.run_pass()
    assert [e["issue"] for e in result.errors] == [7]
    assert "Due date is invalid" in result.errors[0]["error"]
    assert attempts == [
        {"custom_fields", "due_date", "notes", "private_notes"},  # refused
        {"custom_fields", "notes", "private_notes"},
        {"due_date"},  # refused again, last
    ]
    assert tracker.issues[7].field("SLA state") == "at_risk"
    assert len(tracker.notes(7)) == 1
    # The next pass asks for the due date alone: the rest is already there.
    attempts.clear()
    svc.run_pass()
    assert attempts == [{"due_date"}]


def counted(svc: SyncService, tracker: FakeTracker) -> dict[str, int]:
    """Decide calls of `svc` and reads of `tracker` beyond the listing's, as they happen."""
    counts = {"decides": 0}
    decide = svc.decide

    def counting(*args, **kwargs):
        counts["decides"] += 1
        return decide(*args, **kwargs)

    svc.decide = counting  # type: ignore[method-assign]
    return counts


def passed(svc: SyncService, tracker: FakeTracker, **kwargs) -> tuple[int, int]:
    """(decides, reads beyond the listing) of one pass over the one issue."""
    counts = counted(svc, tracker)
    before = len(tracker.reads)
    svc.run_pass(**kwargs)
    return counts["decides"], len(tracker.reads) - before - 1  # the listing reads it once


def test_decides_and_reads_per_kind_of_write() -> None:
    """The table of SyncService._process's docstring, row by row."""
    # Nothing to write, or a plan only: 1 decide, no read.
    svc, tracker, _ = service(issue("2025-01-13 10:00", level="VIP"))
    assert passed(svc, tracker) == (1, 0)
    assert tracker.issues[7].field("SLA state") == "on_track"
    assert passed(svc, tracker) == (1, 0)  # and nothing written
    # A dry run: 1 decide, no read, whatever it would write.
    svc, tracker, _ = service(waiting(), when="2025-01-14 10:00")
    assert passed(svc, tracker, dry_run=True) == (1, 0) and not tracker.writes
    # A move other than a close (the reopen after a client reply): 2 decides, its re-read.
    replied = issue(
        "2025-01-13 10:00",
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите скриншот"),
        note("2025-01-13 12:00", user=CLIENT, text="Вот он"),
        level="VIP",
    )
    svc, tracker, _ = service(replied, when="2025-01-13 12:05")
    assert passed(svc, tracker) == (2, 1) and tracker.issues[7].status == "In Progress"
    # Two moves (the reopen, then the raised priority): 3 decides, each move's re-read.
    urgent = issue(
        "2025-01-13 10:00",
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите скриншот"),
        note("2025-01-13 12:00", user=CLIENT, text="Вот он"),
        level="VIP",
        subject="Срочно! Не подписывается ЭСФ",
    )
    raising = Settings(staff={"lead": "lead1"}, classify={"apply_priority": True})
    svc, tracker, _ = service(urgent, when="2025-01-13 12:05", settings=raising)
    assert passed(svc, tracker) == (3, 2)
    assert (tracker.issues[7].status, tracker.issues[7].priority) == ("In Progress", "High")
    # An auto-close: 3 decides (again just before it, then the plan); the re-read before
    # it and the move's.
    svc, tracker, _ = service(waiting(), when="2025-01-14 10:00")
    assert passed(svc, tracker) == (3, 2) and tracker.issues[7].status == "Closed"
    # The client slipped in during the close: the reopen's re-read more.
    svc, tracker, _ = service(waiting(), when="2025-01-14 11:30")

    def client_writes_first(issue_id, changes) -> None:
        if changes.get("status") == "Closed":
            tracker.before_write = None
            tracker.person_writes(7, note("2025-01-14 11:30", user=CLIENT, text="Вот номер"))

    tracker.before_write = client_writes_first
    assert passed(svc, tracker) == (3, 3) and tracker.issues[7].status == "In Progress"
    # A close the re-read turns into nothing (an agent took the issue back into work after
    # the listing): the decide before it, then the plan's; the read before it.
    stale = waiting()
    svc, tracker, _ = service(stale, when="2025-01-14 11:30")
    tracker.person_writes(
        7, status("2025-01-14 11:20", "Feedback", "In Progress"), status="In Progress"
    )

    list_stale(tracker, stale)
    counts = counted(svc, tracker)
    before = len(tracker.reads)
    result = svc.run_pass()
    assert (counts["decides"], len(tracker.reads) - before) == (3, 1)  # no listing read
    assert result.closed == 0 and tracker.issues[7].status == "In Progress"
