"""Reminders, breaches and the first-response clock (SPEC: clocks, what the tool writes).

Reminder and breach notes are posted only within working hours, so these tests use
the round-the-clock calendar (`mode = "24x7"`: every minute is working time, so working
minutes are wall-clock minutes at any time of day) and issues created a few
minutes/hours before now (`now_minute()`, whole minutes).

VIP, normal priority, other channel: first response 120 working minutes (reminder at
75% = 90 min), resolution 540 (reminder at 405 min).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from slaharness import ALMATY, SlaHarness, almaty, local_str, now_minute

VIP = {"SLA level": "VIP"}
MINUTE = timedelta(minutes=1)


def _assign(created, login="agent1"):
    """A journal one minute after creation: agent1 assigns the issue (no note)."""
    return (created + timedelta(minutes=1), "agent1", {"assigned_to": login})


@pytest.mark.parametrize(
    ("assignee", "mention", "not_mentioned"),
    [
        ("agent1", "@agent1", "@lead1"),
        (None, "@lead1", "@agent1"),
    ],
)
def test_first_response_reminder_at_75_percent_once(
    sla: SlaHarness, assignee: str | None, mention: str, not_mentioned: str
) -> None:
    """VIP normal created 100 working minutes ago (90 <= 100 < 120): one private
    `[sla:first_response:75]` note naming the due time (created + 120 min) and
    mentioning the assignee (@agent1), or the lead (@lead1) when unassigned; state
    at_risk. A second pass posts nothing more; client1 (the author) sees no
    reminder."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - timedelta(minutes=100)
    assert 90 <= (now_minute() - created) / MINUTE < 119
    issue_id = sla.create(
        "client1",
        "Cannot send a document to the counterparty",
        created,
        custom_fields=VIP,
        journals=[_assign(created)] if assignee else [],
    )
    due = local_str(created + 120 * MINUTE)

    first = sla.sync(config, issue_id)
    second = sla.sync(config, issue_id)

    assert (first["reminders"], first["breaches"]) == (1, 0)
    assert (second["reminders"], second["breaches"], second["updated"]) == (0, 0, 0)
    notes = sla.clock_notes(issue_id)
    assert len(notes) == 1, notes
    note = notes[0]
    assert note["notes"].startswith("[sla:first_response:75]")
    assert note["private_notes"] is True
    assert note["user"]["id"] == sla.rm.user_id("sla-bot")
    assert mention in note["notes"] and not_mentioned not in note["notes"]
    assert due in note["notes"]
    got = sla.fields(issue_id)
    assert got["first_response_due"] == due
    assert got["sla_state"] == "at_risk"
    assert sla.notes(issue_id, login="client1") == []


def test_first_response_breach_once_mentions_assignee_and_lead_and_adds_watcher(
    sla: SlaHarness,
) -> None:
    """VIP normal assigned to agent1, created 200 working minutes ago (> 120; the
    resolution clock's 405-minute reminder is not reached): one private
    `[sla:first_response:breach]` note mentioning @agent1 and @lead1, lead1 added as
    a watcher, state breached. A second pass adds neither a note nor a watcher.
    client1 cannot see the note."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - timedelta(minutes=200)
    issue_id = sla.create(
        "client1",
        "The portal does not open",
        created,
        custom_fields=VIP,
        journals=[_assign(created)],
    )

    first = sla.sync(config, issue_id)
    watchers = sla.state(issue_id)["watchers"]
    second = sla.sync(config, issue_id)

    assert (first["breaches"], first["reminders"]) == (1, 0)
    assert (second["breaches"], second["reminders"], second["updated"]) == (0, 0, 0)
    notes = sla.clock_notes(issue_id)
    assert [n["notes"].split("]")[0] + "]" for n in notes] == ["[sla:first_response:breach]"]
    note = notes[0]
    assert note["private_notes"] is True
    assert "@agent1" in note["notes"] and "@lead1" in note["notes"]
    assert local_str(created + 120 * MINUTE) in note["notes"]
    # (Redmine itself makes whoever updates an issue a watcher: agent1, sla-bot.)
    assert sla.rm.user_id("lead1") in watchers
    assert sla.state(issue_id)["watchers"] == watchers
    assert sla.fields(issue_id)["sla_state"] == "breached"
    assert sla.notes(issue_id, login="client1") == []
    client_view = sla.rm.journals(issue_id, login="client1")
    assert all(not (j.get("notes") or "").startswith("[sla:") for j in client_view)


@pytest.mark.parametrize(
    ("minutes_ago", "tag"), [(450, "resolution:75"), (600, "resolution:breach")]
)
def test_resolution_reminder_and_breach(sla: SlaHarness, minutes_ago: int, tag: str) -> None:
    """VIP normal answered publicly by agent1 5 minutes after creation (first
    response met), resolution target 540: created 450 min ago -> 405 <= 450 < 540,
    one `[sla:resolution:75]` reminder; 600 min ago -> one `[sla:resolution:breach]`.
    Once each across two passes; private."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - timedelta(minutes=minutes_ago)
    issue_id = sla.create(
        "client1",
        "Signing takes forever",
        created,
        custom_fields=VIP,
        journals=[(created + timedelta(minutes=5), "agent1", {"notes": "We are on it."})],
    )

    sla.sync(config, issue_id)
    sla.sync(config, issue_id)

    notes = sla.clock_notes(issue_id)
    assert [n["notes"].split("]")[0] + "]" for n in notes] == [f"[sla:{tag}]"]
    assert notes[0]["private_notes"] is True
    got = sla.fields(issue_id)
    assert got["resolution_due"] == local_str(created + 540 * MINUTE)
    assert got["sla_state"] == ("breached" if tag.endswith("breach") else "at_risk")
    explained = sla.explain(config, issue_id)
    assert explained["first_response"]["state"] == "met"
    assert explained["first_response"]["met_at"] == local_str(created + timedelta(minutes=5))


