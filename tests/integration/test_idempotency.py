"""A second pass with nothing new writes nothing (SPEC principles 1 and 2).

A fresh project holding one issue of every kind the first pass acts on, with the
round-the-clock calendar so that reminders and breach notes are due now:
* `breached`: created 2025-01-02, never answered -> breach notes, lead1 watcher;
* `at_risk`: VIP created 100 min ago (first response 90 <= 100 < 120) -> reminder;
* `on_track`: VIP created 30 min ago -> stamps only;
* `paused`: in Feedback for the last 60 min -> `paused, N min left`;
* `reply`: Feedback since 2025-03-03 10:30, client note at 11:00 -> reopened;
* `close`: Feedback since 2025-03-03 10:30, no client note -> auto-closed;
* `resolved`: answered and Resolved 3 h ago -> met;
* `rejected`: Rejected 40 min ago (closed; seen through the closed-issue lookback);
* `keywords`: Feature tracker, "Ошибка 500 при подписании" -> Defect;
* `urgent`: "Срочно" with a default priority and apply_priority -> High + note.
The second pass must leave every journal list, updated_on, watcher list, status,
priority, due date and custom field as the first pass left them, and report
updated 0; a dry run then plans nothing.
"""

from __future__ import annotations

from datetime import timedelta

from slaharness import SlaHarness, almaty, now_minute

JAN2 = almaty(2025, 1, 2, 10, 0)
MAR3 = almaty(2025, 3, 3, 10, 0)
VIP = {"SLA level": "VIP"}


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_second_pass_writes_nothing(sla: SlaHarness) -> None:
    """One whole pass acts on every issue listed in the module docstring; a second
    pass reports updated 0 and leaves Redmine exactly as it was; a dry run plans
    nothing."""
    project = sla.new_project()
    config = sla.config([project], round_the_clock=True, apply_priority=True)
    now = now_minute()
    p = {"project": project}
    ids = {
        "breached": sla.create("client1", "Nobody answers", JAN2, **p),
        "at_risk": sla.create("client1", "At risk", now - _minutes(100), custom_fields=VIP, **p),
        "on_track": sla.create("vipclient1", "On track", now - _minutes(30), **p),
        "paused": sla.create(
            "client1",
            "Paused",
            now - _minutes(120),
            journals=[(now - _minutes(60), "agent1", {"notes": "Which?", "status": "Feedback"})],
            **p,
        ),
        "reply": sla.create(
            "client1",
            "Client replied",
            MAR3,
            journals=[
                (MAR3 + _minutes(30), "agent1", {"notes": "Which?", "status": "Feedback"}),
                (MAR3 + _minutes(60), "client1", {"notes": "This one."}),
            ],
            **p,
        ),
        "close": sla.create(
            "client2",
            "Client silent",
            MAR3,
            journals=[(MAR3 + _minutes(30), "agent1", {"notes": "Which?", "status": "Feedback"})],
            **p,
        ),
        "resolved": sla.create(
            "client2",
            "Resolved",
            now - _minutes(180),
            journals=[
                (now - _minutes(170), "agent1", {"notes": "Fixed.", "status": "Resolved"}),
            ],
            **p,
        ),
        "rejected": sla.create(
            "client2",
            "Rejected",
            now - _minutes(50),
            journals=[(now - _minutes(40), "lead1", {"notes": "Spam.", "status": "Rejected"})],
            **p,
        ),
        "keywords": sla.create(
            "client1", "Ошибка 500 при подписании", now - _minutes(10), tracker="Feature", **p
        ),
        "urgent": sla.create("client1", "Срочно: не могу войти", now - _minutes(5), **p),
    }

    first = sla.sync(config)

    assert first["errors"] == []
    assert first["seen"] == len(ids)
    assert (first["reopened"], first["closed"]) == (1, 1)
    assert first["reminders"] >= 1 and first["breaches"] >= 2
    assert sla.fields(ids["close"])["status"] == "Closed"
    assert sla.fields(ids["reply"])["status"] == "In Progress"
    assert sla.fields(ids["urgent"])["priority"] == "High"
    assert sla.fields(ids["keywords"])["category"] == "Defect"
    assert sla.fields(ids["at_risk"])["sla_state"] == "at_risk"
    assert sla.fields(ids["paused"])["sla_state"] == "paused"
    assert sla.fields(ids["resolved"])["sla_state"] == "met"
    assert sla.rm.user_id("lead1") in sla.state(ids["breached"])["watchers"]
    after_first = {name: sla.state(i) for name, i in ids.items()}

    second = sla.sync(config)

    assert second == {
        "seen": len(ids),
        "updated": 0,
        "reminders": 0,
        "breaches": 0,
        "reopened": 0,
        "closed": 0,
        "errors": [],
    }
    for name, issue_id in ids.items():
        assert sla.state(issue_id) == after_first[name], name

    dry = sla.sync(config, dry_run=True)
    assert dry["updated"] == 0 and dry["planned"] == []
