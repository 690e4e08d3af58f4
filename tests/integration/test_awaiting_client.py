"""Awaiting the client: the paused resolution clock, the client's reply, auto-close
(SPEC: clocks, what the tool writes; regulation rule 15).

Auto-close decisions depend only on the working time spent in the awaiting status,
so the closing cases sit on fixed past dates with the real calendar: created Mon
2025-03-03 10:00 Almaty (+05:00), basic, other channel:
* first response 540 working minutes: 480 on Monday (10:00-18:00) + 60 on Tuesday
  -> 2025-03-04T10:00+05:00;
* resolution 1080: 480 + 540 + 60 -> Wed 2025-03-05T10:00+05:00, due date 2025-03-05.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from slaharness import NO_RESPONSE, SlaHarness, almaty, local_str, now_minute

MAR3 = almaty(2025, 3, 3, 10, 0)
MINUTE = timedelta(minutes=1)


def _at(minutes: int) -> datetime:
    return MAR3 + timedelta(minutes=minutes)


def _asked_for_more(extra: tuple = ()) -> list:
    """agent1 answers at 10:20, notes privately at 10:25, asks the client for more
    and sets Feedback at 10:30."""
    return [
        (_at(20), "agent1", {"notes": "Please send the document number."}),
        (_at(25), "agent1", {"notes": "internal: checked the signing logs", "private": True}),
        (_at(30), "agent1", {"notes": "Waiting for the document number.", "status": "Feedback"}),
        *extra,
    ]


def _reopen_journal(sla: SlaHarness, issue_id: int) -> dict:
    notes = sla.notes(issue_id, "reopen")
    assert len(notes) == 1, notes
    return notes[0]


def test_feedback_pauses_and_a_client_reply_reopens_with_fields_in_the_same_pass(
    sla: SlaHarness,
) -> None:
    """Round-the-clock calendar. Basic issue created 120 min ago; 60 min later agent1
    answers publicly and sets Feedback. Resolution used = 60 working minutes: the
    field shows `paused, 1020 min left`, sla_state `paused`, the first response is
    met (no reminder), no due date.

    client1 then adds a note. The next single pass moves the issue back to In
    Progress with a private `[sla:reopen]` note, and in that same pass restamps the
    fields: resolution due = the reopen time + the 1020 minutes left, on_track."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - timedelta(minutes=120)
    asked = created + timedelta(minutes=60)
    issue_id = sla.create(
        "client1",
        "How do I revoke a signature?",
        created,
        journals=[(asked, "agent1", {"notes": "Which document?", "status": "Feedback"})],
    )
    left = 1080 - int((asked - created) / MINUTE)  # 1020

    first = sla.sync(config, issue_id)

    assert first["reopened"] == first["closed"] == 0
    got = sla.fields(issue_id)
    assert got["status"] == "Feedback"
    assert got["resolution_due"] == f"paused, {left} min left"
    assert got["sla_state"] == "paused"
    assert got["first_response_due"] == local_str(created + 540 * MINUTE)
    assert got["due_date"] is None
    assert sla.clock_notes(issue_id) == []

    sla.rm.add_note("client1", issue_id, "The contract of 1 March, number 17.")
    second = sla.sync(config, issue_id)

    assert second["reopened"] == 1 and second["closed"] == 0
    reopen = _reopen_journal(sla, issue_id)
    assert reopen["private_notes"] is True
    assert reopen["user"]["id"] == sla.rm.user_id("sla-bot")
    # Redmine splits a private note with changes: the status change is a public
    # journal of its own, by sla-bot, at the same time.
    (moved,) = [
        j
        for j in sla.rm.journals(issue_id)
        if any(d["name"] == "status_id" for d in j["details"])
        and j["user"]["id"] == sla.rm.user_id("sla-bot")
    ]
    assert [(d["old_value"], d["new_value"]) for d in moved["details"]] == [
        (str(sla.rm.status_id("Feedback")), str(sla.rm.status_id("In Progress")))
    ]
    resumed = datetime.fromisoformat(moved["created_on"].replace("Z", "+00:00"))
    due = resumed + left * MINUTE
    got = sla.fields(issue_id)
    assert got["status"] == "In Progress"
    assert got["resolution_due"] == local_str(due)
    assert got["sla_state"] == "on_track"
    assert got["due_date"] == local_str(due)[:10]
    # a third pass has nothing to do
    third = sla.sync(config, issue_id)
    assert third["updated"] == 0 and len(sla.notes(issue_id, "reopen")) == 1


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_auto_close_after_8_working_hours_without_a_client_note(
    sla: SlaHarness, language: str
) -> None:
    """In Feedback since 2025-03-03 10:30, no client note since: the pass closes it
    (status Closed) with a PUBLIC note starting `[sla:auto_close]`, in the configured
    language, saying no response was received and listing the staff's public notes
    and status changes with local dates (the private note is not listed). The fields
    end met: first response at 10:20, resolution used 30 of 1080 minutes (see the
    module docstring for the due times). A second pass writes nothing."""
    config = sla.config(language=language)
    issue_id = sla.create("client1", "Document is not signed", MAR3, journals=_asked_for_more())

    # In working time: a client reads the auto-close (SPEC: posted in working hours only).
    first = sla.sync_at_work(config, issue_id)
    journals_after_close = sla.rm.journal_ids(issue_id)
    second = sla.sync_at_work(config, issue_id)

    assert first["closed"] == 1 and first["errors"] == []
    assert second["updated"] == 0 and second["closed"] == 0
    assert sla.rm.journal_ids(issue_id) == journals_after_close
    closes = sla.notes(issue_id, "auto_close")
    assert len(closes) == 1, closes
    note = closes[0]
    text = note["notes"]
    assert text.startswith("[sla:auto_close]")
    assert note["private_notes"] is False
    assert NO_RESPONSE[language] in text
    assert [(d["name"], d["new_value"]) for d in note["details"]] == [
        ("status_id", str(sla.rm.status_id("Closed")))
    ]
    assert "2025-03-03 10:20" in text and "Please send the document number." in text
    assert "2025-03-03 10:30" in text and "Waiting for the document number." in text
    assert "New → Feedback" in text
    assert "internal" not in text
    # the client sees the closing note
    assert [j["id"] for j in sla.notes(issue_id, "auto_close", login="client1")] == [note["id"]]
    assert sla.fields(issue_id) == {
        "service_level": None,
        "channel": None,
        "category": "Consultation",
        "first_response_due": "2025-03-04T10:00+05:00",
        "resolution_due": "2025-03-05T10:00+05:00",
        "sla_state": "met",
        "status": "Closed",
        "priority": "Normal",
        "due_date": "2025-03-05",
    }


