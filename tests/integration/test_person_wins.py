"""A person's value wins (SPEC principle 3; classification: priority).

Issues created Thu 2025-01-02 10:00 Almaty with the real calendar; the clocks start
on the decreed working Sunday 2025-01-05 09:00 (see test_stamps.py):
basic: first response 2025-01-05T18:00, resolution 2025-01-06T18:00 (due date
2025-01-06); VIP urgent: first response 60 min -> 2025-01-05T10:00.
"""

from __future__ import annotations

from datetime import timedelta

from slaharness import SlaHarness, almaty

JAN2 = almaty(2025, 1, 2, 10, 0)


def test_due_date_and_category_set_by_an_agent_are_not_overwritten(sla: SlaHarness) -> None:
    """The first pass stamps due date 2025-01-06 and Category Consultation (Support
    tracker). agent1 then sets the due date to 2025-02-01 and Category to Defect:
    the next pass keeps both (and writes nothing else: its SLA fields are already
    right)."""
    config = sla.config()
    issue_id = sla.create("client1", "Cannot sign", JAN2)
    sla.sync(config, issue_id)
    got = sla.fields(issue_id)
    assert (got["due_date"], got["category"]) == ("2025-01-06", "Consultation")

    sla.rm.update("agent1", issue_id, due_date="2025-02-01", custom_fields={"Category": "Defect"})
    before = sla.state(issue_id)
    summary = sla.sync(config, issue_id)

    got = sla.fields(issue_id)
    assert (got["due_date"], got["category"]) == ("2025-02-01", "Defect")
    assert got["first_response_due"] == "2025-01-05T18:00+05:00"
    assert got["resolution_due"] == "2025-01-06T18:00+05:00"
    assert summary["updated"] == 0
    assert sla.state(issue_id)["journals"] == before["journals"]


def test_due_date_and_category_given_at_creation_are_kept(sla: SlaHarness) -> None:
    """The client filed the issue with a due date (2025-01-20) and Category Defect:
    the tool stamps its SLA fields but keeps both values."""
    config = sla.config()
    issue_id = sla.create(
        "client1",
        "Cannot sign",
        JAN2,
        due_date="2025-01-20",
        custom_fields={"Category": "Defect"},
    )

    sla.sync(config, issue_id)

    got = sla.fields(issue_id)
    assert (got["due_date"], got["category"]) == ("2025-01-20", "Defect")
    assert got["resolution_due"] == "2025-01-06T18:00+05:00"


def test_priority_set_by_a_person_is_untouched_with_apply_priority(sla: SlaHarness) -> None:
    """apply_priority = true and "Срочно" in the subject, but agent1 changed the
    priority (Normal -> Low) after creation: the tool leaves it Low and posts no
    `[sla:priority]` note."""
    config = sla.config(apply_priority=True)
    issue_id = sla.create(
        "client1",
        "Срочно: не могу подписать договор",
        JAN2,
        journals=[(JAN2 + timedelta(minutes=5), "agent1", {"priority": "Low"})],
    )

    sla.sync(config, issue_id)

    assert sla.fields(issue_id)["priority"] == "Low"
    assert sla.notes(issue_id, "priority") == []


def test_apply_priority_raises_a_still_default_priority_once(sla: SlaHarness) -> None:
    """apply_priority = true, VIP, priority still the default Normal, "Срочно" in the
    subject: the pass raises it to High (the first [priorities] urgent name) with a
    private `[sla:priority]` note, and recomputes the targets from creation: VIP
    urgent first response 60 min -> 2025-01-05T10:00. agent1 then sets Normal
    again: the next pass keeps Normal and posts no second note. Without
    apply_priority the same issue keeps Normal."""
    config = sla.config(apply_priority=True)
    issue_id = sla.create(
        "client1", "Срочно: не могу подписать договор", JAN2, custom_fields={"SLA level": "VIP"}
    )
    untouched = sla.create(
        "client1", "Срочно: не могу подписать договор", JAN2, custom_fields={"SLA level": "VIP"}
    )

    sla.sync(config, issue_id)
    sla.sync(sla.config(), untouched)

    got = sla.fields(issue_id)
    assert got["priority"] == "High"
    assert got["first_response_due"] == "2025-01-05T10:00+05:00"
    (note,) = sla.notes(issue_id, "priority")
    assert note["notes"].startswith("[sla:priority]")
    assert note["private_notes"] is True
    assert "High" in note["notes"]
    assert sla.fields(untouched)["priority"] == "Normal"
    assert sla.fields(untouched)["first_response_due"] == "2025-01-05T11:00+05:00"

    sla.rm.update("agent1", issue_id, priority="Normal")
    sla.sync(config, issue_id)

    got = sla.fields(issue_id)
    assert got["priority"] == "Normal"
    assert got["first_response_due"] == "2025-01-05T11:00+05:00"  # VIP normal: 120 min
    assert len(sla.notes(issue_id, "priority")) == 1


def test_category_the_tool_set_follows_a_tracker_change(sla: SlaHarness) -> None:
    """The counterpart: a value the tool set stays the tool's. Stamped Consultation
    (Support tracker); agent1 moves the issue to the Bug tracker: the next pass
    stamps Defect."""
    config = sla.config()
    issue_id = sla.create("client1", "Cannot sign", JAN2)
    sla.sync(config, issue_id)
    assert sla.fields(issue_id)["category"] == "Consultation"

    sla.rm.update("agent1", issue_id, tracker="Bug")
    sla.sync(config, issue_id)

    assert sla.fields(issue_id)["category"] == "Defect"
