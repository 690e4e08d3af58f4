"""Field stamps of one whole `sync` pass over a fresh project (SPEC: SLA policy, what the
tool writes, classification).

The default (real) calendar, Asia/Almaty 09:00-18:00 on Kazakh working days, and
issues created on fixed past dates, so every expected stamp is independent of now:

* created Thu 2025-01-02 10:00 (New Year holiday). 2025-01-03 is a day off
  (transferred from Sunday 2025-01-05), 01-04 a Saturday, Sunday 2025-01-05 a
  decreed working day: the clocks start Sun 2025-01-05 09:00.
  - basic, other channel: first response 540 min -> 2025-01-05 18:00 (the end of the
    day, not 01-06 09:00); resolution 1080 min -> 2025-01-06 18:00.
  - basic, online assistant: first response 15 min -> 2025-01-05 09:15.
  - VIP normal: 120 min -> 11:00; resolution 540 -> 2025-01-05 18:00.
  - VIP urgent (High, Urgent): 60 min -> 10:00. VIP immediate: 30 min -> 09:30.
  - VIP official letter: first response by priority, resolution 1080 (the basic
    figure) -> 2025-01-06 18:00.
* created Thu 2024-02-29 17:00, then UTC+6; Kazakhstan moved to UTC+5 on
  2024-03-01. VIP normal: 60 min on 02-29 + 60 min on Fri 03-01 -> 2024-03-01
  10:00+05:00; resolution 540 = 60 + 480 -> 2024-03-01 17:00+05:00.

Nobody answered, and every due time is long past: sla_state is `breached`.
"""

from __future__ import annotations

import pytest
from slaharness import SlaHarness, almaty

JAN2 = almaty(2025, 1, 2, 10, 0)
FEB29 = almaty(2024, 2, 29, 17, 0)

# name: (author, tracker, priority, custom fields, created,
#        first_response_due, resolution_due, due_date, category)
CASES = {
    "basic other": (
        "client1",
        "Support",
        "Normal",
        {"SLA level": "Basic", "Channel": "E-mail"},
        JAN2,
        "2025-01-05T18:00+05:00",
        "2025-01-06T18:00+05:00",
        "2025-01-06",
        "Consultation",
    ),
    "basic online assistant": (
        "client2",
        "Bug",
        "Normal",
        {"Channel": "Online assistant"},
        JAN2,
        "2025-01-05T09:15+05:00",
        "2025-01-06T18:00+05:00",
        "2025-01-06",
        "Defect",
    ),
    "basic, High priority does not matter": (
        "client1",
        "Support",
        "High",
        {},
        JAN2,
        "2025-01-05T18:00+05:00",
        "2025-01-06T18:00+05:00",
        "2025-01-06",
        "Consultation",
    ),
    "vip by field": (
        "client1",
        "Support",
        "Normal",
        {"SLA level": "VIP"},
        JAN2,
        "2025-01-05T11:00+05:00",
        "2025-01-05T18:00+05:00",
        "2025-01-05",
        "Consultation",
    ),
    "vip by group author": (
        "vipclient1",
        "Bug",
        "Low",
        {},
        JAN2,
        "2025-01-05T11:00+05:00",
        "2025-01-05T18:00+05:00",
        "2025-01-05",
        "Defect",
    ),
    "vip High": (
        "client1",
        "Support",
        "High",
        {"SLA level": "VIP"},
        JAN2,
        "2025-01-05T10:00+05:00",
        "2025-01-05T18:00+05:00",
        "2025-01-05",
        "Consultation",
    ),
    "vip Immediate": (
        "vipclient1",
        "Support",
        "Immediate",
        {},
        JAN2,
        "2025-01-05T09:30+05:00",
        "2025-01-05T18:00+05:00",
        "2025-01-05",
        "Consultation",
    ),
    "vip online assistant": (
        "vipclient1",
        "Support",
        "Immediate",
        {"Channel": "Online assistant"},
        JAN2,
        "2025-01-05T09:15+05:00",
        "2025-01-05T18:00+05:00",
        "2025-01-05",
        "Consultation",
    ),
    "vip official letter, Urgent": (
        "client2",
        "Bug",
        "Urgent",
        {"SLA level": "VIP", "Channel": "Official letter"},
        JAN2,
        "2025-01-05T10:00+05:00",
        "2025-01-06T18:00+05:00",
        "2025-01-06",
        "Defect",
    ),
    "vip across the 2024-03-01 offset change": (
        "vipclient1",
        "Support",
        "Normal",
        {},
        FEB29,
        "2024-03-01T10:00+05:00",
        "2024-03-01T17:00+05:00",
        "2024-03-01",
        "Consultation",
    ),
}