def test_client_note_after_feedback_reopens_instead_of_closing(sla: SlaHarness) -> None:
    """Feedback since 2025-03-03 10:30, client1 answered at 11:00: not closed; the
    pass moves it back to In Progress with a private `[sla:reopen]` note."""
    config = sla.config()
    issue_id = sla.create(
        "client1",
        "Document is not signed",
        MAR3,
        journals=_asked_for_more(((_at(60), "client1", {"notes": "Number 4711."}),)),
    )

    summary = sla.sync(config, issue_id)

    assert (summary["closed"], summary["reopened"]) == (0, 1)
    assert sla.notes(issue_id, "auto_close") == []
    assert _reopen_journal(sla, issue_id)["private_notes"] is True
    got = sla.fields(issue_id)
    assert got["status"] == "In Progress"
    assert got["sla_state"] == "on_track"  # 30 of 1080 resolution minutes used


def test_second_wait_counts_from_its_own_start(sla: SlaHarness) -> None:
    """The client answered the first request (11:00) and agent1 reopened it himself
    (11:10); at 11:30 agent1 asks again (Feedback). No client note since 11:30, long
    ago: auto-closed, and the note lists both waits' status changes."""
    config = sla.config()
    issue_id = sla.create(
        "client1",
        "Document is not signed",
        MAR3,
        journals=_asked_for_more(
            (
                (_at(60), "client1", {"notes": "Number 4711."}),
                (_at(70), "agent1", {"status": "In Progress"}),
                (_at(90), "agent1", {"notes": "And the date, please?", "status": "Feedback"}),
            )
        ),
    )

    summary = sla.sync_at_work(config, issue_id)  # the auto-close waits for working time

    assert (summary["closed"], summary["reopened"]) == (1, 0)
    assert sla.fields(issue_id)["status"] == "Closed"
    assert sla.notes(issue_id, "reopen") == []
    (note,) = sla.notes(issue_id, "auto_close")
    text = note["notes"]
    for line in (
        "2025-03-03 10:30",
        "2025-03-03 11:10",
        "Feedback → In Progress",
        "2025-03-03 11:30",
        "And the date, please?",
    ):
        assert line in text, (line, text)
    assert "Number 4711." not in text  # the client's note is not a staff action