@pytest.mark.parametrize(
    ("who", "private", "stops"),
    [
        ("agent1", True, False),  # a private staff note is not an answer
        ("agent1", False, True),  # a public staff note is
        ("lead1", False, True),
        ("sla-bot", False, False),  # the tool's own notes never count
        ("client1", False, False),  # nor the client's
    ],
)
def test_what_stops_the_first_response_clock(
    sla: SlaHarness, who: str, private: bool, stops: bool
) -> None:
    """VIP normal created 100 working minutes ago; a note by `who` 10 minutes after
    creation. Only a public staff note stops the first-response clock: then it is
    met at created + 10 min and no reminder is posted; otherwise the clock still runs
    at 100 of 120 minutes and the `[sla:first_response:75]` reminder is posted."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - timedelta(minutes=100)
    answered = created + timedelta(minutes=10)
    issue_id = sla.create(
        "client1",
        "Where do I find the archive?",
        created,
        custom_fields=VIP,
        journals=[(answered, who, {"notes": "Thank you, we received it.", "private": private})],
    )

    summary = sla.sync(config, issue_id)

    explained = sla.explain(config, issue_id)
    reminders = sla.notes(issue_id, "first_response:75")
    if stops:
        assert summary["reminders"] == 0
        assert reminders == []
        assert explained["first_response"]["met_at"] == local_str(answered)
        assert explained["first_response"]["state"] == "met"
        assert sla.fields(issue_id)["sla_state"] == "on_track"
    else:
        assert summary["reminders"] == 1
        assert len(reminders) == 1
        assert explained["first_response"]["met_at"] is None
        assert explained["first_response"]["state"] == "at_risk"
        assert sla.fields(issue_id)["sla_state"] == "at_risk"


def test_no_notes_outside_working_hours_then_announced_in_working_time(sla: SlaHarness) -> None:
    """A basic issue created 2025-01-02 10:00, never answered: both clocks long
    breached. With a calendar in which yesterday, today and tomorrow are holidays,
    now is never working time: the pass stamps `breached` but posts no reminder or
    breach note (other notes, e.g. the intake checks, may be posted at any time). The
    next pass in working time (round-the-clock calendar) announces both breaches."""
    today = datetime.now(ALMATY).date()
    off = sla.config(
        overrides={"calendar": {"extra_holidays": [today + timedelta(days=d) for d in (-1, 0, 1)]}}
    )
    issue_id = sla.create("client1", "Nobody answers", almaty(2025, 1, 2, 10, 0))

    night = sla.sync(off, issue_id)

    assert night["breaches"] == 0
    assert sla.clock_notes(issue_id) == []
    assert sla.fields(issue_id)["sla_state"] == "breached"

    day = sla.sync(sla.config(round_the_clock=True), issue_id)

    assert day["breaches"] == 2
    tags = sorted(n["notes"].split("]")[0] + "]" for n in sla.clock_notes(issue_id))
    assert tags == ["[sla:first_response:breach]", "[sla:resolution:breach]"]


def test_breach_is_sticky_after_a_priority_change(sla: SlaHarness) -> None:
    """VIP, priority High (first response 60 min), created 90 working minutes ago:
    breached and announced. agent1 then lowers the priority to Normal: the target
    becomes 120 min, due at created + 120 (after now), but the announced breach
    stays: sla_state `breached`, first response state `breached`, no second note."""
    config = sla.config(round_the_clock=True)
    created = now_minute() - timedelta(minutes=90)
    issue_id = sla.create("client1", "Cannot log in", created, priority="High", custom_fields=VIP)
    sla.sync(config, issue_id)
    assert len(sla.notes(issue_id, "first_response:breach")) == 1

    sla.rm.update("agent1", issue_id, priority="Normal")
    sla.sync(config, issue_id)

    got = sla.fields(issue_id)
    assert got["first_response_due"] == local_str(created + 120 * MINUTE)
    assert got["sla_state"] == "breached"
    assert sla.explain(config, issue_id)["first_response"]["state"] == "breached"
    assert len(sla.notes(issue_id, "first_response:breach")) == 1
    assert sla.notes(issue_id, "first_response:75") == []


def test_each_configured_reminder_fraction_is_posted_once(sla: SlaHarness) -> None:
    """reminders.at = [0.5, 0.75], VIP normal (120 min). Created 70 working minutes
    ago (60 <= 70 < 90): one `[sla:first_response:50]`. Then the creation is moved
    to 100 minutes ago (90 <= 100 < 120): one `[sla:first_response:75]` more. A
    further pass adds nothing."""
    config = sla.config(round_the_clock=True, overrides={"reminders": {"at": [0.5, 0.75]}})
    issue_id = sla.create(
        "client1", "Two reminders", now_minute() - timedelta(minutes=70), custom_fields=VIP
    )

    sla.sync(config, issue_id)
    assert [n["notes"][:25] for n in sla.clock_notes(issue_id)] == ["[sla:first_response:50] R"]

    sla.rm.set_created(issue_id, now_minute() - timedelta(minutes=100))
    sla.sync(config, issue_id)
    sla.sync(config, issue_id)

    tags = [n["notes"].split("]")[0] + "]" for n in sla.clock_notes(issue_id)]
    assert tags == ["[sla:first_response:50]", "[sla:first_response:75]"]
    assert all(n["private_notes"] for n in sla.clock_notes(issue_id))
