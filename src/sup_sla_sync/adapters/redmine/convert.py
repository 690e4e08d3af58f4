"""Redmine's issue JSON to `model.IssueSnapshot`: names, not ids; aware UTC datetimes.

Pure functions: no I/O here. The one name that may need a request (the identifier of a
project created after the directory was read) comes from the caller's `project_identifier`,
asked at the same point of the conversion as it always was, so a malformed issue fails
before that request as it did before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sup_sla_sync.adapters.redmine.directory import Directory
from sup_sla_sync.core.model import (
    ASSIGNED_TO,
    ATTACHMENT,
    DUE_DATE,
    PRIORITY,
    STATUS,
    TRACKER,
    FieldChange,
    IssueSnapshot,
    Journal,
    cf,
)

_ATTRIBUTES = {"priority_id": PRIORITY, "tracker_id": TRACKER, "due_date": DUE_DATE}


def _to_snapshot(
    raw: dict[str, Any],
    journals: tuple[Journal, ...],
    watchers: frozenset[int],
    project_identifier: Callable[[int], str],
) -> IssueSnapshot:
    return IssueSnapshot(
        id=int(raw["id"]),
        subject=_plain(raw.get("subject"), "subject"),
        tracker=_name(raw.get("tracker")),
        status=_name(raw.get("status")),
        priority=_name(raw.get("priority")),
        author_id=_ref_id(raw.get("author")) or 0,
        created_on=_utc(raw["created_on"]),
        updated_on=_utc(raw["updated_on"]),
        project=_project(raw.get("project"), project_identifier),
        description=_plain(raw.get("description"), "description"),
        assigned_to_id=_ref_id(raw.get("assigned_to")),
        due_date=date.fromisoformat(raw["due_date"]) if raw.get("due_date") else None,
        custom_fields={
            f["name"]: _field_value(f.get("value")) for f in raw.get("custom_fields") or ()
        },
        journals=journals,
        watcher_ids=watchers,
    )


def _watcher_ids(raw: dict[str, Any]) -> frozenset[int]:
    return frozenset(int(w["id"]) for w in raw.get("watchers") or () if "id" in w)


def _journals(raw: dict[str, Any], directory: Directory) -> tuple[Journal, ...]:
    # The issue names its own fields, which covers a field created after the directory.
    field_names = {
        **directory.custom_field_names,
        **{int(f["id"]): f["name"] for f in raw.get("custom_fields") or ()},
    }
    journals = [
        Journal(
            id=int(j["id"]),
            user_id=_ref_id(j.get("user")) or 0,
            created_on=_utc(j["created_on"]),
            notes=_plain(j.get("notes"), f"journal {j.get('id')}'s notes"),
            private=bool(j.get("private_notes", False)),
            changes=tuple(_change(d, directory, field_names) for d in j.get("details") or ()),
        )
        for j in raw.get("journals") or ()
    ]
    return tuple(sorted(journals, key=lambda j: (j.created_on, j.id)))


def _change(detail: dict[str, Any], directory: Directory, fields: Mapping[int, str]) -> FieldChange:
    prop = detail.get("property")
    key = str(detail.get("name", ""))
    old, new = _text(detail.get("old_value")), _text(detail.get("new_value"))
    if prop == "attr":
        if key == "status_id":
            return FieldChange(STATUS, directory.status_name(old), directory.status_name(new))
        if key == "priority_id":
            return FieldChange(PRIORITY, directory.priority_name(old), directory.priority_name(new))
        if key == "tracker_id":
            return FieldChange(TRACKER, directory.tracker_name(old), directory.tracker_name(new))
        if key == "assigned_to_id":
            return FieldChange(ASSIGNED_TO, old, new)
        return FieldChange(_ATTRIBUTES.get(key, key), old, new)
    if prop == "cf":
        name = fields.get(int(key), key) if key.isdigit() else key
        return FieldChange(cf(name), old, new)
    if prop == "attachment":
        return FieldChange(ATTACHMENT, old, new)
    return FieldChange(f"{prop}:{key}", old, new)  # relations and the like


def _project(ref: Any, project_identifier: Callable[[int], str]) -> str:
    project_id = _ref_id(ref)
    if project_id is None:
        return ""
    return project_identifier(project_id)


def _plain(value: Any, what: str) -> str:
    """A text the tracker sends: a string or nothing; anything else is a malformed answer."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what} is a {type(value).__name__}, not text")
    return value


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _field_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    return _text(value)


def _name(ref: Any) -> str:
    if isinstance(ref, dict):
        return str(ref.get("name") or ref.get("id") or "")
    return ""


def _ref_id(ref: Any) -> int | None:
    if isinstance(ref, dict) and ref.get("id") is not None:
        return int(ref["id"])
    return None


def _utc(value: str) -> datetime:
    """Redmine writes UTC with a Z; an offset or a naive time is made aware UTC too."""
    if not isinstance(value, str):
        raise TypeError(f"a time is a {type(value).__name__}, not text")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