def test_less_than_8_working_hours_in_feedback_is_left_alone(sla: SlaHarness) -> None:
    """Real calendar: Feedback entered one hour ago (at most 60 working minutes, far
    below 480, whatever the time of day): not closed, no note, still Feedback."""
    config = sla.config()
    created = now_minute() - timedelta(minutes=120)
    issue_id = sla.create(
        "client1",
        "Question about roaming",
        created,
        journals=[
            (created + timedelta(minutes=60), "agent1", {"notes": "Which?", "status": "Feedback"})
        ],
    )

    summary = sla.sync(config, issue_id)

    assert summary["closed"] == 0
    assert sla.fields(issue_id)["status"] == "Feedback"
    assert sla.clock_notes(issue_id) == []


@pytest.mark.parametrize(("minutes_ago", "closed"), [(470, False), (490, True)])
def test_auto_close_boundary_round_the_clock(
    sla: SlaHarness, minutes_ago: int, closed: bool
) -> None:
    """Round-the-clock calendar: Feedback entered 470 working minutes ago (< 480):
    left alone; 490 (>= 480): closed with one public note."""
    config = sla.config(round_the_clock=True)
    asked = now_minute() - timedelta(minutes=minutes_ago)
    created = asked - timedelta(minutes=10)
    waited = (now_minute() - asked) / MINUTE
    assert (waited >= 480) is closed
    issue_id = sla.create(
        "client1",
        "Question about roaming",
        created,
        journals=[(asked, "agent1", {"notes": "Which operator?", "status": "Feedback"})],
    )

    summary = sla.sync(config, issue_id)

    assert summary["closed"] == int(closed)
    assert sla.fields(issue_id)["status"] == ("Closed" if closed else "Feedback")
    assert len(sla.notes(issue_id, "auto_close")) == int(closed)
    assert sla.fields(issue_id)["sla_state"] == ("met" if closed else "paused")


@pytest.mark.parametrize(
    ("auto_close", "closed"),
    [
        ({"enabled": False}, False),  # switched off: never closed
        ({"after_working_hours": 1}, True),  # 70 >= 60 working minutes
        ({"after_working_hours": 1.5}, False),  # 70 < 90
    ],
)
def test_auto_close_settings(sla: SlaHarness, auto_close: dict, closed: bool) -> None:
    """Round-the-clock calendar, Feedback entered 70 min ago (70 working minutes):
    `[auto_close]` decides; a close note names the configured hours."""
    config = sla.config(round_the_clock=True, overrides={"auto_close": auto_close})
    asked = now_minute() - timedelta(minutes=70)
    issue_id = sla.create(
        "client1",
        "Question about roaming",
        asked - timedelta(minutes=10),
        journals=[(asked, "agent1", {"notes": "Which operator?", "status": "Feedback"})],
    )

    sla.sync(config, issue_id)

    assert sla.fields(issue_id)["status"] == ("Closed" if closed else "Feedback")
    notes = sla.notes(issue_id, "auto_close")
    assert len(notes) == int(closed)
    if closed:
        assert "within 1 working hours" in notes[0]["notes"]


def test_resolution_clock_resumes_after_reopening_keeping_used_time(sla: SlaHarness) -> None:
    """Round-the-clock calendar, VIP (resolution 540). Created T = now - 120 min,
    agent1 answers and sets Resolved at T+60 (60 min used, clock stopped), agent1
    reopens (In Progress) at T+90: the clock resumes with 480 minutes left, so
    resolution due = (T+90) + 480 working minutes; used now = 60 + 30 = 90."""
    config = sla.config(round_the_clock=True)
    start = now_minute()
    created = start - timedelta(minutes=120)
    resolved, reopened = created + timedelta(minutes=60), created + timedelta(minutes=90)
    issue_id = sla.create(
        "client1",
        "Signing fails again",
        created,
        custom_fields={"SLA level": "VIP"},
        journals=[
            (resolved, "agent1", {"notes": "Fixed.", "status": "Resolved"}),
            (reopened, "agent1", {"notes": "It came back.", "status": "In Progress"}),
        ],
    )
    used_before = (resolved - created) / MINUTE  # 60

    sla.sync(config, issue_id)

    due = reopened + (540 - used_before) * MINUTE
    got = sla.fields(issue_id)
    assert got["resolution_due"] == local_str(due)
    assert got["due_date"] == local_str(due)[:10]
    assert got["sla_state"] == "on_track"
    resolution = sla.explain(config, issue_id)["resolution"]
    # now is at most a minute past `start` (the test takes seconds)
    used = int(used_before + (start - reopened) / MINUTE)
    assert used <= resolution["used_minutes"] <= used + 1
    assert [i["kind"] for i in resolution.get("intervals", [])] in (
        [],
        ["running", "stopped", "running"],
    )
