"""Small builders of snapshots for the pure-core tests. Times are Astana wall times."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sup_sla_sync.core.calendar import load_zone
from sup_sla_sync.core.model import (
    PRIORITY,
    STATUS,
    FieldChange,
    IssueSnapshot,
    Journal,
    People,
    cf,
)

ALMATY = load_zone("Asia/Almaty")
TOOL, AGENT, AGENT2, LEAD, CLIENT, VIP_CLIENT = 1, 10, 11, 12, 20, 30
PEOPLE = People(
    tool_user_id=TOOL,
    staff_ids=frozenset({AGENT, AGENT2, LEAD, TOOL}),
    vip_ids=frozenset({VIP_CLIENT}),
    logins={
        TOOL: "sla-bot",
        AGENT: "agent1",
        AGENT2: "agent2",
        LEAD: "lead1",
        CLIENT: "client1",
        VIP_CLIENT: "vipclient1",
    },
    lead_id=LEAD,
)
_ids = itertools.count(1000)
ALL_FIELDS = (
    "SLA level",
    "Channel",
    "Category",
    "SLA first response due",
    "SLA resolution due",
    "SLA state",
)


def at(text: str) -> datetime:
    """An Astana wall time '2025-01-13 10:00' as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY).astimezone(UTC)


def note(when: str, user: int = AGENT, text: str = "Answer", private: bool = False) -> Journal:
    return Journal(next(_ids), user, at(when), notes=text, private=private)


def status(when: str, old: str, new: str, user: int = AGENT, text: str = "") -> Journal:
    return Journal(next(_ids), user, at(when), notes=text, changes=(FieldChange(STATUS, old, new),))


def change(when: str, name: str, old: str | None, new: str | None, user: int = AGENT) -> Journal:
    return Journal(next(_ids), user, at(when), changes=(FieldChange(name, old, new),))


def priority(when: str, old: str, new: str, user: int = AGENT) -> Journal:
    return change(when, PRIORITY, old, new, user)


def issue(
    created: str = "2025-01-13 10:00",
    *journals: Journal,
    level: str | None = None,
    channel: str | None = None,
    prio: str = "Normal",
    status_now: str | None = None,
    author: int = CLIENT,
    tracker: str = "Support",
    subject: str = "Как подписать документ?",
    description: str = "",
    fields: dict[str, str | None] | None = None,
    project: str = "edoc",
    assigned_to: int | None = AGENT,
    issue_id: int = 7,
    set_by: int | None = AGENT,
) -> IssueSnapshot:
    """An issue; its status is the last status change's new value unless given.

    `level` and `channel` grant service, so they count only when staff set them (SPEC.md,
    principle 8): for an author who is not staff, `set_by` (an agent by default) sets them
    in a journal at creation; `set_by=None` leaves them as the author's own values."""
    if status_now is None:
        status_now = "New"
        for journal in journals:
            for detail in journal.changes:
                if detail.name == STATUS and detail.new:
                    status_now = detail.new
    # Redmine lists every field enabled for the issue, empty ones included.
    values: dict[str, str | None] = dict.fromkeys(ALL_FIELDS)
    values.update({"SLA level": level, "Channel": channel})
    values.update(fields or {})
    granted = tuple(
        FieldChange(cf(name), None, value)
        for name, value in (("SLA level", level), ("Channel", channel))
        if value is not None
    )
    if granted and set_by is not None and author not in PEOPLE.staff_ids:
        journals = (Journal(next(_ids), set_by, at(created), changes=granted), *journals)
    return IssueSnapshot(
        id=issue_id,
        project=project,
        subject=subject,
        description=description,
        tracker=tracker,
        status=status_now,
        priority=prio,
        author_id=author,
        assigned_to_id=assigned_to,
        created_on=at(created),
        updated_on=max([at(created), *(j.created_on for j in journals)]),
        custom_fields=values,
        journals=tuple(journals),
    )


__all__ = [
    "AGENT",
    "AGENT2",
    "CLIENT",
    "LEAD",
    "PEOPLE",
    "TOOL",
    "VIP_CLIENT",
    "at",
    "cf",
    "change",
    "issue",
    "note",
    "priority",
    "status",
]
