"""The tracker's names and ids: statuses, trackers, priorities, issue custom fields,
projects and groups, as values (the adapter reads them; nothing here sends a request)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class IssueStatus:
    id: int
    name: str
    is_closed: bool = False


@dataclass(frozen=True)
class IssuePriority:
    id: int
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class CustomField:
    id: int
    name: str
    field_format: str = "string"
    possible_values: tuple[str, ...] = ()
    multiple: bool = False
    trackers: frozenset[int] | None = None  # ids of the trackers it is enabled for; None: unknown
    is_filter: bool | None = None  # "Used as a filter"; None: unknown


@dataclass(frozen=True)
class ProjectSetup:
    """What one project enables: its trackers (name -> id), the issue custom fields ticked
    in its settings, and the fields one of its issues shows per tracker id (a field "for all
    projects" is not in `custom_field_ids`, but its issues show it)."""

    identifier: str
    trackers: Mapping[str, int] = field(default_factory=dict)
    custom_field_ids: frozenset[int] = frozenset()
    issue_fields: Mapping[int, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Directory:
    """The tracker's names and ids (issue custom fields only), as read by `load_directory`."""

    statuses: Mapping[str, IssueStatus] = field(default_factory=dict)
    trackers: Mapping[str, int] = field(default_factory=dict)
    priorities: Mapping[str, IssuePriority] = field(default_factory=dict)
    custom_fields: Mapping[str, CustomField] = field(default_factory=dict)
    projects: Mapping[str, int] = field(default_factory=dict)  # identifier -> id
    groups: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def _status_names(self) -> dict[int, str]:
        return {s.id: s.name for s in self.statuses.values()}

    @cached_property
    def _tracker_names(self) -> dict[int, str]:
        return {i: name for name, i in self.trackers.items()}

    @cached_property
    def _priority_names(self) -> dict[int, str]:
        return {p.id: p.name for p in self.priorities.values()}

    @cached_property
    def custom_field_names(self) -> dict[int, str]:
        return {f.id: f.name for f in self.custom_fields.values()}

    @cached_property
    def _project_identifiers(self) -> dict[int, str]:
        return {i: ident for ident, i in self.projects.items()}

    # An id the directory does not know (a deleted status, ...) stays its id string.
    def status_name(self, status_id: str | int | None) -> str | None:
        return _lookup(self._status_names, status_id)

    def tracker_name(self, tracker_id: str | int | None) -> str | None:
        return _lookup(self._tracker_names, tracker_id)

    def priority_name(self, priority_id: str | int | None) -> str | None:
        return _lookup(self._priority_names, priority_id)

    def project_identifier(self, project_id: int) -> str | None:
        return self._project_identifiers.get(project_id)


def _lookup(names: Mapping[int, str], key: str | int | None) -> str | None:
    if key is None or key == "":
        return None
    try:
        return names.get(int(key), str(key))
    except ValueError:
        return str(key)