def test_one_pass_stamps_every_issue_as_computed(sla: SlaHarness) -> None:
    """One whole pass over a fresh project stamps first response due, resolution
    due, SLA state, Category and the due date of every issue exactly as computed in
    the module docstring; the service level and channel fields stay untouched."""
    project = sla.new_project()
    ids = {}
    for name, (author, tracker, priority, cfs, created, *_expected) in CASES.items():
        ids[name] = sla.create(
            author,
            f"Stamp test: {name}",
            created,
            description="How do I sign a contract with two signatures?",
            project=project,
            tracker=tracker,
            priority=priority,
            custom_fields=cfs or None,
        )

    summary = sla.sync(sla.config([project]))
    assert summary["seen"] == len(CASES)
    assert summary["updated"] == len(CASES)
    assert summary["errors"] == []

    for name, (_a, _t, priority, cfs, _c, first, resolution, due, category) in CASES.items():
        got = sla.fields(ids[name])
        assert got == {
            "service_level": cfs.get("SLA level"),
            "channel": cfs.get("Channel"),
            "category": category,
            "first_response_due": first,
            "resolution_due": resolution,
            "sla_state": "breached",
            "status": "New",
            "priority": priority,
            "due_date": due,
        }, name
        # whatever else the pass wrote (breach notes, if now is working time) is private
        assert all(j["private_notes"] for j in sla.notes(ids[name])), name


@pytest.mark.parametrize(
    ("subject", "description", "category"),
    [
        ("Ошибка 500 при подписании", "", "Defect"),
        ("Қате: құжат ашылмайды", "", "Defect"),
        ("How do I add a second signer?", "Where is the setting for this?", "Consultation"),
    ],
)
def test_unmapped_tracker_is_classified_by_keywords(
    sla: SlaHarness, subject: str, description: str, category: str
) -> None:
    """The Feature tracker is in neither [trackers] list: the keyword classifier
    decides the Category ("Ошибка 500 при подписании" -> Defect). Basic, created
    2025-01-02 10:00: due times as in the module docstring."""
    project = sla.new_project()
    issue_id = sla.create(
        "client1", subject, JAN2, description=description, project=project, tracker="Feature"
    )

    sla.sync(sla.config([project]))

    got = sla.fields(issue_id)
    assert got["category"] == category
    assert got["first_response_due"] == "2025-01-05T18:00+05:00"
    assert got["resolution_due"] == "2025-01-06T18:00+05:00"
    assert got["due_date"] == "2025-01-06"
    explained = sla.explain(sla.config([project]), issue_id)
    assert explained["category"] == category.lower()


def test_level_change_recomputes_targets_from_creation(sla: SlaHarness) -> None:
    """A basic issue created 2025-01-02 10:00 is stamped 2025-01-05T18:00 /
    2025-01-06T18:00. agent1 then sets SLA level VIP: the next pass recomputes
    from the creation time: 120 min -> 2025-01-05T11:00, 540 -> 2025-01-05T18:00,
    due date 2025-01-05."""
    config = sla.config()
    issue_id = sla.create("client1", "Level change", JAN2)
    sla.sync(config, issue_id)
    assert sla.fields(issue_id)["first_response_due"] == "2025-01-05T18:00+05:00"

    sla.rm.update("agent1", issue_id, custom_fields={"SLA level": "VIP"})
    sla.sync(config, issue_id)

    got = sla.fields(issue_id)
    assert got["first_response_due"] == "2025-01-05T11:00+05:00"
    assert got["resolution_due"] == "2025-01-05T18:00+05:00"
    assert got["due_date"] == "2025-01-05"


def test_issue_created_closed_is_not_applicable(sla: SlaHarness) -> None:
    """agent1 registers a phone call directly as Closed (2025-01-02 10:00): no clock
    ever ran, sla_state `not_applicable`, and no reminder or breach note."""
    issue_id = sla.create("agent1", "Phone call, answered", JAN2, status="Closed")

    sla.sync(sla.config(round_the_clock=True), issue_id)

    assert sla.fields(issue_id)["sla_state"] == "not_applicable"
    assert sla.notes(issue_id) == []


def test_vip_project_makes_every_issue_vip(sla: SlaHarness) -> None:
    """service_level.vip_projects names the project: client1's plain issue (created
    2025-01-02 10:00) gets the VIP normal targets, 120/540 ->
    2025-01-05T11:00 / 2025-01-05T18:00."""
    project = sla.new_project()
    issue_id = sla.create("client1", "Plain question", JAN2, project=project)
    config = sla.config([project], overrides={"service_level": {"vip_projects": [project]}})

    sla.sync(config)

    got = sla.fields(issue_id)
    assert got["first_response_due"] == "2025-01-05T11:00+05:00"
    assert got["resolution_due"] == "2025-01-05T18:00+05:00"
    assert sla.explain(config, issue_id)["level"] == "vip"
