"""The regulation's vocabulary and the issue snapshot the pure core works on.

Nothing here does I/O: the Redmine adapter builds these values, the core reads them.
All datetimes are timezone-aware (UTC as read from the tracker).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ServiceLevel(StrEnum):
    BASIC = "basic"
    VIP = "vip"


class Channel(StrEnum):
    ONLINE_ASSISTANT = "online_assistant"
    OFFICIAL_LETTER = "official_letter"
    OTHER = "other"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


# The regulation's order of priorities, most pressing first; defined here only.
PRIORITY_ORDER = (Priority.IMMEDIATE, Priority.URGENT, Priority.NORMAL)
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(PRIORITY_ORDER)}


class Category(StrEnum):
    CONSULTATION = "consultation"
    DEFECT = "defect"


class StatusRole(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    AWAITING_CLIENT = "awaiting_client"
    ON_HOLD = "on_hold"  # waits on a third party or development: paused, never auto-closed
    RESOLVED = "resolved"
    CLOSED = "closed"


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"


# Names of the standard attributes in FieldChange.name; custom fields are "cf:<name>".
STATUS = "status"
PRIORITY = "priority"
TRACKER = "tracker"
DUE_DATE = "due_date"
ASSIGNED_TO = "assigned_to"
ATTACHMENT = "attachment"


def cf(name: str) -> str:
    """The FieldChange name of a custom field."""
    return f"cf:{name}"


@dataclass(frozen=True)
class FieldChange:
    """One detail of a journal: an attribute or custom field going from old to new.

    Status, priority and tracker values are names; custom fields are their raw values.
    """

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Journal:
    id: int
    user_id: int
    created_on: datetime
    notes: str = ""
    private: bool = False
    changes: tuple[FieldChange, ...] = ()

    def change_of(self, name: str) -> FieldChange | None:
        for change in self.changes:
            if change.name == name:
                return change
        return None


@dataclass(frozen=True)
class IssueSnapshot:
    """One issue as the tracker holds it: fields by name and its journals in order."""

    id: int
    subject: str
    tracker: str
    status: str
    priority: str
    author_id: int
    created_on: datetime
    updated_on: datetime
    project: str = ""
    description: str = ""
    assigned_to_id: int | None = None
    due_date: date | None = None
    custom_fields: Mapping[str, str | None] = field(default_factory=dict)
    journals: tuple[Journal, ...] = ()
    watcher_ids: frozenset[int] = frozenset()

    def field(self, name: str) -> str | None:
        value = self.custom_fields.get(name)
        return value if value not in ("", None) else None


@dataclass(frozen=True)
class People:
    """Who is who, as far as the clocks care."""

    tool_user_id: int
    staff_ids: frozenset[int] = frozenset()
    vip_ids: frozenset[int] = frozenset()
    logins: Mapping[int, str] = field(default_factory=dict)
    lead_id: int | None = None
    # Members of the groups the contract policies name (group name -> user ids).
    groups: Mapping[str, frozenset[int]] = field(default_factory=dict)
    # `staff.anonymous_is_staff`: a user the tracker does not list counts as staff.
    anonymous_is_staff: bool = False

    def is_staff(self, user_id: int) -> bool:
        """A member of a staff group. A user the tracker does not list (Redmine's Anonymous:
        mail from an unknown sender, and the notes of deleted users) is a client, unless
        the desk counts Anonymous as staff (`staff.anonymous_is_staff`)."""
        if user_id == self.tool_user_id:
            return False
        if user_id in self.staff_ids:
            return True
        return self.anonymous_is_staff and bool(self.logins) and user_id not in self.logins

    def is_client(self, user_id: int) -> bool:
        return user_id != self.tool_user_id and not self.is_staff(user_id)

    def login(self, user_id: int | None) -> str | None:
        return None if user_id is None else self.logins.get(user_id)
