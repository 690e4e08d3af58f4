"""On hold (`statuses.on_hold`: "With development", «Передано в разработку») in a real
Redmine: the resolution clock pauses there as while awaiting the client, resumes with the
time already used, and the issue is never auto-closed nor moved by a client note (SPEC:
clocks, what the tool writes; regulation rules 17 and 23).

Fixed past dates with the real calendar. A VIP request (first response 120 working
minutes, resolution 540) created Mon 2025-03-03 10:00 Almaty (+05:00), answered at 10:20,
handed to development at 10:30 (30 minutes used, 510 left); the client asks for news on
Tuesday 10:00. Without the hold it would be due Tue 2025-03-04 10:00. Back in progress on
Thu 2025-03-06 10:30, three working days (1620 working minutes) later: 510 minutes from
there, 450 on Thursday and 60 on Friday, due Fri 2025-03-07 10:00. Resolved on Thursday
11:00: met, 60 minutes used.
"""

from __future__ import annotations

from typing import Any

import pytest
from slaharness import EN_FIELDS, RU_FIELDS, SlaHarness, almaty

MAR3 = almaty(2025, 3, 3, 10, 0)

# language -> the desk's names: project, tracker, VIP field value, agent, statuses, fields
DESKS: dict[str, dict[str, Any]] = {
    "en": {
        "project": "edoc",
        "tracker": "Support",
        "priority": "Normal",
        "vip": {"SLA level": "VIP"},
        "agent": "agent1",
        "hold": "With development",
        "work": "In Progress",
        "resolved": "Resolved",
        "fields": EN_FIELDS,
    },
    "ru": {
        "project": "edoc-ru",
        "tracker": "Консультация",
        "priority": "Обычный",
        "vip": {"Уровень обслуживания": "VIP"},
        "agent": "agent2",
        "hold": "Передано в разработку",
        "work": "В работе",
        "resolved": "Решена",
        "fields": RU_FIELDS,
    },
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_on_hold_pauses_the_resolution_and_never_closes(sla: SlaHarness, language: str) -> None:
    """While on hold (for a year by now, far past the 8 working hours of auto-close, and
    after a client note): `paused, 510 min left`, sla_state `paused`, no due date, no
    auto-close, no reopen, no reminder. Back in progress and resolved: due Friday 10:00,
    met, the due date set; `explain` shows the on-hold interval apart."""
    desk = DESKS[language]
    russian = language == "ru"
    config = sla.config([desk["project"]], russian=russian, language=language)
    agent = desk["agent"]
    issue_id = sla.create(
        "client1",
        "Export of the register fails" if not russian else "Не выгружается реестр",
        MAR3,
        project=desk["project"],
        tracker=desk["tracker"],
        priority=desk["priority"],
        custom_fields=desk["vip"],
        journals=[
            (almaty(2025, 3, 3, 10, 20), agent, {"notes": "Reproduced, checking."}),
            (almaty(2025, 3, 3, 10, 30), agent, {"notes": "Passed on.", "status": desk["hold"]}),
            (almaty(2025, 3, 4, 10, 0), "client1", {"notes": "Any news?"}),
        ],
    )

    first = sla.sync(config, issue_id)
    second = sla.sync(config, issue_id)

    assert (first["closed"], first["reopened"], first["errors"]) == (0, 0, [])
    assert second["updated"] == 0
    got = sla.fields(issue_id, desk["fields"])
    assert got["status"] == desk["hold"]
    assert got["resolution_due"] == "paused, 510 min left"
    assert got["sla_state"] == "paused"
    assert got["first_response_due"] == "2025-03-03T12:00+05:00"
    assert got["due_date"] is None
    assert sla.notes(issue_id, "auto_close") == []
    assert sla.notes(issue_id, "reopen") == []
    assert sla.clock_notes(issue_id) == []
    resolution = sla.explain(config, issue_id)["resolution"]
    assert (resolution["paused"], resolution["due"], resolution["used_minutes"]) == (True, None, 30)
    assert [i["kind"] for i in resolution["intervals"]] == ["running", "on_hold"]

    for when, status in (
        (almaty(2025, 3, 6, 10, 30), desk["work"]),
        (almaty(2025, 3, 6, 11, 0), desk["resolved"]),
    ):
        journal = sla.rm.add_note(agent, issue_id, f"Status: {status}.", status=status)
        assert journal is not None
        sla.rm.set_journal_created(journal, when)

    third = sla.sync(config, issue_id)

    assert (third["closed"], third["reopened"], third["errors"]) == (0, 0, [])
    got = sla.fields(issue_id, desk["fields"])
    assert got["status"] == desk["resolved"]
    assert got["resolution_due"] == "2025-03-07T10:00+05:00"  # Tue 10:00 + 1620 on hold
    assert got["sla_state"] == "met"
    assert got["due_date"] == "2025-03-07"
    assert sla.notes(issue_id, "auto_close") == []
    resolution = sla.explain(config, issue_id)["resolution"]
    assert (resolution["paused"], resolution["used_minutes"]) == (False, 60)
    kinds = [i["kind"] for i in resolution["intervals"]]
    assert kinds == ["running", "on_hold", "running", "stopped"]
    assert resolution["intervals"][1]["working_minutes"] == 3 * 540
