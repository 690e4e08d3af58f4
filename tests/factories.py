"""Small builders of snapshots and rules for the pure-core tests. Times are Astana wall
times.

The core's tests build `Rules` here, without the configuration (pydantic): `make_rules()`
is what `Settings().rules()` gives, and test_config.py checks that it still is.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sup_sla_sync.core.calendar import CalendarRules, WorkCalendar, load_zone
from sup_sla_sync.core.model import (
    PRIORITY,
    STATUS,
    Category,
    Channel,
    FieldChange,
    IssueSnapshot,
    Journal,
    People,
    Priority,
    cf,
)
from sup_sla_sync.core.rules import (
    AutoClose,
    FieldNames,
    IntakeSwitches,
    Policy,
    Rules,
    StatusRules,
    TargetTable,
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


# --- rules: the configuration's defaults (config.py) as core values ------------------------

DEFAULT_TARGETS = TargetTable(
    basic_online_assistant=15,
    basic_other=540,
    vip_online_assistant=15,
    vip_normal=120,
    vip_urgent=60,
    vip_immediate=30,
    resolution_basic=1080,
    resolution_vip=540,
    resolution_vip_official_letter=1080,
)
DEFAULT_STATUSES = StatusRules(
    new=("New",),
    in_progress=("In Progress",),
    awaiting_client=("Feedback",),
    on_hold=(),
    resolved=("Resolved",),
    closed=("Closed", "Rejected"),
    reopen_to="In Progress",
    auto_close_to="Closed",
)
_INTAKE = {"scope_check": True, "language_check": True, "identity_check": True}
_PRIORITY_NAMES = {
    Priority.NORMAL: ("Low", "Normal"),
    Priority.URGENT: ("High", "Urgent"),
    Priority.IMMEDIATE: ("Immediate",),
}
DEFAULT_RULES = Rules(
    statuses=DEFAULT_STATUSES,
    trackers={"Support": Category.CONSULTATION, "Bug": Category.DEFECT},
    priorities={name: role for role, names in _PRIORITY_NAMES.items() for name in names},
    priority_names=_PRIORITY_NAMES,
    channels={
        "Online assistant": Channel.ONLINE_ASSISTANT,
        "Official letter": Channel.OFFICIAL_LETTER,
    },
    category_values={Category.CONSULTATION: "Consultation", Category.DEFECT: "Defect"},
    fields=FieldNames(*ALL_FIELDS),
    vip_values=frozenset({"VIP"}),
    vip_projects=frozenset(),
    targets=DEFAULT_TARGETS,
    reminders=(0.75,),
    auto_close=AutoClose(enabled=True, after_working_hours=8, warn_before_working_hours=0),
    intake=IntakeSwitches(frozenset(_INTAKE)),
    language="ru",
    apply_priority=False,
)


def make_rules(**overrides: Any) -> Rules:
    """`Rules` with the configuration's defaults, the given fields replaced. `calendars`
    follows `policies` (one WorkCalendar per distinct policy calendar), as in
    config_rules.rules_from."""
    if "calendars" not in overrides:
        calendars = {p.calendar for p in overrides.get("policies", ()) if p.calendar}
        overrides["calendars"] = {c: WorkCalendar.from_rules(c) for c in calendars}
    return replace(DEFAULT_RULES, **overrides)


def make_statuses(**overrides: Any) -> StatusRules:
    """The default `[statuses]`, the given roles (tuples) or destinations replaced."""
    return replace(DEFAULT_STATUSES, **overrides)


def make_targets(**overrides: int) -> TargetTable:
    """The default `[targets]` table; keys as TargetTable names them (`resolution_vip`)."""
    return replace(DEFAULT_TARGETS, **overrides)


def make_auto_close(**overrides: Any) -> AutoClose:
    """The default `[auto_close]`, the given keys replaced (hours as floats, as pydantic
    gives them)."""
    hours = {k: v if k == "enabled" else float(v) for k, v in overrides.items()}
    return replace(DEFAULT_RULES.auto_close, **hours)


def make_intake(**switches: bool) -> IntakeSwitches:
    """The default `[intake]` switches (request_identity off), the given ones set."""
    on = {**_INTAKE, "request_identity": False, **switches}
    return IntakeSwitches(frozenset(name for name, enabled in on.items() if enabled))


def make_policy(
    name: str,
    *,
    calendar: CalendarRules | None = None,
    projects: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    field_values: tuple[str, ...] = (),
    **targets: int,
) -> Policy:
    """A contract policy: its targets (TargetTable names) over the default table."""
    return Policy(
        name=name,
        targets=make_targets(**targets),
        calendar=calendar,
        projects=frozenset(projects),
        groups=groups,
        field_values=frozenset(field_values),
    )


__all__ = [
    "AGENT",
    "AGENT2",
    "CLIENT",
    "DEFAULT_RULES",
    "DEFAULT_STATUSES",
    "DEFAULT_TARGETS",
    "LEAD",
    "PEOPLE",
    "TOOL",
    "VIP_CLIENT",
    "at",
    "cf",
    "change",
    "issue",
    "make_auto_close",
    "make_intake",
    "make_policy",
    "make_rules",
    "make_statuses",
    "make_targets",
    "note",
    "priority",
    "status",
]
